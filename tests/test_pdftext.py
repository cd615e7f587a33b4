"""PDF text: flags instead of exceptions for encrypted, corrupt and image-only files."""

from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from parsers.pdftext import read_pdf
from parsers.vocab import Flag
from tests.docgen import LAYOUTS, make_doc


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
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(invoice_pdf)))
    writer.encrypt(user_password="tajne", owner_password="tajne-owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    pdf = read_pdf(buf.getvalue())
    assert pdf.flags == (Flag.UNREADABLE_PDF,)
    assert pdf.problem == "encrypted (needs a password)"


def test_owner_password_only_is_readable(invoice_pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(invoice_pdf)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert read_pdf(buf.getvalue()).flags == ()


@pytest.mark.parametrize("cut", [0, 10, 200, 2000])
def test_corrupt_or_truncated(invoice_pdf: bytes, cut: int) -> None:
    pdf = read_pdf(invoice_pdf[:cut] if cut else b"%PDF-1.7 garbage \x00\xff")
    assert Flag.UNREADABLE_PDF in pdf.flags or Flag.NO_TEXT_LAYER in pdf.flags


def test_image_only_has_no_text_layer() -> None:
    doc = FPDF()
    doc.add_page()
    doc.rect(20, 20, 100, 50, style="F")  # a "scan": drawing, no text objects
    pdf = read_pdf(bytes(doc.output()))
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
