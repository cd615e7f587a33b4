"""Golden tests: every generated layout and doc type, every field asserted against the truth."""

from __future__ import annotations

import dataclasses

import pytest

from parsers.fields import as_contract, extract_fields
from parsers.grid import Grid
from parsers.pdftext import read_pdf
from parsers.vocab import DocType, Flag
from tests.docgen import LAYOUTS, make_doc

DOC_TYPES = ["invoice", "credit_note", "proforma_invoice", "debit_note", "advance_tax_document"]
CASES = [
    (layout, doc_type, seed) for layout in LAYOUTS for doc_type in DOC_TYPES for seed in (1, 2)
]


@pytest.mark.parametrize(("layout", "doc_type", "seed"), CASES)
def test_generated_document_fields(layout: str, doc_type: str, seed: int) -> None:
    doc = make_doc(seed * 31 + DOC_TYPES.index(doc_type), doc_type=doc_type)
    fields = extract_fields(Grid.from_pdf(read_pdf(LAYOUTS[layout](doc))))
    got = as_contract(fields)
    expected = doc.expected()
    for key, value in expected.items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}"
    assert got["receipt_id"] is None
    assert fields.missing == () and fields.flags == ()


def test_invalid_identifiers_are_flags_not_values() -> None:
    doc = make_doc(5)
    bad = dataclasses.replace(
        doc,
        supplier=dataclasses.replace(doc.supplier, ico="12345678"),
        iban="SK3112000000198742637542",
    )
    fields = extract_fields(Grid.from_pdf(read_pdf(LAYOUTS["sk_columns"](bad))))
    assert fields.supplier.ico == "12345678"  # as printed; the flag says it fails its check
    assert Flag.INVALID_ICO in fields.flags
    assert fields.iban is None and Flag.INVALID_IBAN in fields.flags


def test_unknown_text_gives_missing_fields_not_guesses() -> None:
    fields = extract_fields(Grid.from_text("Dobrý deň,\nposielam niečo.\nSuma 12 kusov\n"))
    assert fields.doc_type is DocType.UNKNOWN
    assert fields.number is None and fields.total is None and fields.supplier.ico is None
    assert set(fields.missing) == {"doc_type", "number", "issue_date", "total", "supplier.ico"}
