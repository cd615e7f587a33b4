"""Wholesalers' invoices of several pages (tests/longgen.py): item lines over two to four
pages, the page's sum carried over and taken up again, a short header repeated on every
page after the first, totals and payment only on the last page."""

from __future__ import annotations

from datetime import date

from parsers.fields import extract_fields
from parsers.grid import Grid
from tests import needs
from tests.docgen import Tally
from tests.pyprint import printed


def test_a_party_block_counts_its_own_lines_not_the_rows_the_column_beside_doubles() -> None:
    # xhtml2pdf sets the facts half a line off the address lines: every line of the block
    # has a row of the facts between it and the next, and the IČ DPH is the block's seventh
    # line but the page's thirteenth row under the header
    facts = [
        "Číslo faktúry:      FV2599898",
        "Variabilný symbol:  2599898",
        "Konštantný symbol:  0008",
        "Dátum vystavenia:   9. 6. 2025",
        "Dátum dodania:      8. 6. 2025",
        "Dátum splatnosti:   8. 8. 2025",
    ]
    block = [
        "Dodávateľ",
        "Zuzana Varga",
        "Nám. SNP 93",
        "974 01 Banská Bystrica",
        "IČO: 55927980",
        "DIČ: 2039206334",
        "IČ DPH: SK2039206334",
    ]
    lines = ["FAKTÚRA č. FV2599898"]
    for i, own in enumerate(block):
        lines.append(f"{own:<50}")
        lines.append(
            f"{'':<50}{facts[i]}" if i < len(facts) else f"{'':<50}Objednávka č.:  OBJ-2025-3881"
        )
    lines += ["Odberateľ", "Baláž & Horváth, s. r. o.", "IČO: 38197316", "IČ DPH: SK2042804258"]
    f = extract_fields(Grid.from_text("\n".join(lines)))
    assert (f.supplier.name, f.supplier.ico, f.supplier.dic, f.supplier.ic_dph) == (
        "Zuzana Varga",
        "55927980",
        "2039206334",
        "SK2039206334",
    )
    assert (f.customer.ico, f.customer.ic_dph) == ("38197316", "SK2042804258")


@needs.chromium
def test_invoices_of_several_pages_are_read() -> None:
    from tests.longgen import documents

    tally = Tally.of(documents(12, first_seed=174000))
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.99, tally.bad
    assert tally.accepted >= 11, tally.bad


def test_their_pages_printed_by_weasyprint_and_xhtml2pdf_are_read() -> None:
    for producer in ("weasyprint", "xhtml2pdf"):
        tally = Tally.of(printed(producer, "long", 8, 175000))
        assert tally.wrong == 0, (producer, tally.bad)
        assert tally.ratio >= 0.99, (producer, tally.bad)
        assert tally.accepted >= 7, (producer, tally.bad)


def test_a_date_broken_before_its_year_over_the_next_label_ocr_gives_a_row() -> None:
    # a scan of a narrow value column: "17. července" above its label, "2025" under it, and
    # the label on a row of its own between, where the line would otherwise go on
    f = extract_fields(
        Grid.from_text(
            "Číslo faktury:                    FV2505501\n"
            "Datum vystavení:                  2. června 2025\n"
            "Datum uskutečnění zdanitelného\n"
            "                                  31. května 2025\n"
            "plnění:\n"
            "                                  17. července\n"
            "Datum splatnosti:\n"
            "                                  2025\n"
            "Objednávka č.:                    OBJ-2025-9407\n"
        )
    )
    assert (f.issue_date, f.delivery_date, f.due_date) == (
        date(2025, 6, 2),
        date(2025, 5, 31),
        date(2025, 7, 17),
    )


@needs.chromium
def test_a_scanners_pdf_of_several_pages_is_read_on_every_page() -> None:
    # the parties and dates stand on the first page, the totals and the IBAN on the last:
    # a PDF of JPEG pages with no text layer is read by OCR page by page, as one document
    import pypdfium2 as pdfium

    from parsers.extract import extract_document
    from parsers.fields import as_contract
    from parsers.mime import Attachment, AttachmentKind, sha256_hex
    from tests.longgen import documents
    from tests.photos import scan_pdf

    _, pdf, expected = next(documents(1, first_seed=178001))
    data = scan_pdf(pdf, 178001)
    result = extract_document(
        Attachment(AttachmentKind.PDF, data, sha256_hex(data), "scan.pdf", "application/pdf", "1")
    )
    got = as_contract(result.fields)
    printed_pages = len(pdfium.PdfDocument(pdf))
    assert printed_pages >= 2 and result.pages == printed_pages
    assert "read by OCR" in (result.problem or "")
    for key in ("number", "issue_date", "due_date", "total", "vat", "iban"):
        assert got[key] == expected[key], key
    assert got["customer"]["ico"] == expected["customer"]["ico"]
