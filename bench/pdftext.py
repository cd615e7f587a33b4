"""How long the text layer of a 1-page invoice takes per backend, and what ours adds on top.

    .venv/bin/python bench/pdftext.py [--runs 200]

Prints ms per page for raw pypdfium2, pypdf and pdfplumber, and for `parsers.pdftext.read_pdf`
(pdfium + line layout) and the whole extraction, each as a ratio to raw pypdfium2 measured in
the same run. The figures chose the backend (see parsers/pdftext.py).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pdfplumber
import pypdf
import pypdfium2 as pdfium

from parsers.fields import extract_fields
from parsers.grid import Grid
from parsers.pdftext import read_pdf
from tests.docgen import LAYOUTS, make_doc


def raw_pdfium(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def raw_pypdf(data: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def raw_pdfplumber(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join(p.extract_text() or "" for p in pdf.pages)


def ours_text(data: bytes) -> object:
    return read_pdf(data)


def ours_fields(data: bytes) -> object:
    return extract_fields(Grid.from_pdf(read_pdf(data)))


def per_call_ms(fn: Callable[[bytes], object], pdfs: list[bytes], runs: int) -> float:
    samples = []
    for _ in range(runs):
        for data in pdfs:
            t = time.perf_counter()
            fn(data)
            samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    a = ap.parse_args()
    pdfs = [LAYOUTS[name](make_doc(i)) for i, name in enumerate(LAYOUTS)]
    base = per_call_ms(raw_pdfium, pdfs, a.runs)
    print(f"{'backend':<28}{'ms/page':>10}{'x pdfium':>10}")
    for name, fn, runs in (
        ("pypdfium2 (raw text)", raw_pdfium, a.runs),
        ("pypdf", raw_pypdf, max(a.runs // 5, 3)),
        ("pdfplumber", raw_pdfplumber, max(a.runs // 20, 2)),
        ("podatelna read_pdf", ours_text, a.runs),
        ("podatelna text+fields", ours_fields, a.runs),
    ):
        ms = base if fn is raw_pdfium else per_call_ms(fn, pdfs, runs)
        print(f"{name:<28}{ms:>10.2f}{ms / base:>10.1f}")


if __name__ == "__main__":
    main()
