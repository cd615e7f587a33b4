"""German letter invoices printed by dinbrief, a DIN 5008 letter library nobody here wrote
(tests/dingen.py), read on seeds no fix was made on; and the rules they taught."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from parsers.fields import extract_fields
from parsers.grid import Grid
from tests.docgen import Tally


def test_letter_invoices_of_a_din_5008_library_are_read() -> None:
    from tests.dingen import documents

    tally = Tally.of(documents(16, first_seed=192000))
    assert tally.wrong == 0, tally.bad
    # what stays empty: the VAT rows of a two-rate letter, whose bases are not printed
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 10, tally.bad


_LETTER = (
    "Rechnungsnummer: {number}\n"
    "Kundennummer: 34687\n"
    "Lieferdatum: 06.08.2025\n"
    "USt-IdNr.: DE136695976\n"
    "Technik Becker e.K. · Hauptstraße 43 · 80331 München\n"
    "KRÜGER TECHNIK AG\n"
    "Gartenweg 114\n"
    "10115 Berlin\n"
    "Rechnung Nr. {number}{letter_date}\n"
    "#      Description                 Date          Unit Price     Quantity     Line Total\n"
    "1      Softwarelizenz              2025-08-04    638.10 €       8.00         5104.80 €\n"
    "Sum (net)    5104.80 €\n"
    "+19% VAT    969.91 €\n"
    "Sum (gross)    6074.71 €\n"
)


def test_a_letter_s_date_beside_its_subject_is_the_issue_date_not_the_items_date_column() -> None:
    f = extract_fields(
        Grid.from_text(_LETTER.format(number="R6341485", letter_date="            08.08.2025"))
    )
    assert (f.issue_date, f.delivery_date) == (date(2025, 8, 8), date(2025, 8, 6))
    assert (f.total, f.vat[0].base, f.vat[0].vat) == (
        Decimal("6074.71"),
        Decimal("5104.80"),
        Decimal("969.91"),
    )


def test_a_letter_with_no_date_has_none_the_items_date_column_and_delivery_date_are_not_it() -> (
    None
):
    f = extract_fields(Grid.from_text(_LETTER.format(number="R6341485", letter_date="")))
    assert f.issue_date is None


def test_a_letter_s_place_and_date() -> None:
    f = extract_fields(
        Grid.from_text(
            _LETTER.format(number="R6341485", letter_date="").replace(
                "KRÜGER", "München, den 08.08.2025\nKRÜGER"
            )
        )
    )
    assert f.issue_date == date(2025, 8, 8)


def test_a_due_date_written_like_a_letter_s_date_is_no_issue_date() -> None:
    page = _LETTER.format(number="R6341485", letter_date="").replace(
        "KRÜGER", "Zahlbar bis, 20.08.2025\nKRÜGER"
    )
    assert extract_fields(Grid.from_text(page)).issue_date is None
