"""The fourth producer: invoices typed in a word processor (python-docx) and converted to PDF
by a real LibreOffice (tests/officegen.py), as Word-made invoices are. Their facts are tab
lines, their letterhead and legal footer sit in the page's header and footer, their narrow
table columns wrap labels over several lines and dates before the year."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from parsers.extract import extract_document
from parsers.fields import as_contract
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.pdftext import read_pdf
from tests.docgen import Tally
from tests.officegen import documents, soffice

if soffice() is None:  # make test installs libreoffice-writer-nogui
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)


def test_word_processor_invoices_converted_by_libreoffice_are_read() -> None:
    tally = Tally()
    for doc, pdf, expected in documents(10, first_seed=42000):
        assert pdfium.PdfDocument(pdf).get_metadata_dict()["Producer"].startswith("LibreOffice")
        assert doc.supplier.name in read_pdf(pdf).text
        result = extract_document(
            Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "f.docx.pdf", "", "1")
        )
        tally.add(doc.number, as_contract(result.fields), expected, not result.fields.flags)
    assert tally.wrong == 0, tally.bad  # of ~200 fields
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 8, tally.bad
