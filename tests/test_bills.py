"""Slovak utility and telecom bills (tests/utilitygen.py, printed by Chromium) and the reading
rules their first run asked for: a sender line parted by commas, its legal form kept with
the name ("Mobilná sieť Slovensko, a.s., Einsteinova 24, 851 01 Bratislava"), the supplier's
identifiers from the legal footer, and a footer broken after "IČ DPH:"."""

from __future__ import annotations

import pytest

from parsers.fields import ExtractedFields, extract_fields
from parsers.grid import Grid
from tests import needs
from tests.docgen import Tally


def _fields(text: str) -> ExtractedFields:
    return extract_fields(Grid.from_text(text))


_BILL = (
    "Mobilná sieť Slovensko\n"
    "{sender}                   Číslo faktúry:      1633800737\n"
    "{broken}\n"
    "Firma s.r.o.                                  Zákaznícke číslo:   43219632\n"
    "Hlavná 12\n"
    "811 01 Bratislava\n"
    "IČO: 35790326, DIČ: 2020104735, IČ DPH: SK2020104735\n"
    "FAKTÚRA - DAŇOVÝ DOKLAD\n"
    "Suma na úhradu     1 088,22 EUR\n"
    "Mobilná sieť Slovensko, a.s., Einsteinova 24, 851 01 Bratislava · IČO: 81047410 · DIČ: 2024709357 · IČ DPH:\n"
    "SK2024709357 · Zapísaná v Obchodnom registri Mestského súdu Bratislava III\n"
)


@pytest.mark.parametrize(
    ("sender", "broken"),
    [
        ("Mobilná sieť Slovensko, a.s., Einsteinova 24, 851 01 Bratislava", ""),
        ("Mobilná sieť Slovensko, a.s., Einsteinova 24, 851", "01 Bratislava"),  # broken
    ],
)
def test_a_bill_with_a_comma_sender_line_and_the_suppliers_ids_in_its_footer(
    sender: str, broken: str
) -> None:
    page = _BILL.format(sender=f"{sender:<27}", broken=broken)
    f = _fields(page if broken else page.replace("\n\n", "\n", 1))
    assert (f.supplier.name, f.supplier.ico, f.supplier.dic, f.supplier.ic_dph) == (
        "Mobilná sieť Slovensko, a.s.",
        "81047410",
        "2024709357",
        "SK2024709357",
    )
    assert (f.customer.name, f.customer.ico, f.customer.ic_dph) == (
        "Firma s.r.o.",
        "35790326",
        "SK2020104735",
    )


def test_a_footers_first_part_names_the_issuer_without_its_address() -> None:
    f = _fields(
        "FAKTÚRA 2026001\n"
        "Odberateľ: Firma s.r.o.\n"
        "Kováč & Tóth, s. r. o., Hlavná 1, 811 01 Bratislava · IČO: 35790326 · Zapísaná v Obchodnom registri\n"
    )
    assert f.supplier.name == "Kováč & Tóth, s. r. o."


@needs.chromium
def test_utility_and_telecom_bills_are_read() -> None:
    from tests.utilitygen import documents

    tally = Tally.of(documents(12, first_seed=154000))
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 10, tally.bad


def test_a_sender_line_ocr_parted_after_a_comma_is_one_line() -> None:
    f = _fields(
        "Plynárenská obchodná spoločnosť\n"
        "Plynárenská obchodná spoločnosť, a.s.,  Mlynské nivy 44/a, 825 11            Faktúra číslo:  5888356836\n"
        "Bratislava                                                                   Variabilný symbol:  5888356836\n"
        "Firma s.r.o.\n"
        "Hlavná 12\n"
        "811 01 Bratislava\n"
    )
    assert (f.supplier.name, f.customer.name) == (
        "Plynárenská obchodná spoločnosť, a.s.",
        "Firma s.r.o.",
    )
