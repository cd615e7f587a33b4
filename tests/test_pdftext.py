"""PDF text: flags instead of exceptions for encrypted, corrupt and image-only files."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from parsers.pdftext import read_pdf
from parsers.vocab import Flag
from tests.docgen import LAYOUTS, curves_only_pdf, encrypted, make_doc


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    return LAYOUTS["sk_columns"](make_doc(1))


def test_text_and_lines(invoice_pdf: bytes) -> None:
    pdf = read_pdf(invoice_pdf)
    assert pdf.flags == () and pdf.page_count == 1 and not pdf.truncated
    lines = pdf.pages[0].lines
    # the two party columns stay apart, on one visual line each
    assert "Dodávateľ:    Odberateľ:" in lines
    assert any(line.startswith("Spolu na úhradu:") for line in lines)


def test_user_password_is_unreadable(invoice_pdf: bytes) -> None:
    pdf = read_pdf(encrypted(invoice_pdf))
    assert pdf.flags == (Flag.UNREADABLE_PDF,)
    assert pdf.problem == "encrypted (needs a password)"


def test_owner_password_only_is_readable(invoice_pdf: bytes) -> None:
    assert read_pdf(encrypted(invoice_pdf, user_password="")).flags == ()


@pytest.mark.parametrize("cut", [0, 10, 200, 2000])
def test_corrupt_or_truncated(invoice_pdf: bytes, cut: int) -> None:
    pdf = read_pdf(invoice_pdf[:cut] if cut else b"%PDF-1.7 garbage \x00\xff")
    assert Flag.UNREADABLE_PDF in pdf.flags or Flag.NO_TEXT_LAYER in pdf.flags


def test_image_only_has_no_text_layer() -> None:
    pdf = read_pdf(curves_only_pdf())  # a "scan": drawings, no text objects
    assert pdf.flags == (Flag.NO_TEXT_LAYER,)


def test_page_limit() -> None:
    doc = FPDF()
    doc.set_font("helvetica", size=12)
    for i in range(12):
        doc.add_page()
        doc.text(20, 20, f"Page {i + 1}")
    pdf = read_pdf(bytes(doc.output()), max_pages=5)
    assert pdf.page_count == 12 and len(pdf.pages) == 5 and pdf.truncated
    assert pdf.pages[-1].lines == ("Page 5",)
