"""Pictures as documents: what format a file is by its bytes, whether it can be a document at
all (a logo, an icon, a 1×1 tracker cannot), and the picture decoded upright and reduced for
OCR (parsers/ocr.py). Only the header is read to decide; decoding is bounded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

WORK_LONG_SIDE = 3300  # A4 at ~280 dpi; a 50-megapixel photo is reduced to this first
MAX_DECODE_PIXELS = 120_000_000  # larger pictures are refused before decoding
MIN_DOCUMENT_SIDE = 240  # px: smaller pictures are logos, icons and trackers
MIN_DOCUMENT_PIXELS = 150_000


def sniff_image(data: bytes) -> str | None:
    """The picture format by its bytes (never by the name it was sent under)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim"):
        return "heic"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


@dataclass(frozen=True, slots=True)
class Picture:
    image: Any  # PIL.Image.Image in mode "L", EXIF orientation applied, at most WORK_LONG_SIDE
    width: int  # as sent, before scaling
    height: int


def open_pictures(data: bytes, max_pages: int) -> list[Picture] | str:
    """The picture's pages (a TIFF scan may hold several), upright and reduced; or why it
    is not one we read (for people)."""
    from PIL import Image, ImageFile, ImageSequence

    if sniff_image(data) == "heic":
        _register_heif()
    # A picture cut off in transit is said so, never read in part without a word: Pillow
    # fills the missing part with grey when LOAD_TRUNCATED_IMAGES is on, and a library in
    # the same process may switch that on for all (WeasyPrint does, on import)
    lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_DECODE_PIXELS:
            return f"picture too large to read ({width}×{height} px)"
        if getattr(image, "n_frames", 1) == 1:
            return [_upright(image)]
        return [
            _upright(frame.copy())
            for _, frame in zip(range(max_pages), ImageSequence.Iterator(image), strict=False)
        ]
    except Exception as exc:  # a truncated or hostile file is a reason, never a crash
        return f"not a readable picture ({type(exc).__name__}: {exc})"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _upright(image: Any) -> Picture:
    from PIL import Image, ImageOps

    width, height = image.size
    image.draft("L", (WORK_LONG_SIDE, WORK_LONG_SIDE))  # JPEG: decode at 1/2, 1/4, 1/8
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):  # a transparent background is white paper
        rgba = image.convert("RGBA")
        image = Image.new("RGBA", rgba.size, "white")
        image.alpha_composite(rgba)
    image = image.convert("L")
    scale = WORK_LONG_SIDE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return Picture(image, width, height)


# Formats whose header Pillow reads in Python, without a C decoder: safe to look at in the
# daemon's own process (WebP and HEIC go through libwebp / libheif even to tell their size,
# so only the bounded worker opens them).
HEADER_IN_PYTHON = ("jpeg", "png", "gif", "tiff")


def picture_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the header alone (nothing is decoded), or None when the format
    is not one whose header is read without a decoder, or the header is broken."""
    from PIL import Image

    if sniff_image(data) not in HEADER_IN_PYTHON:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def frame_count(data: bytes) -> int:
    """Pages in a picture file (a TIFF scan may hold several); 0 when unreadable."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return int(getattr(image, "n_frames", 1))
    except Exception:
        return 0


def too_small(w: int, h: int) -> str | None:
    """A logo in a signature, an icon, a 1×1 tracker: why this is no document, or None."""
    if min(w, h) < MIN_DOCUMENT_SIDE or w * h < MIN_DOCUMENT_PIXELS:
        return f"picture too small to be a document ({w}×{h} px)"
    if max(w, h) / max(min(w, h), 1) > 12:
        return f"picture too narrow to be a document ({w}×{h} px): a banner or a rule"
    return None


def _register_heif() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
