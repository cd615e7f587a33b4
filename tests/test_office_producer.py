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
from tests.docgen import flat
from tests.officegen import documents, soffice

if soffice() is None:  # make test installs libreoffice-writer-nogui
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)


def test_word_processor_invoices_converted_by_libreoffice_are_read() -> None:
    exact = wrong = total = accepted = 0
    bad = []
    cases = list(documents(10, first_seed=42000))
    for doc, pdf, expected in cases:
        assert pdfium.PdfDocument(pdf).get_metadata_dict()["Producer"].startswith("LibreOffice")
        assert doc.supplier.name in read_pdf(pdf).text
        result = extract_document(
            Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "f.docx.pdf", "", "1")
        )
        got = flat(as_contract(result.fields))
        right = True
        for key, value in flat(expected).items():
            total += 1
            if got.get(key) == value:
                exact += 1
                continue
            right = False
            if got.get(key) not in (None, []):
                wrong += 1
            bad.append(f"{doc.number} {key}: {got.get(key)!r} != {value!r}")
        accepted += right and not result.fields.flags
    assert wrong == 0, bad  # of ~200 fields
    assert exact / total >= 0.97, (exact, total, bad)
    assert accepted >= 8, bad
