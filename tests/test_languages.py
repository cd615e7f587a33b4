"""Reading what other countries' invoicing programs print: labels in the suppliers' languages,
dates and IBANs in every printed form, letter-by-letter text, window-envelope layouts with no
party headers, and an embedded e-invoice that belongs to another document."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from fpdf import FPDF

from parsers.extract import extract_document
from parsers.fields import as_contract, extract_fields
from parsers.grid import Grid
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.pdftext import read_pdf
from parsers.values import date_readings, find_ibans, parse_amount, parse_date, slash_order
from parsers.vocab import DocType, Flag
from tests.docgen import FONT_DIR, LAYOUTS, make_doc, to_ubl, with_embedded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7. Mai 2014", date(2014, 5, 7)),
        ("24 de noviembre de 2026", date(2026, 11, 24)),  # Spanish, the month between "de"
        ("24. novembra 2026", date(2026, 11, 24)),
        ("3. května 2025", date(2025, 5, 3)),
        ("20 mars 2023", date(2023, 3, 20)),
        ("March 20, 2023", date(2023, 3, 20)),
        ("Jan 1 2022", date(2022, 1, 1)),
        ("8-9-2022", date(2022, 9, 8)),
        ("21.05.14", date(2014, 5, 21)),
        ("03/20/2023", date(2023, 3, 20)),  # the second part cannot be a month
        ("28/11/2022", date(2022, 11, 28)),
        ("2026-11-24", date(2026, 11, 24)),
        ("24.XI.2026", date(2026, 11, 24)),  # a Roman month
        ("24th November 2026", date(2026, 11, 24)),
        ("24-Nov-2026", date(2026, 11, 24)),
        ("1 Feb 2026", date(2026, 2, 1)),  # every month's short English name
        ("Feb 1, 2026", date(2026, 2, 1)),
        ("3 paź 2026", date(2026, 10, 3)),  # Polish, Italian, Hungarian short names
        ("3 mag 2026", date(2026, 5, 3)),
        ("2026. febr. 3.", date(2026, 2, 3)),
        ("24 listopada 2026", date(2026, 11, 24)),  # Polish genitive
        ("3 okt. 2025", date(2025, 10, 3)),
        ("12 déc. 2025", date(2025, 12, 12)),
        ("Seite 1 von 2", None),
        ("1.234,56", None),
    ],
)
def test_dates_in_printed_forms(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 210,- Kč", (Decimal("1210"), "CZK")),  # whole crowns, as Czech prints write them
        ("1.234,-", (Decimal("1234"), None)),
        ("CHF 1’234.50", (Decimal("1234.50"), "CHF")),  # not 1.00: a typographic apostrophe
        ("1 234,56 €", (Decimal("1234.56"), "EUR")),
        ("12 ks", None),  # a quantity, not money
    ],
)
def test_amounts_in_printed_forms(text: str, expected: tuple[Decimal, str | None] | None) -> None:
    assert parse_amount(text) == expected


def test_a_whole_crown_total_is_a_two_place_decimal_string_in_the_contract() -> None:
    text = "Faktura 2025001\nCelkem k úhradě:    1 210,- Kč\n"
    got = as_contract(extract_fields(Grid.from_text(text)))
    assert (got["total"], got["currency"]) == ("1210.00", "CZK")  # CONTRACT: two places


def test_an_ambiguous_slashed_date_is_read_only_when_the_page_tells_the_order() -> None:
    assert slash_order(["Invoice Date 03/20/2023", "Due 04/04/2023"]) == "mdy"
    assert slash_order(["Date 28/11/2022", "Due 05/12/2022"]) == "dmy"
    assert slash_order(["Date 11/03/2017"]) == "unsure"
    assert parse_date("04/05/2023", "mdy") == date(2023, 4, 5)
    assert parse_date("04/05/2023", "dmy") == date(2023, 5, 4)
    assert parse_date("04/05/2023", "unsure") is None
    assert date_readings("11/03/2017") == {date(2017, 3, 11), date(2017, 11, 3)}


def test_an_iban_printed_in_bank_groups() -> None:
    text = "Virement    IBAN : FR76 10107 00245 00617052317 39 - BIC : BREDFRPP"
    assert find_ibans(text)[0] == "FR7610107002450061705231739"


INVOICES = {
    "de": """Rechnung
