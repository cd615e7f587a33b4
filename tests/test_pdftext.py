"""PDF text: flags instead of exceptions for encrypted, corrupt and image-only files."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from parsers.pdftext import read_pdf
from parsers.vocab import Flag
from tests.docgen import LAYOUTS, curves_only_pdf, encrypted, make_doc, without_character_maps


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


def test_a_word_split_into_several_text_objects_is_one_word() -> None:
    # some producers (gnuaccounting) draw a number in pieces, each its own text object;
    # the tight glyph boxes leave gaps as wide as a narrow word gap between the pieces
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    from tests.docgen import _Canvas

    _Canvas()  # registers the DejaVu fonts
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    x = 60.0
    for piece in ("Invoice # RE-20", "201121", "/50", "8", " issued at ", "2020-11-21"):
        c.setFont("DejaVu", 10)
        c.drawString(x, 700, piece)
        x += pdfmetrics.stringWidth(piece, "DejaVu", 10)
    c.save()
    text = read_pdf(buf.getvalue()).text
    assert "RE-20201121/508 issued at 2020-11-21" in text, text


def test_a_text_layer_of_glyph_numbers_is_no_text_layer(invoice_pdf: bytes) -> None:
    garbled = read_pdf(without_character_maps(invoice_pdf))
    assert garbled.flags == (Flag.NO_TEXT_LAYER,)
    assert garbled.problem is not None and "unreadable" in garbled.problem
    assert garbled.text == ""  # no control characters reach the field reader
    assert read_pdf(invoice_pdf).flags == ()  # the same page with its maps reads as text


def test_utf16_halves_are_joined_and_a_lone_one_dropped() -> None:
    from parsers.pdftext import _characters

    assert _characters("Tel. \ud83d\udcde 0905") == "Tel. \U0001f4de 0905"
    assert _characters("Tel. \ud83d 0905") == "Tel.  0905"
    # a page with characters outside the BMP reads them whole
    from tests.docgen import _Pdf

    pdf = _Pdf()
    pdf.text_at(20, 30, "Alfa \U00010300 s.r.o.", 10)
    assert "Alfa \U00010300 s.r.o." in read_pdf(pdf.output_bytes()).text


@pytest.mark.parametrize("spare", [64, -60])  # the page's size, and a buffer too small
def test_text_in_a_rect_is_pdfiums_own(invoice_pdf: bytes, spare: int) -> None:
    """One call into a kept buffer reads each rect as pypdfium2's two-call helper does,
    and a rect whose text does not fit asks PDFium for its size."""
    import pypdfium2 as pdfium

    from parsers.pdftext import _BoundedText

    doc = pdfium.PdfDocument(invoice_pdf)
    page = doc[0]
    textpage = page.get_textpage()
    read = _BoundedText(textpage, len(textpage.get_text_range()) + spare - 64)
    rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
    assert len(rects) > 20
    texts = [read(*rect) for rect in rects]
    assert texts == [textpage.get_text_bounded(*rect) for rect in rects]
    assert sum(len(t) > 4 for t in texts) > 10
    textpage.close()
    page.close()
    doc.close()


def test_a_line_of_thousands_of_drifting_runs_is_laid_out_in_one_pass() -> None:
    """Each run is compared with the last runs of a row only (a hostile page: 8000 runs, each
    a little lower than the one before, took 21 s when every run was compared with all)."""
    from parsers.pdftext import Segment, layout_rows

    runs = [
        Segment(x * 3.0, 700 - x * 0.01, x * 3.0 + 2.5, 708 - x * 0.01, "a") for x in range(8000)
    ]
    rows = layout_rows(runs)
    assert sum(len(r) for r in rows) == 1 and len(rows[0][0].text) == 8000


def test_lines_closer_than_their_glyphs_are_tall_keep_their_own_letters() -> None:
    # 8 pt on 8.5 pt leading (reportlab's Paragraph as InvoiceGenerator sets an address): the
    # "g" of one line reaches into the next line's box, the caron of "Š" into the one above
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from tests.docgen import FONT_DIR

    pdfmetrics.registerFont(TTFont("DejaVuTight", str(FONT_DIR / "DejaVuSans.ttf")))
    out = io.BytesIO()
    canvas = Canvas(out)
    text = canvas.beginText(100, 700)
    text.setFont("DejaVuTight", 8, leading=8.5)
    text.textLines(["Ing. Peter Horváth - Agro", "Štúrova 57", "010 01 Žilina"])
    canvas.drawText(text)
    canvas.save()
    lines = read_pdf(out.getvalue()).pages[0].lines
    assert lines == ("Ing. Peter Horváth - Agro", "Štúrova 57", "010 01 Žilina")
