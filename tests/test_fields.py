"""Golden tests: every generated layout and doc type, every field asserted against the truth."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal

import pytest

from parsers.fields import as_contract, extract_fields
from parsers.grid import Grid
from parsers.pdftext import read_pdf
from parsers.vocab import DocType, Flag
from tests.conftest import SHARED_CORPUS
from tests.docgen import HELD_OUT, LAYOUTS, Item, make_doc, make_receipt, prepare, render_receipt

DOC_TYPES = ["invoice", "credit_note", "proforma_invoice", "debit_note", "advance_tax_document"]
CASES = [
    (layout, doc_type, seed) for layout in LAYOUTS for doc_type in DOC_TYPES for seed in (1, 2)
]


@pytest.mark.parametrize(("layout", "doc_type", "seed"), CASES)
def test_generated_document_fields(layout: str, doc_type: str, seed: int) -> None:
    doc = prepare(layout, make_doc(seed * 31 + DOC_TYPES.index(doc_type), doc_type=doc_type))
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
    # printed after its label: kept as printed, and flagged (like an IČO failing its check)
    assert fields.iban == "SK3112000000198742637542" and Flag.INVALID_IBAN in fields.flags


def test_unknown_text_gives_missing_fields_not_guesses() -> None:
    fields = extract_fields(Grid.from_text("Dobrý deň,\nposielam niečo.\nSuma 12 kusov\n"))
    assert fields.doc_type is DocType.UNKNOWN
    assert fields.number is None and fields.total is None and fields.supplier.ico is None
    assert set(fields.missing) == {"doc_type", "number", "issue_date", "total", "supplier.id"}


@pytest.mark.parametrize("seed", range(8))
def test_generated_receipt_fields(seed: int) -> None:
    doc = make_receipt(seed)
    fields = extract_fields(Grid.from_pdf(read_pdf(render_receipt(doc))))
    got = as_contract(fields)
    for key, value in doc.expected().items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}"
    assert fields.doc_type is DocType.RECEIPT and fields.missing == () and fields.flags == ()


def _printout_text(raw: bytes) -> str:
    """An ESC/POS printer stream as the text a person sees on the paper."""
    text = raw.decode("utf-8", errors="replace")
    text = re.sub(r"\x1b.[\x00-\x1f]?", "", text)  # ESC n [param]
    text = re.sub(r"\x1d\(k[^\n]*", "", text)  # GS ( k: the QR code command and its payload
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)


def test_public_ekasa_receipt_printout() -> None:
    """The public eKasa sample (read from ../shared/corpus, never copied: no licence)."""
    path = SHARED_CORPUS / "sk_ekasa_receipt_printout_2025.txt"
    if not path.exists():
        pytest.skip("../shared/corpus is not present")
    expected = json.loads(
        path.with_name("sk_ekasa_receipt_printout_2025.expected.json").read_text()
    )
    fields = extract_fields(Grid.from_text(_printout_text(path.read_bytes())))
    got = as_contract(fields)
    for key, value in expected.items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}"
    # test data with a made-up IČO and IČ DPH: kept as printed, flagged
    assert set(fields.flags) == {Flag.INVALID_ICO, Flag.INVALID_IC_DPH}


@pytest.mark.parametrize("layout", sorted(HELD_OUT))
def test_held_out_layouts_are_never_wrong(layout: str) -> None:
    """Layouts the extractor was not developed on: a field may stay empty (a person fills it),
    but a filled field must be right."""
    exact = total = 0
    for i, doc_type in enumerate(DOC_TYPES * 2):
        doc = prepare(layout, make_doc(9000 + i, doc_type=doc_type))
        got = as_contract(extract_fields(Grid.from_pdf(read_pdf(HELD_OUT[layout](doc)))))
        for key, value in doc.expected().items():
            total += 1
            exact += got[key] == value
            assert got[key] in (value, None), f"{doc_type} {key}: {got[key]!r} != {value!r}"
    assert exact / total >= 0.95


def test_multi_page_invoice() -> None:
    items = tuple(
        Item(f"Položka {k}", Decimal(k % 4 + 1), Decimal(10 + k), (23, 19, 5)[k % 3])
        for k in range(90)
    )
    doc = dataclasses.replace(make_doc(77), items=items)
    pdf = read_pdf(LAYOUTS["rl_multipage"](doc))
    assert pdf.page_count >= 2
    got = as_contract(extract_fields(Grid.from_pdf(pdf)))
    for key, value in doc.expected().items():
        assert got[key] == value, f"{key}: {got[key]!r} != {value!r}"


def test_label_variants_from_other_programs() -> None:
    text = """Faktura - daňový doklad          Číslo: 2025/0815
