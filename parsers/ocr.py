"""Text from pictures: phone photos of receipts, scanned invoices, PDF pages with no text layer.

The picture is straightened first (the paper found in the photo and its perspective undone,
small skew removed, uneven light flattened: OpenCV), then read by Tesseract 5 in-process
(tesserocr: the model loads once per worker process, not once per page). The words come back
as `Segment`s in the same page coordinates a PDF text layer gives, so the one field reader in
parsers/fields.py reads them: there is no second reader for OCR.

A value the engine is unsure of must not become a wrong field: every cell holding a word
below `MIN_WORD_CONFIDENCE` has its digits masked, so dates, amounts and identifiers in it do
not parse and the field stays empty (`missing_fields`), while its words still work as labels.

Bounded like PDFs: pictures are decoded reduced (JPEG draft mode) and scaled to at most
`WORK_LONG_SIDE` pixels before any work; callers run this in the worker processes with a time
and memory limit (daemon/workers.py).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from parsers.pdftext import PageText, Segment, layout_rows
from parsers.pictures import WORK_LONG_SIDE, Picture
from parsers.values import LOOK_ALIKE, MASK, is_valid_iban, is_valid_vat_id

MIN_WORD_CONFIDENCE = 55.0  # Tesseract's 0-100 word confidence
MIN_WORDS = 5  # fewer words on every page: nothing legible (blur, darkness, a photo of a cat)
OCR_MAX_PAGES = 10  # a 500-page scan is read to here (about 2 s a page) and says so
OCR_DPI = 300
RECEIPT_PX = 1100  # px across a till roll after straightening (~14 px a mm)
SHEET_PX = 2480  # px across a sheet: A4 at 300 dpi
LANGUAGES = ("slk", "ces", "eng", "deu")
A4_WIDTH_PT = 595.0
RECEIPT_WIDTH_PT = 227.0  # 80 mm paper

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)


@functools.lru_cache(maxsize=1)
def tessdata() -> tuple[str | None, str]:
    """Where Tesseract's language data is, and the languages found there; (None, why) if not."""
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for path in [*candidates, *TESSDATA_DIRS]:
        found = [lang for lang in LANGUAGES if (Path(path) / f"{lang}.traineddata").is_file()]
        if found:
            return path, "+".join(found)
    return None, (
        "no Tesseract language data (install tesseract-ocr tesseract-ocr-slk tesseract-ocr-ces "
        "tesseract-ocr-deu; English comes with tesseract-ocr)"
    )


