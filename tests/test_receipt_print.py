"""eKasa receipts as shops e-mail them (tests/receiptgen.py, printed by Chromium), and the
reading rules they need: receipt evidence without a title, the date with its time of day, a
UID broken after its dash, a cash register's code that is no number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from parsers.fields import ExtractedFields, VatRow, as_contract, extract_fields
from parsers.grid import Grid
from parsers.pdftext import read_pdf
from parsers.vocab import DocType
from tests import needs
from tests.docgen import Tally

UID = "O-637370BC02379199B293DFE5B91D81B9"


def _fields(text: str) -> ExtractedFields:
    return extract_fields(Grid.from_text(text))


def test_a_receipt_without_a_known_title_is_told_by_its_uid_and_dated_by_its_time() -> None:
    f = _fields(
        "Potraviny Fresh s.r.o.\nIČO: 24296511\nDIČ: 2026425159\nIČDPH: SK2026425159\n"
        "ORP kód: 90000000000093002\nDOKLAD\nČíslo dokladu: 4127\n29.5.2026 9:05\n"
        "Celkom EUR     52,72\nSadzba  Základ  DPH  Spolu\nA 19,00 %  44,30  8,42  52,72\n"
        f"UID dokladu\n{UID}\nOKP:\n000000000000000000000000000000022a4904a6\n"
    )
    assert f.doc_type is DocType.RECEIPT and f.receipt_id == UID
    assert f.issue_date == f.delivery_date == date(2026, 5, 29)  # issued and supplied at once
    assert f.number == "4127" and f.total == Decimal("52.72")
    assert f.vat == (VatRow("19", Decimal("44.30"), Decimal("8.42")),)
    assert f.supplier.ico == "24296511" and not f.flags and not f.missing


def test_a_uid_broken_after_its_dash_is_one_uid_and_no_iban() -> None:
    # "EE77…" after the break starts like an Estonian IBAN: no invalid_iban for it
    uid = "O-EE7736353E9376C309F7D7893A3990B5"
    f = _fields(
        "POKLADNIČNÝ DOKLAD\nKód pokladne: 90000000000093005\nPor. číslo: 790\n"
        "Dátum: 2025-06-29 14:32\nNa úhradu EUR     179,31\n"
        f"Unikátny identifikátor dokladu: O-\n{uid[2:]}\n"
    )
    assert f.receipt_id == uid and not f.flags
    assert f.number == "790"  # "Por. číslo", never the cash register's code under the title
    assert f.total == Decimal("179.31") and f.issue_date == date(2025, 6, 29)


def test_the_time_may_stand_under_the_date() -> None:
    f = _fields("POKLADNIČNÝ DOKLAD\nPor. číslo:    17.03.2026\n8708           14:32:11\n")
    assert f.issue_date == date(2026, 3, 17)
    # an invoice's dates keep needing their labels
    assert _fields("FAKTÚRA 2025001\n17.03.2026  14:32\n").issue_date is None


@needs.chromium
def test_e_mailed_receipts_printed_by_chromium_are_read() -> None:
    from tests.receiptgen import documents

    tally = Tally()
    for doc, pdf, expected in documents(8):
        f = extract_fields(Grid.from_pdf(read_pdf(pdf)))
        tally.add(doc.number, as_contract(f), expected, not f.flags and not f.missing)
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 6, tally.bad
