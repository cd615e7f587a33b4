"""Invoices laid out as Polish, Hungarian, Italian and Spanish programs print them
(tests/eastgen.py, printed by Chromium) and the reading rules their first run asked for:
Spanish labels, a credit note's own word before its number, the date in an Italian title, and
a recap's bare "Total" row, whose payable amount is its last one only when the others make it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from parsers.fields import ExtractedFields, extract_fields
from parsers.grid import Grid
from parsers.vocab import DocType
from tests import needs
from tests.docgen import Tally


def _fields(text: str) -> ExtractedFields:
    return extract_fields(Grid.from_text(text))


def test_a_spanish_invoice_by_its_own_words() -> None:
    f = _fields(
        "EMISOR                       DESTINATARIO\n"
        "Suministros Iberia S.L.      Firma s.r.o.\n"
        "Calle de Alcalá 155          Hlavná 12\n"
        "28009 Madrid                 811 01 Bratislava\n"
        "NIF: ESA73407801             NIF-IVA: SK2020104735\n"
        "Factura rectificativa n.º F26/546\n"
        "Fecha de factura:      27/05/2026\n"
        "Fecha de operación:    22/05/2026\n"
        "Vencimiento:           26/06/2026\n"
        "Factura rectificada:   469/2026\n"
        "Total factura: -8.046,54 €\n"
    )
    assert (f.doc_type, f.number, f.refers_to) == (DocType.CREDIT_NOTE, "F26/546", "469/2026")
    assert (f.issue_date, f.delivery_date, f.due_date) == (
        date(2026, 5, 27),
        date(2026, 5, 22),
        date(2026, 6, 26),
    )
    assert (f.supplier.name, f.supplier.ic_dph) == ("Suministros Iberia S.L.", "ESA73407801")
    assert f.total == Decimal("-8046.54")


def test_an_italian_title_with_number_and_date() -> None:
    f = _fields(
        "Nota di credito n. 447/FE del 12-01-2026\n"
        "Scadenza:   19-01-2026\n"  # day first, as the 19 shows
        "Totale documento   -9.411,96 EUR\n"
    )
    assert (f.doc_type, f.number, f.issue_date) == (
        DocType.CREDIT_NOTE,
        "447/FE",
        date(2026, 1, 12),
    )
    polish = _fields("Faktura korygująca nr 12/2026 z dnia 15.03.2026\n")
    assert (polish.number, polish.issue_date) == ("12/2026", date(2026, 3, 15))


def test_a_recaps_bare_total_row_gives_its_gross_or_nothing() -> None:
    recap = (
        "FACTURA 2026-1\n"
        "Tipo IVA   Base imponible   Cuota IVA   Total\n"
        "21%        3.964,10 €       832,46 €    4.796,56 €\n"
        "Total      {}\n"
    )
    summed = _fields(recap.format("3.964,10 €       832,46 €    4.796,56 €"))
    assert summed.total == Decimal("4796.56")  # net + VAT = gross: the last is payable
    unsure = _fields(recap.format("3.964,10 €       832,46 €"))
    assert unsure.total is None  # two amounts that make no third: which is payable?
    assert _fields("FACTURA 1\nTotal   105,00 € (incl. VAT 5,00 €)\n").total == Decimal("105.00")


@needs.chromium
def test_central_and_southern_european_invoices_are_read() -> None:
    from tests.eastgen import documents

    tally = Tally.of(documents(12, first_seed=114000))
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 10, tally.bad


def test_polish_labels_as_ocr_reads_them() -> None:
    """Tesseract's Slovak and Czech models read ł as t, ż as ž, ą as a."""
    f = _fields(
        "SPRZEDAJACY                         NABYWCA\n"
        "Hurtownia Zielińscy Sp. z o.o.      Firma s.r.o.\n"
        "NIP: PL4510662788                   NIP UE: SK2020104735\n"
        "Faktura nr 509/2025\n"
        "Data wystawienia: 25.03.2025\n"
        "Data sprzedažy: 24.03.2025\n"
        "Termin ptatnosci: 01.04.2025\n"
    )
    assert f.supplier.name == "Hurtownia Zielińscy Sp. z o.o."
    assert (f.delivery_date, f.due_date) == (date(2025, 3, 24), date(2025, 4, 1))