@functools.lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why OCR cannot run here, or None (asked once per process: every picture asks)."""
    if importlib.util.find_spec("tesserocr") is None:  # pragma: no cover - a dependency
        return "the tesserocr package is not installed"
    path, why = tessdata()
    return why if path is None else None


# ---- straightening ----------------------------------------------------------------------------


def straighten(gray: Any) -> Any:
    """The paper cut out of a photo and its perspective undone; then skew removed and the
    light flattened. `gray`: a uint8 numpy array. A scan (paper filling the picture) only
    loses its skew."""
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    paper = _find_paper(gray)
    if paper is not None:
        gray = _warp(gray, paper)
    gray = _deskew(gray)
    # uneven light: divide by the background (a large closing removes the text from it)
    k = max(15, (min(gray.shape) // 30) | 1)
    background = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(0, (k, k)))
    flat = cv2.divide(gray, np.maximum(background, 1), scale=255)
    return flat


def _find_paper(gray: Any) -> Any | None:
    """The four corners of the paper when the photo shows it on a darker background."""
    import cv2
    import numpy as np

    h, w = gray.shape
    scale = 800 / max(h, w)
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))))
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(largest) / (small.shape[0] * small.shape[1])
    if not 0.08 < area < 0.93:  # nothing paper-like, or the paper is the whole picture
        return None
    hull = cv2.convexHull(largest)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        quad = cv2.boxPoints(cv2.minAreaRect(hull))
    return np.asarray(quad, dtype=np.float32).reshape(4, 2) / scale


def _warp(gray: Any, quad: Any) -> Any:
    import cv2
    import numpy as np

    # corners in order: top-left, top-right, bottom-right, bottom-left
    s, d = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    tl, br, tr, bl = quad[np.argmin(s)], quad[np.argmax(s)], quad[np.argmin(d)], quad[np.argmax(d)]
    width = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    if width < 50 or height < 50:
        return gray
    src = np.array([tl, tr, br, bl], dtype=np.float32)
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255
    )


def _deskew(gray: Any) -> Any:
    """Rotate by the angle (within ±8°) at which text rows line up best (projection profile)."""
    import cv2
    import numpy as np

    h, w = gray.shape
    scale = 1000 / max(h, w)
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))))
    ink = cv2.adaptiveThreshold(
        small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    ).astype(np.float32)
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rotated = cv2.warpAffine(ink, m, (small.shape[1], small.shape[0]))
        return float(np.var(rotated.sum(axis=1)))

    coarse = max((a / 2 for a in range(-16, 17)), key=sharpness)
    best = max((coarse + a / 10 for a in range(-5, 6)), key=sharpness)
    if abs(best) < 0.15:
        return gray
    m = cv2.getRotationMatrix2D((w / 2, h / 2), best, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


# ---- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OcrPage:
    page: PageText
    codes: tuple[str, ...]  # QR codes found on the picture
    confidence: float  # mean word confidence, 0-100 (0 when no words)
    words: int
    unsure: frozenset[str] = frozenset()  # the words the engine was unsure of (`_unsure`)


# One thread each: the worker processes are the parallelism (OpenMP would oversubscribe).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

_ENGINE: dict[str, Any] = {}
_ENGINE_LOCK = threading.Lock()


def _engine() -> Any:
    """One Tesseract per process (loading the models costs more than reading a page)."""
    import tesserocr

    with _ENGINE_LOCK:
        if "api" not in _ENGINE:
            path, langs = tessdata()
            if path is None:
                raise RuntimeError(langs)
            _ENGINE["api"] = tesserocr.PyTessBaseAPI(
                path=path, lang=langs, psm=tesserocr.PSM.AUTO, oem=tesserocr.OEM.LSTM_ONLY
            )
        return _ENGINE["api"]


def read_codes_in(image: Any) -> tuple[str, ...]:
    """QR codes on a picture (payment QR, eKasa receipt id), read by zxing-cpp."""
    import zxingcpp

    try:
        return tuple(c.text for c in zxingcpp.read_barcodes(image) if c.text)
    except Exception:
        return ()


def read_picture(picture: Picture) -> OcrPage:
    """The picture's words as a page of text runs, and its QR codes."""
    import numpy as np
    from PIL import Image

    codes = read_codes_in(picture.image)
    flat = straighten(np.asarray(picture.image))
    h, w = flat.shape
    receipt = h / max(w, 1) > 1.9  # a till roll, not a sheet
    target = RECEIPT_PX if receipt else SHEET_PX
    factor = target / w
    if abs(factor - 1) > 0.05:
        import cv2

        flat = cv2.resize(
            flat,
            (target, max(1, round(h * factor))),
            interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA,
        )
    image = Image.fromarray(flat)
    if not codes:  # a code the photo's perspective hid may read on the straightened paper
        codes = read_codes_in(image)
    words = _words(image)
    points = (RECEIPT_WIDTH_PT if receipt else A4_WIDTH_PT) / image.width
    height = image.height
    # unsure marks with no letter or digit are specks and rules, not text: a "—" read at 0 %
    # above a name's line kept the dash in the name ("Němec - Truhlářství") out of its row;
    # underscores alone are rules however sure ("19% _" is no VAT rate)
    segments = [
        (Segment(x0 * points, (height - y1) * points, x1 * points, (height - y0) * points, t), c)
        for t, c, (x0, y0, x1, y1) in words
        if (not _unsure(t, c) or any(ch.isalnum() for ch in t)) and t.strip("_")
    ]
    confidence = sum(c for _, c in segments) / len(segments) if segments else 0.0
    unsure = frozenset(s.text for s, c in segments if _unsure(s.text, c))
    page = PageText(_cells(segments), cells=True)
    return OcrPage(page, codes, confidence, len(segments), unsure)


