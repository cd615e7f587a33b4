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

from tests.docgen import flat
from tests.htmlgen import documents


def test_chromium_printed_invoices_are_read_without_doubled_letters() -> None:
    exact = wrong = total = 0
    bad = []
    for doc, pdf, expected in documents(8, first_seed=31000):
        text = read_pdf(pdf).text
        assert doc.supplier.name in text and "s.r.r.o" not in text  # every glyph once
        result = extract_document(
            Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "f.pdf", "", "1")
        )
        got = flat(as_contract(result.fields))
        for key, value in flat(expected).items():
            total += 1
            if got.get(key) == value:
                exact += 1
            elif got.get(key) not in (None, []):
                wrong += 1
                bad.append(f"{doc.number} {key}: {got.get(key)!r} != {value!r}")
    assert wrong <= 1, bad  # of ~160 fields
    assert exact / total >= 0.9, (exact, total, bad)