Dodavatel:                        Odběratel:
Alfa s.r.o.                       Beta a.s.
IČ: 36582221                      IČ: 35790326
DIČ: CZ36582221                   DIČ: CZ35790326
Datum vystavení: 03.02.2025       Datum zdanitelného plnění: 31.01.2025
Splatné dňa: 17.02.2025           Variabilní symbol: 20250815
Cena celkem        Základ     DPH
21 %               1 000,00   210,00
K zaplacení:  1 210,00 Kč
Vystavil: Ján Novák
"""
    f = extract_fields(Grid.from_text(text))
    assert (f.number, f.variable_symbol, f.currency) == ("2025/0815", "20250815", "CZK")
    assert (str(f.issue_date), str(f.delivery_date), str(f.due_date)) == (
        "2025-02-03",
        "2025-01-31",
        "2025-02-17",
    )
    assert f.total == Decimal("1210.00") and [(r.rate, r.base, r.vat) for r in f.vat] == [
        ("21", Decimal("1000.00"), Decimal("210.00"))
    ]
    assert (f.supplier.name, f.supplier.ico, f.supplier.dic) == (
        "Alfa s.r.o.",
        "36582221",
        "CZ36582221",
    )
    assert (f.customer.name, f.customer.ico) == ("Beta a.s.", "35790326")


def test_the_issuer_is_named_by_its_legal_footer_when_no_block_is_headed() -> None:
    page = "\n".join(
        [
            "ALEXINUX",
            "27 rue Henri Rolland",
            "69100 Villeurbanne",
            "Facture n° 2022089083",
            "Date : 28/11/2022",
            "Total TTC :    56,02 €",
            "NETPRESSE",
            "Sarl au capital de 10 000€ - RCS Paris B 530 848 134",
        ]
    )
    fields = extract_fields(Grid.from_text(page))
    assert fields.supplier.name == "NETPRESSE"
    assert fields.customer.name is None  # an unheaded address block could be either party
    titled = page.replace("NETPRESSE", "FACTURE")
    assert extract_fields(Grid.from_text(titled)).supplier.name is None  # a title is no name


def test_lost_decimal_points_are_restored_only_when_the_arithmetic_proves_them() -> None:
    from parsers.fields import ExtractedFields, VatRow, with_decimal_points

    read = ExtractedFields(
        total=Decimal("108.15"), vat=(VatRow("5", Decimal("103.00"), Decimal("515")),)
    )
    fixed = with_decimal_points(read)
    assert fixed is not None and fixed.vat == (VatRow("5", Decimal("103.00"), Decimal("5.15")),)
    wrong_total = ExtractedFields(total=Decimal("999.99"), vat=read.vat)
    assert with_decimal_points(wrong_total) is None  # nothing proves any reading
    many = tuple(VatRow(str(r), Decimal("100"), Decimal("100")) for r in range(1, 40))
    assert with_decimal_points(ExtractedFields(total=Decimal("1"), vat=many)) is None  # bounded


def test_a_dic_that_is_not_the_digits_of_its_slovak_vat_id_is_left_out() -> None:
    """A scan read "IČO: 88491421 / DIČ: 2049652638" as "IČO:DIČ: 88491421" over the DIČ: the
    IČO went to the DIČ. A Slovak IČ DPH is "SK" and the DIČ, so one that disagrees is no
    DIČ of this party; one that agrees stays."""
    text = (
        "Faktúra 2025001\n"
        "Dodávateľ:                         Odberateľ:\n"
        "Tlačiareň s.r.o.                   Beta a.s.\n"
        "IČO:DIČ: 88491421                  IČO: 36582221\n"
        "2049652638                         DIČ: 2020123456\n"
        "IČ DPH: SK2049652638               IČ DPH: SK2020123456\n"
    )
    f = extract_fields(Grid.from_text(text))
    assert f.supplier.dic is None and f.supplier.ic_dph == "SK2049652638"
    assert (f.customer.ico, f.customer.dic) == ("36582221", "2020123456")
    # one digit apart is its own DIČ misprinted (or misread: OCR puts it right), kept as printed
    typo = extract_fields(Grid.from_text(text.replace("DIČ: 2020123456", "DIČ: 2020123457")))
    assert typo.customer.dic == "2020123457"