def _words(image: Any) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    import numpy as np
    import tesserocr

    api = _engine()
    out: list[tuple[str, float, tuple[int, int, int, int]]] = []
    level = tesserocr.RIL.WORD
    try:
        api.SetImage(image)
        api.SetSourceResolution(300)
        api.Recognize()
        iterator = api.GetIterator()
        for word in tesserocr.iterate_level(iterator, level) if iterator is not None else ():
            try:
                text = (word.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # "No text returned": an empty block on a blank page
                continue
            box = word.BoundingBox(level)
            if text and box is not None:
                out.append((text, float(word.Confidence(level)), box))
        ink = np.asarray(image)  # the page's pixels, for both passes over the words
        return _boxes_fitted(ink, _marks_restored(api, image, ink, out))
    finally:
        api.Clear()


def _marks_restored(
    api: Any,
    image: Any,
    ink: Any,
    words: list[tuple[str, float, tuple[int, int, int, int]]],
) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """Words read again alone where ink stands right above their box: on a page, Tesseract's
    line finder often cuts the marks above capitals off their letters and reads "BALAZ",
    "HORVATH", "Simko" for the printed "BALÁŽ", "HORVÁTH", "Šimko" (with high confidence:
    names no check digit guards). The word alone, with room above it, reads with its marks;
    the second reading is taken only when it adds marks and is as sure (one that takes a mark
    away or changes one is no better than the first: "DVOŘÁK" read again "DVORÁK")."""
    import tesserocr

    out = []
    budget = _MAX_READ_AGAIN
    api.SetPageSegMode(tesserocr.PSM.SINGLE_WORD)
    try:
        for text, confidence, (x0, y0, x1, y1) in words:
            height = y1 - y0
            above = ink[max(0, y0 - int(_MARK_ROOM * height)) : max(0, y0 - 1), x0:x1]
            if (
                budget > 0
                and height >= 8
                and any(ch.isupper() for ch in text)
                and int((above < 128).sum()) >= _MARK_INK
            ):
                budget -= 1
                pad = int(0.6 * height)  # room above for the marks, a little around
                box = (
                    max(0, x0 - pad // 2),
                    max(0, y0 - pad),
                    min(image.width, x1 + pad // 2),
                    min(image.height, y1 + pad // 2),
                )
                try:
                    api.SetImage(image.crop(box))
                    api.SetSourceResolution(OCR_DPI)
                    again = (api.GetUTF8Text() or "").strip()
                    sure = float(api.MeanTextConf())
                except RuntimeError:  # tesserocr's "failed to recognize": the first reading stays
                    again, sure = text, 0.0
                if _marks_added(text, again) and sure >= confidence - 5:
                    text = again
            out.append((text, confidence, (x0, y0, x1, y1)))
    finally:
        api.SetPageSegMode(tesserocr.PSM.AUTO)
    return out


def _boxes_fitted(
    ink: Any, words: list[tuple[str, float, tuple[int, int, int, int]]]
) -> list[tuple[str, float, tuple[int, int, int, int]]]:
    """Words whose box is far taller than the page's words cut down to their own line's ink,
    and flat unsure "words" (a rule, the specks of a line's marks) left out. Tesseract gives
    a header printed tight above a line a box reaching into that line ("DODÁVATEĽ" 93 px
    high over 35 px letters, down over "Ing. Peter Varga"), and the page's rows then put the
    header in the name's line; a 9 px high "M" read at 40 % across a word's carons joins the
    word it lies on ("ReklamnéMštúdio")."""
    heights = sorted(y1 - y0 for t, c, (x0, y0, x1, y1) in words if not _unsure(t, c))
    if len(heights) < MIN_WORDS:
        return words
    usual = heights[len(heights) // 2]
    out = []
    for text, confidence, (x0, y0, x1, y1) in words:
        height = y1 - y0
        if height < 0.4 * usual and _unsure(text, confidence):
            continue
        if height > 1.8 * usual:
            rows = (ink[y0:y1, x0:x1] < 128).sum(axis=1)
            band = _main_band(rows, gap=max(2, usual // 5))
            if band is not None and band[1] - band[0] < 0.8 * height:
                y0, y1 = y0 + band[0], y0 + band[1]
        out.append((text, confidence, (x0, y0, x1, y1)))
    return out


def _main_band(rows: Any, gap: int) -> tuple[int, int] | None:
    """The run of inked rows holding the most ink, runs closer than `gap` blank rows joined
    (a capital's caron above its letter stays with it): (first row, row after the last)."""
    bands: list[list[int]] = []
    blank = gap
    for i, dark in enumerate(rows):
        if dark:
            if blank >= gap or not bands:
                bands.append([i, i + 1, 0])
            bands[-1][1] = i + 1
            bands[-1][2] += int(dark)
            blank = 0
        else:
            blank += 1
    if not bands:
        return None
    first, end, _ = max(bands, key=lambda b: b[2])
    return first, end


_MARK_ROOM = 0.45  # of the word's height: where a capital's accent or caron stands
_MAX_READ_AGAIN = 200  # words a page (~1.2 s): a page of capitals costs a bounded time
_MARK_INK = 4  # dark pixels there: a mark, not noise


def _unmarked(text: str) -> str:
    """`text` without its diacritics ("Šimko" -> "Simko")."""
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _marks_added(first: str, again: str) -> bool:
    """`again` is `first` with marks on letters that had none, and none taken away or
    changed ("BALAZ" -> "BALÁŽ"; not "DVOŘÁK" -> "DVORÁK")."""
    first, again = unicodedata.normalize("NFC", first), unicodedata.normalize("NFC", again)
    return (
        first != again
        and len(first) == len(again)
        and all(
            a == b or (a == _unmarked(a) == _unmarked(b)) for a, b in zip(first, again, strict=True)
        )
    )


def _unsure(text: str, confidence: float) -> bool:
    """A word read below `MIN_WORD_CONFIDENCE`, unless it proves itself: a whole IBAN passing
    its checks is sure whatever the engine says ("IBAN: IE45BOFI69863785599430" read at 54 %):
    mod 97 catches every single misread character and every swap, and passes a worse
    misreading about once in a hundred, if it keeps the country's length and format at all."""
    return confidence < MIN_WORD_CONFIDENCE and not is_valid_iban(text.strip(".,;:"))


def _cells(words: list[tuple[Segment, float]]) -> tuple[Segment, ...]:
    """Words merged into cells as a text layer's runs are; a cell holding an unsure word has
    its digits masked, so no date, amount or identifier is read from it. An unsure word
    carries an invisible mark through the merge, so its cell is known without a search."""
    marked = [replace(s, text=s.text + _UNSURE) if _unsure(s.text, c) else s for s, c in words]
    cells: list[Segment] = []
    for row in layout_rows(marked, ocr=True):
        for cell in row:
            if _UNSURE in cell.text:
                text = cell.text.replace(_UNSURE, "")
                cell = replace(cell, text="".join(MASK if ch.isdigit() else ch for ch in text))
            elif (text := _country_put_right(cell.text)) != cell.text:
                cell = replace(cell, text=text)
            cells.append(cell)
    return tuple(cells)


# An IBAN whose country letters were read as digits or marks: "1E27IPBS…" for IE27IPBS…,
# "[T22 X438…" for IT22 X438…
_IBAN_MISREAD = re.compile(
    r"(?<![\w\[|])(?=[A-Z]?[\d\[|])([0-9A-Z\[|]{2})(\d\d(?: ?[0-9A-Z]{4}){2,7}(?: ?[0-9A-Z]{1,4})?)\b"
)
_LETTER_FOR = {digit: letter for digit, letter in LOOK_ALIKE.items() if digit.isdigit()}
_LETTER_FOR.update({"[": "I", "|": "I"})


# A VAT id one of whose country letters was read as a digit or a mark: "1T03298450259",
# "[T02822790552" for IT… (not both: "5112345678" is a number, whatever "SI" would pass)
_VAT_ID_MISREAD = re.compile(
    r"(?<![\w\[|])(?=[A-Z][\d\[|]|[\d\[|][A-Z])([0-9A-Z\[|]{2})(\d{8,12}[A-Z0-9]{0,3})\b"
)


def _country_put_right(text: str) -> str:
    """`text` with an IBAN's or a VAT id's country letters put right where Tesseract read a
    letter as its look-alike digit (both start with two letters, so a digit there is
    misread) and the letters make it pass its check: mod 97 or the VAT id's check digits
    prove the reading."""

    def fixed(m: re.Match[str], valid: Callable[[str], bool]) -> str:
        country = "".join(_LETTER_FOR.get(ch, ch) for ch in m[1])
        if country.isalpha() and valid(country + m[2].replace(" ", "")):
            return country + m[2]
        return m[0]

    text = _IBAN_MISREAD.sub(lambda m: fixed(m, is_valid_iban), text)
    return _VAT_ID_MISREAD.sub(lambda m: fixed(m, is_valid_vat_id), text)


_UNSURE = "\u2063"  # INVISIBLE SEPARATOR: never in OCR output


def pdf_pictures(data: bytes, max_pages: int) -> list[Picture] | str:
    """The pages of a PDF without a text layer, rendered at 300 dpi (huge pages smaller)."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except Exception as exc:
        return f"unreadable PDF ({type(exc).__name__})"
    try:
        out = []
        for i in range(min(len(doc), max_pages)):
            page = doc[i]
            width, height = page.get_size()
            scale = min(OCR_DPI / 72, WORK_LONG_SIDE / max(width, height, 1.0))
            image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            out.append(Picture(image, image.width, image.height))
        return out
    except Exception as exc:
        return f"could not render the scanned pages ({type(exc).__name__})"
    finally:
        doc.close()