Rechnungsnummer:   R-2026-0042
Rechnungsdatum:   24. November 2026
Fälligkeitsdatum:   08.12.2026
Gesamtbetrag:   1.190,00 €
""",
    "fr": """Facture n° FA-2026-17
Date de facture :   24/11/2026
Date d'échéance :   24/12/2026
Net à payer :   1 190,00 €
""",
    "nl": """Factuur
Factuurnummer:   VF100519
Factuurdatum:   24-11-2026
Vervaldatum:   8-12-2026
Te betalen:   € 1.190,00
""",
    "it": """Fattura
Numero fattura:   2026/117
Data fattura:   24/11/2026
Data scadenza:   24/12/2026
Totale da pagare:   1.190,00 €
""",
    "hu": """Számla
Számla sorszáma:   SZ-2026-88
Számla kelte:   2026-11-24
Fizetési határidő:   2026-12-08
Fizetendő összeg:   1 190,00 EUR
""",
    "pl": """Faktura VAT
Numer faktury:   FV/2026/11/7
Data wystawienia:   24.11.2026
Termin płatności:   08.12.2026
Do zapłaty:   1 190,00 EUR
""",
}


@pytest.mark.parametrize("language", sorted(INVOICES))
def test_labels_in_the_suppliers_languages(language: str) -> None:
    fields = extract_fields(Grid.from_text(INVOICES[language]))
    assert fields.doc_type is DocType.INVOICE
    assert fields.number and fields.number[-1].isdigit()
    assert fields.issue_date == date(2026, 11, 24)
    assert fields.due_date in (date(2026, 12, 8), date(2026, 12, 24))
    assert fields.total == Decimal("1190.00")


def test_a_net_total_is_not_the_amount_to_pay() -> None:
    grid = Grid.from_text(
        "Rechnung Nr. 7\nGesamtbetrag netto:   1.000,00 €\nZu zahlen:   1.190,00 €\n"
    )
    assert extract_fields(grid).total == Decimal("1190.00")


def test_window_envelope_sender_line_names_the_parties() -> None:
    """No "Lieferant"/"Kunde" headers: the sender line above the address and the address."""
    text = """QualityHosting AG - Uferweg 40-42 - D-63571 Gelnhausen
iViveLabs Ltd.
93B Sai Yu Chung
Rechnung
Rechnungsnr.   30064443
Rechnungsdatum   7. Mai 2014
Total EUR   34,73
UStId DE 232 446 240     Ihre USt-IdNr. ATU12345675
"""
    fields = extract_fields(Grid.from_text(text))
    assert fields.supplier.name == "QualityHosting AG"
    assert fields.supplier.ic_dph == "DE232446240"  # not the one introduced as the reader's
    assert fields.customer.name == "iViveLabs Ltd."
    assert (fields.number, fields.total) == ("30064443", Decimal("34.73"))


def test_a_ship_to_column_is_not_the_customer() -> None:
    text = "Invoice INV-1\nBill To:        Ship To:\nPayment Terms:   Net 30\nTaylor Riddel   Taylor's Store\n"
    assert extract_fields(Grid.from_text(text)).customer.name == "Taylor Riddel"


def test_text_placed_letter_by_letter() -> None:
    """wkhtmltopdf places every glyph on its own: words must come back whole."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=11)
    x = 20.0
    for word in ("Balance", "Due:", "$127.50"):
        for ch in word:
            pdf.text(x, 40, ch)
            x += pdf.get_string_width(ch) + 0.05
        x += pdf.get_string_width(" ")
    lines = Grid.from_pdf(read_pdf(bytes(pdf.output()))).lines
    assert lines == ("Balance Due: $127.50",)


