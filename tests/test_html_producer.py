"""The third producer: HTML invoices printed by a real Chromium (as web invoicing apps make
their PDFs), each from randomised layout choices (tests/htmlgen.py). Chromium places every
glyph on its own, kerned: the text layer must not double or drop characters, and the parties
must be found in sidebars, window envelopes and legal footers."""

from __future__ import annotations

import shutil

import pytest

from parsers.extract import extract_document
from parsers.fields import as_contract
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.pdftext import read_pdf

if not shutil.which("chromium") or not shutil.which("chromedriver"):  # make test installs them
    pytest.skip("chromium and chromium-driver are not installed", allow_module_level=True)

from tests.docgen import Tally, clean
from tests.htmlgen import documents


def test_chromium_printed_invoices_are_read_without_doubled_letters() -> None:
    tally = Tally()
    for doc, pdf, expected in documents(8, first_seed=31000):
        text = read_pdf(pdf).text
        assert doc.supplier.name in text and "s.r.r.o" not in text  # every glyph once
        result = extract_document(
            Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "f.pdf", "", "1")
        )
        tally.add(doc.number, as_contract(result.fields), expected, clean(result.fields))
    assert tally.wrong <= 1, tally.bad  # of ~160 fields
    assert tally.ratio >= 0.9, tally.bad
