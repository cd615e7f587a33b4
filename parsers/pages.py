"""Page images for people: a PDF page rendered to PNG by PDFium (the review page shows these,
never the PDF itself). Pure: bytes in, bytes out; run in a bounded worker (daemon.workers)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium

from parsers.pictures import frame_count, open_pictures, sniff_image

MAX_WIDTH_PX = 1400
MAX_PIXELS = 1400 * 2000  # a huge page must not become a huge bitmap


@dataclass(frozen=True, slots=True)
class RenderJob:
    data: bytes
    page: int  # 0-based
    width_px: int = 1100


@dataclass(frozen=True, slots=True)
class RenderedPage:
    png: bytes | None  # None: no such page, or not a PDF PDFium can draw
    pages: int  # pages in the document (0 when unreadable)


def render_page(job: RenderJob) -> RenderedPage:
    if sniff_image(job.data) is not None:
        return _picture_page(job)
    try:
        doc = pdfium.PdfDocument(job.data)
    except Exception:
        return RenderedPage(None, 0)
    try:
        count = len(doc)
        if not 0 <= job.page < count:
            return RenderedPage(None, count)
        page = doc[job.page]
        width, height = page.get_size()
        scale = min(min(job.width_px, MAX_WIDTH_PX) / max(width, 1.0), 4.0)
        scale = min(scale, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return RenderedPage(out.getvalue(), count)
    except Exception:
        return RenderedPage(None, 0)
    finally:
        doc.close()


def _picture_page(job: RenderJob) -> RenderedPage:
    """A photo or a scan as the person sees it: upright (EXIF), in grey as OCR read it."""
    pictures = open_pictures(job.data, job.page + 1)
    if isinstance(pictures, str) or not 0 <= job.page < len(pictures):
        return RenderedPage(None, 0 if isinstance(pictures, str) else len(pictures))
    image = pictures[job.page].image
    scale = min(min(job.width_px, MAX_WIDTH_PX) / max(image.width, 1), 1.0)
    scale = min(scale, (MAX_PIXELS / max(image.width * image.height, 1)) ** 0.5)
    if scale < 1:
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return RenderedPage(out.getvalue(), frame_count(job.data))