def test_an_embedded_e_invoice_of_another_document_is_not_read() -> None:
    page_doc = make_doc(21, number="2026021")
    other = make_doc(22, number="2019999")
    pdf = with_embedded(LAYOUTS["sk_columns"](page_doc), "factur-x.xml", to_ubl(other))
    doc = extract_document(
        Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "f.pdf", "application/pdf", "2")
    )
    assert Flag.STRUCTURED_MISMATCH in doc.fields.flags
    assert doc.fields.number == "2026021"
    assert f"{doc.fields.total:.2f}" == page_doc.expected()["total"]
    assert "another document" in (doc.problem or "")


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_by_its_english_names_in_both_orders(month: int) -> None:
    import calendar

    for name in (calendar.month_abbr[month], calendar.month_name[month]):
        assert parse_date(f"3 {name} 2026") == date(2026, month, 3), name
        assert parse_date(f"{name} 3, 2026") == date(2026, month, 3), name


# Labels as programs abbreviate them in narrow columns (Money S3, Pohoda, KROS prints)
_ABBREVIATED = [
    ("issue_date", "Dát. vyhotovenia"),
    ("issue_date", "Dat. vystavení"),
    ("issue_date", "Dátum vyst."),
    ("issue_date", "Vystavená"),
    ("issue_date", "Vyhotovené"),
    ("delivery_date", "Datum zdanit. plnění"),
    ("delivery_date", "Dat. uskut. zdan. plnění"),
    ("delivery_date", "Datum zd. plnění"),
    ("delivery_date", "Dát. dodania"),
    ("delivery_date", "DZP"),
    ("delivery_date", "Den uskutečnění zdanitelného plnění"),
    ("due_date", "Datum splat."),
    ("due_date", "Dát. splat."),
]


@pytest.mark.parametrize(("key", "label"), _ABBREVIATED)
def test_abbreviated_date_labels(key: str, label: str) -> None:
    f = extract_fields(Grid.from_text(f"FAKTÚRA 2026001\n{label}: 12.03.2026\n"))
    dates = {"issue_date": f.issue_date, "delivery_date": f.delivery_date, "due_date": f.due_date}
    assert dates == {k: date(2026, 3, 12) if k == key else None for k in dates}


@pytest.mark.parametrize(
    "label",
    ["K platbě", "Čiastka na úhradu", "Zbývá zaplatit", "Celková cena s DPH", "Cena celkem s DPH"],
)
def test_more_labels_of_the_amount_to_pay(label: str) -> None:
    f = extract_fields(Grid.from_text(f"FAKTÚRA 2026001\nCena celkem\n{label}:   1 234,56 €\n"))
    assert f.total == Decimal("1234.56")


@pytest.mark.parametrize("label", ["Č. faktúry", "Čís. dokladu", "Fakt. č.", "Č. dokladu"])
def test_abbreviated_number_labels(label: str) -> None:
    f = extract_fields(Grid.from_text(f"{label} 2026001\nSpolu k úhrade:  1 234,56 €\n"))
    assert f.number == "2026001"


_TWO_PARTIES = (
    "FAKTÚRA 2026001\n{supplier:<40}{customer}\n"
    "Alfa Stav s.r.o.                        Beta Obchod s.r.o.\n"
    "Hlavná 1                                Dlhá 2\n"
    "811 01 Bratislava                       040 01 Košice\n"
    "IČO: 35790326                           IČO: 31333532\n"
    "Spolu k úhrade:  1 234,56 €\n"
)


@pytest.mark.parametrize(
    ("supplier", "customer"),
    [
        ("Dodávateľ tovaru:", "Zákazník:"),
        ("Dodávateľ - predávajúci:", "Odberateľ (fakturačná adresa):"),
        ("Zhotoviteľ:", "Objednávateľ:"),
        ("Vystavovateľ:", "Príjemca faktúry:"),
        ("Poskytovatel služeb:", "Odběratel - fakturační adresa:"),
        ("Dodavatel:", "Plátce:"),
        ("Dodávateľ:", "Adresát:"),
    ],
)
def test_party_headers_with_what_they_supply_or_another_name(supplier: str, customer: str) -> None:
    f = extract_fields(Grid.from_text(_TWO_PARTIES.format(supplier=supplier, customer=customer)))
    assert (f.supplier.name, f.supplier.ico) == ("Alfa Stav s.r.o.", "35790326")
    assert (f.customer.name, f.customer.ico) == ("Beta Obchod s.r.o.", "31333532")


