"""Pictures of generated documents, as offices receive them: receipts photographed by a phone
(perspective, rotation up to 15°, uneven light, blur, JPEG, a table around the paper) and
invoices scanned at 200-300 dpi (noise, skew). Deterministic by seed.

    python -m tests.photos OUT_DIR     # a few of each, to look at
"""

from __future__ import annotations

import dataclasses
import io
import math
import random
import sys
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image


def render(pdf: bytes, dpi: float, page: int = 0) -> np.ndarray:
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    return np.asarray(image)


def _jpeg(gray: np.ndarray, quality: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(gray).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _scanned(pdf: bytes, seed: int, page: int, blur: float) -> tuple[np.ndarray, int, int]:
    """One page through an office scanner: 200-300 dpi, up to 3° skew, noise; the picture,
    its dpi and the JPEG quality the scanner saves it with."""
    rnd = random.Random(seed)
    dpi = rnd.choice([200, 240, 300])
    gray = render(pdf, dpi, page).astype(np.float32)
    h, w = gray.shape
    angle = rnd.uniform(-3, 3)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    gray = cv2.warpAffine(gray, m, (w, h), borderValue=255.0)
    gray = cv2.GaussianBlur(gray, (0, 0), 0.6 + blur)
    noise = np.random.default_rng(seed).normal(0, 8, gray.shape)
    gray = np.clip(gray * rnd.uniform(0.9, 1.0) + noise, 0, 255).astype(np.uint8)
    return gray, dpi, rnd.randint(70, 90)


def scan(pdf: bytes, seed: int, *, blur: float = 0.0) -> bytes:
    """The first page through an office scanner, as a JPEG."""
    gray, _, quality = _scanned(pdf, seed, 0, blur)
    return _jpeg(gray, quality)


def scan_pdf(pdf: bytes, seed: int) -> bytes:
    """Every page through an office scanner, saved as a scanner saves them: one PDF of JPEG
    pages, with no text layer."""
    pages = []
    for page in range(len(pdfium.PdfDocument(pdf))):
        gray, dpi, quality = _scanned(pdf, seed + page, page, 0.0)
        pages.append(Image.open(io.BytesIO(_jpeg(gray, quality))))
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def photo(pdf: bytes, seed: int, *, blur: float = 0.0) -> bytes:
    """A receipt on a table, photographed by a phone held at an angle."""
    rnd = random.Random(seed)
    paper = render(pdf, rnd.uniform(330, 400)).astype(np.float32)
    ph, pw = paper.shape
    canvas_w, canvas_h = int(pw * rnd.uniform(1.7, 2.1)), int(ph * rnd.uniform(1.25, 1.4))
    rng = np.random.default_rng(seed)
    table = rnd.uniform(60, 120) + rng.normal(0, 12, (canvas_h // 8 + 1, canvas_w // 8 + 1))
    background = cv2.resize(table.astype(np.float32), (canvas_w, canvas_h))
    # where the paper's corners land: rotated up to 15°, each corner pulled by perspective
    angle = math.radians(rnd.uniform(-15, 15))
    cx, cy = canvas_w / 2, canvas_h / 2
    corners = []
    for x, y in ((-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2), (-pw / 2, ph / 2)):
        x *= rnd.uniform(0.93, 1.0)
        y *= rnd.uniform(0.95, 1.0)
        corners.append(
            (
                cx + x * math.cos(angle) - y * math.sin(angle),
                cy + x * math.sin(angle) + y * math.cos(angle),
            )
        )
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, np.array(corners, np.float32))
    warped = cv2.warpPerspective(paper, matrix, (canvas_w, canvas_h), borderValue=0.0)
    mask = cv2.warpPerspective(np.ones_like(paper), matrix, (canvas_w, canvas_h))
    image = warped * mask + background * (1 - mask)
    # light from one side: 60-100 % across the picture
    gx = np.linspace(rnd.uniform(0.6, 0.8), 1.0, canvas_w)[None, :]
    gy = np.linspace(1.0, rnd.uniform(0.8, 1.0), canvas_h)[:, None]
    image = image * gx * gy
    image = cv2.GaussianBlur(image, (0, 0), rnd.uniform(0.7, 1.1) + blur)
    image = np.clip(image + rng.normal(0, 5, image.shape), 0, 255).astype(np.uint8)
    return _jpeg(image, rnd.randint(72, 88))


def main(argv: list[str]) -> int:
    from tests import docgen

    out = Path(argv[0] if argv else "docs/samples/photos")
    out.mkdir(parents=True, exist_ok=True)
    for seed in range(3):
        receipt = docgen.make_receipt(seed)
        receipt = dataclasses.replace(receipt, qr=receipt.receipt_id)
        (out / f"receipt-{seed}.jpg").write_bytes(photo(docgen.render_receipt(receipt), seed))
        invoice = docgen.make_doc(seed)
        pdf = docgen.render_sk_columns(invoice)
        (out / f"scan-{seed}.jpg").write_bytes(scan(pdf, seed))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
