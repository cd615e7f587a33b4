"""Invoices printed by @h1dd3nsn1p3r/pdf-invoice, a Node.js library over pdfmake nobody here
wrote (tests/nodegen.py), read on seeds no fix was made on; and the rules they taught."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsers.fields import extract_fields
from parsers.grid import Grid
from tests import needs
from tests.docgen import Tally


@needs.node_producers
def test_invoices_of_a_node_js_library_are_read() -> None:
    from tests.nodegen import documents

    tally = Tally.of(documents(16, first_seed=202000))
    assert tally.wrong == 0, tally.bad
    # what stays empty: the VAT rows of items of two rates, whose split is not printed
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 11, tally.bad


_SHOP = (
    "Logistik Hoffmann GmbH                          I N V O I C E\n"
    "Bahnhofstraße 20, 20095 Hamburg                 Ref no: #39286\n"
    "VAT ID: DE136695976                             Date: {date}\n"
    "                                                Due Date: {due}\n"
    "Bill To\n"
    "{person}\n"
    "{company}\n"
    "Nám. SNP 100, 811 01 Bratislava\n"
    "Item                Qty    Price        Tax    Discount    Total\n"
    "Consulting          1      €3,526.04    {rate}    -           €4,231.25\n"
    "Domain              12     €10.00       20%    -           €144.00\n"
    "Subtotal     €4,375.25\n"
    "Total Tax    €729.21\n"
    "Grand Total  €4,375.25\n"
)


def _shop(**kw: str) -> str:
    values = {
        "date": "29/12/2025",
        "due": "12/01/2026",
        "person": "Ján Novák",
        "company": "Stavebniny Lukáč s.r.o.",
        "rate": "20%",
    }
    return _SHOP.format(**{**values, **kw})


def test_one_rate_under_the_items_tax_column_and_the_tax_total_make_the_vat_row() -> None:
    f = extract_fields(Grid.from_text(_shop()))
    assert f.number == "39286"
    assert f.total == Decimal("4375.25")
    assert [(r.rate, r.base, r.vat) for r in f.vat] == [
        ("20", Decimal("3646.04"), Decimal("729.21"))
    ]


def test_items_of_two_rates_give_no_vat_row_and_say_vat_is_missing() -> None:
    f = extract_fields(Grid.from_text(_shop(rate="23%")))
    assert f.vat == ()
    assert "vat" in f.missing


def test_a_contact_person_over_the_company_is_not_the_customer_s_name() -> None:
    assert extract_fields(Grid.from_text(_shop())).customer.name == "Stavebniny Lukáč s.r.o."
    f = extract_fields(Grid.from_text(_shop(company="Kollár & Šimko, spol. s r.o.")))
    assert f.customer.name == "Kollár & Šimko, spol. s r.o."
    # a name a narrow column broke before its legal form stays one name
    f = extract_fields(Grid.from_text(_shop(person="Technik Becker", company="GmbH")))
    assert f.customer.name == "Technik Becker GmbH"


def test_unpadded_slashed_dates_are_us_software_s_whoever_issues_them() -> None:
    # a German issuer, its valid VAT id: 12/01/2026 is day first; 7/9/2025 is not known
    f = extract_fields(Grid.from_text(_shop(date="07/09/2025", due="08/08/2025")))
    assert f.issue_date == date(2025, 9, 7)
    f = extract_fields(Grid.from_text(_shop(date="7/9/2025", due="8/8/2025")))
    assert f.issue_date is None


def test_a_date_whose_year_went_to_the_next_line() -> None:
    page = (
        "Lukáč & Lukáč, spol. s r.o.                 F A K T Ú R A\n"
        "Mierová 88, 974 01 Banská Bystrica          Číslo: #2025-8980\n"
        "IČ DPH: SK2020104735                        Dátum vystavenia: 6. 5.\n"
        "                                            2025\n"
        "                                            Dátum splatnosti: 13. 5.\n"
        "                                            2025\n"
    )
    f = extract_fields(Grid.from_text(page))
    assert (f.number, f.issue_date, f.due_date) == (
        "2025-8980",
        date(2025, 5, 6),
        date(2025, 5, 13),
    )


@pytest.mark.parametrize(
    ("lines", "name"),
    [
        # pdfmake breaks a long name in the supplier's column; the right column's line between
        (
            [
                "PROCHÁZKA REKLAMA spol. s",
                "                            Číslo: #INV-2025693",
                "r.o.",
            ],
            "PROCHÁZKA REKLAMA spol. s r.o.",
        ),
        (["Ing. Katarína Varga -", "Drevovýroba"], "Ing. Katarína Varga - Drevovýroba"),
    ],
)
def test_a_supplier_name_broken_by_its_column(lines: list[str], name: str) -> None:
    page = "\n".join(
        [
            *lines,
            "Záhradná 72, 040 01 Košice",
            "IČ DPH: SK2020104735",
            "Odberateľ:",
            "Beta Obchod s.r.o.",
            "Spolu na úhradu: 10,00 €",
        ]
    )
    assert extract_fields(Grid.from_text(page)).supplier.name == name


def test_a_name_ending_in_its_legal_form_and_a_comma_takes_no_next_line() -> None:
    page = "Alfa Stav s.r.o.,\nSlovensko\nIČ DPH: SK2020104735\nOdberateľ:\nBeta s.r.o.\n"
    assert extract_fields(Grid.from_text(page)).supplier.name == "Alfa Stav s.r.o."