@pytest.mark.parametrize(
    "ship_to", ["Konečný příjemce", "Konečný príjemca", "Místo dodání", "Miesto určenia"]
)
def test_a_final_recipient_under_the_customer_lends_it_no_identifier(ship_to: str) -> None:
    f = extract_fields(
        Grid.from_text(
            f"FAKTURA 2026001\n{'Dodavatel:':<40}Odběratel:\n{'Alfa Stav s.r.o.':<40}Beta Obchod s.r.o.\n"
            f"{'Hlavní 1':<40}Dlouhá 2\n{'110 00 Praha 1':<40}602 00 Brno\n{'IČ: 35790326':<40}\n"
            f"{'':<40}{ship_to}:\n{'':<40}Gama Sklad s.r.o.\n{'':<40}Krátká 3\n"
            f"{'':<40}602 00 Brno\n{'':<40}IČ: 31333532\nCelkem k úhradě:  1 234,56 Kč\n"
        )
    )
    assert (f.customer.name, f.customer.ico) == ("Beta Obchod s.r.o.", None)


_SUPPLIER_IDS = "FAKTÚRA 2026001\nDodávateľ:\nAlfa s.r.o.\nHlavná 1\n811 01 Bratislava\n{ids}\nSpolu k úhrade: 10,00 €\n"


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ("IČO/DIČ: 35790326/2020104735", ("35790326", "2020104735", None)),
        (
            "IČO / DIČ / IČ DPH: 35790326 / 2020104735 / SK2020104735",
            ("35790326", "2020104735", "SK2020104735"),
        ),
        ("DIČ/IČ DPH: 2020104735/SK2020104735", (None, "2020104735", "SK2020104735")),
        ("IČ/DIČ: 27809901/CZ27809901", ("27809901", "CZ27809901", None)),
        # one value under two labels: the one its shape says, never the other
        ("IČO/DIČ: 35790326", ("35790326", None, None)),
        ("DIČ/IČ DPH: SK2020104735", (None, None, "SK2020104735")),
        ("Identifikačné číslo: 35790326", ("35790326", None, None)),
        ("Daňové identifikačné číslo: 2020104735", (None, "2020104735", None)),
        ("Identifikačné číslo pre DPH: SK2020104735", (None, None, "SK2020104735")),
    ],
)
def test_identifiers_under_one_label_or_written_out(
    ids: str, expected: tuple[str | None, ...]
) -> None:
    s = extract_fields(Grid.from_text(_SUPPLIER_IDS.format(ids=ids))).supplier
    assert (s.ico, s.dic, s.ic_dph) == expected


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("Faktura nr: F 1234K20/1234/12", "F 1234K20/1234/12"),
        ("Faktúra číslo: FV 12/2026", "FV 12/2026"),
        ("Číslo faktúry: 2026-0012", "2026-0012"),
    ],
)
def test_a_number_series_printed_apart_from_its_number(line: str, number: str) -> None:
    f = extract_fields(
        Grid.from_text(f"{line}\nDodávateľ:\nAlfa s.r.o.\nSpolu k úhrade: 10,00 €\n")
    )
    assert f.number == number


def test_the_value_beside_a_party_header_is_the_party_and_polish_totals_are_read() -> None:
    f = extract_fields(
        Grid.from_text(
            "Faktura VAT nr FV 7/2026\n"
            "Sprzedawca:      ALFA SP. Z O.O.\n"
            "                 ul. Długa 1, 00-001 Warszawa\n"
            "Nabywca:         GŁÓWNY URZĄD STATYSTYCZNY\n"
            "                 al. Niepodległości 208, 00-925 Warszawa\n"
            "Cena             Ilość             Wartość\n"
            "100,00           1                 100,00\n"
            "Należność ogółem:       123,00 PLN\n"
        )
    )
    assert f.customer.name == "GŁÓWNY URZĄD STATYSTYCZNY"
    assert (f.total, f.currency) == (Decimal("123.00"), "PLN")
