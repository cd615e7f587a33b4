"""Invoices from foreign suppliers (tests/foreigngen.py, printed by Chromium) and the reading
rules they need: VAT as summary lines, year-first dates, the number in the title, bare
"Nummer" cells, the customer's VAT id under the supplier's labels, wrapped titles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsers.fields import ExtractedFields, VatRow, extract_fields
from parsers.grid import Grid
from parsers.values import parse_date
from parsers.vocab import DocType
from tests import needs
from tests.docgen import Tally


def _fields(text: str) -> ExtractedFields:
    return extract_fields(Grid.from_text(text))


def _table(*rows: tuple[str, ...]) -> str:
    """Rows of cells in columns 14 characters wide, as a table's columns line up."""
    return "".join("".join(f"{cell:<14}" for cell in row).rstrip() + "\n" for row in rows)


def test_vat_from_summary_lines_under_the_items() -> None:
    one_rate = """FACTURE  F2026-0042
Total HT             19 198,60 EUR
TVA (20 %)            3 839,72 EUR
Montant TTC          23 038,32 EUR
"""
    f = _fields(one_rate)
    assert f.vat == (VatRow("20", Decimal("19198.60"), Decimal("3839.72")),)
    assert f.total == Decimal("23038.32") and f.number == "F2026-0042"
    per_rate = """Faktura VAT  FV/2026/06/126
Wartość netto            8 924,95 EUR
Wartość netto 23 %       3 495,63 EUR
Wartość netto 8 %        5 429,32 EUR
VAT 23%                    803,99 EUR
VAT 8%                     434,35 EUR
Razem do zapłaty        10 163,29 EUR
"""
    assert _fields(per_rate).vat == (
        VatRow("23", Decimal("3495.63"), Decimal("803.99")),
        VatRow("8", Decimal("5429.32"), Decimal("434.35")),
    )


def test_two_rates_with_only_the_net_take_their_bases_from_the_item_lines() -> None:
    text = """SZÁMLA  FV/2026/01/901
Tétel           Mennyiség    Egységár      %      Nettó érték
Toner HP 305A       5     2 345,04 EUR    27%   11 725,20 EUR
Service             3     1 463,27 EUR    27%    4 389,81 EUR
Transport           1     1 488,76 EUR    18%    1 488,76 EUR
Nettó érték     17 603,77 EUR
ÁFA 27 %         4 500,00 EUR
ÁFA 18 %           267,98 EUR
Bruttó összesen  22 371,75 EUR
"""
    assert _fields(text).vat == ()  # 4 500,00 is not 27 % of the 27 % lines: no rows
    good = text.replace("4 500,00", "4 351,05").replace("22 371,75", "22 222,80")
    assert _fields(good).vat == (
        VatRow("27", Decimal("16115.01"), Decimal("4351.05")),
        VatRow("18", Decimal("1488.76"), Decimal("267.98")),
    )


def test_summary_lines_that_do_not_prove_each_other_give_no_rows() -> None:
    text = """Factuur  2026-042
Subtotaal        1.000,00 EUR
BTW 21%            200,00 EUR
Totaal           1.200,00 EUR
"""
    assert _fields(text).vat == ()  # 200 is not 21 % of 1000: a person looks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026.04.16.", date(2026, 4, 16)),
        ("2026. 04. 16.", date(2026, 4, 16)),
        ("2026. április 16.", date(2026, 4, 16)),
        ("3 Jänner 2025", date(2025, 1, 3)),
        ("16 maart 2026", date(2026, 3, 16)),
    ],
)
def test_year_first_and_more_month_names(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_the_number_in_the_title_or_right_under_it_and_a_wrapped_one() -> None:
    assert _fields("Rechnung R0001234567\nDatum  01.02.2026\n").number == "R0001234567"
    assert _fields("SZÁMLA\nFV/2026/01/901\nKelt  2026.01.21.\n").number == "FV/2026/01/901"
    assert _fields("FATTURA INV-2025-\n89983\n").number == "INV-2025-89983"
    assert _fields("Faktura - daňový\ndoklad F2025-1937\n").number == "F2025-1937"  # title wrapped
    assert _fields("FAKTÚRA\n811 01 Bratislava\n").number is None  # an address is no number


def test_a_bare_number_word_takes_its_value_only_from_the_right() -> None:
    assert _fields("Nummer    FV/2026/03/166\n").number == "FV/2026/03/166"
    assert _fields("Nr.   Popis\n1     Služby\n").number is None  # a column of line numbers


def test_vat_id_labels_say_whose_and_never_capture_words() -> None:
    f = _fields(
        """Leverancier                         Klant
De Vries Techniek B.V.              Firma s.r.o.
BTW-nummer: NL850662825B01          BTW-nummer klant: SK2020104735
"""
    )
    assert f.supplier.ic_dph == "NL850662825B01"
    assert f.customer.ic_dph == "SK2020104735"
    assert _fields("Customer\nFirma s.r.o.\nBTW-nummer klant\n").customer.ic_dph is None


def test_a_supply_period_is_no_delivery_date_and_a_wrapped_title_is_read_whole() -> None:
    f = _fields("Rechnung  R-1\nLeistungszeitraum   01.04.2025 - 30.04.2025\n")
    assert f.delivery_date is None
    assert _fields("Leistungsdatum   30.04.2025\n").delivery_date == date(2025, 4, 30)
    wrapped = "Svoboda s.r.o.      OPRAVNÝ DAŇOVÝ\nPraha\n                    DOKLAD 2025001\n"
    assert _fields(wrapped).doc_type is DocType.CREDIT_NOTE


@needs.chromium
def test_foreign_suppliers_invoices_are_read() -> None:
    from tests.foreigngen import documents

    tally = Tally.of(documents(10, first_seed=81000))
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.95, tally.bad


def test_identifiers_in_a_row_of_labels_over_a_row_of_values_keep_their_columns() -> None:
    """A row "IČO | DIČ | IČ DPH" over the values, for each party side by side: each value by the
    column of its own label and party (the customer's DIČ was once the IČO beside it, and the
    supplier's IČ DPH went to the customer)."""
    f = _fields(
        """Faktúra č. 2025001
Dodávateľ                                      Odberateľ
Alfa s.r.o.                                    Firma s.r.o.
IČO          DIČ            IČ DPH             IČO          DIČ            IČ DPH
31333532     2020104735     SK2020104735       35790326     2021234567     SK2021234567
"""
    )
    assert (f.supplier.ico, f.supplier.dic, f.supplier.ic_dph) == (
        "31333532",
        "2020104735",
        "SK2020104735",
    )
    assert (f.customer.ico, f.customer.dic, f.customer.ic_dph) == (
        "35790326",
        "2021234567",
        "SK2021234567",
    )
    stacked = _fields("Dodávateľ:\nAlfa s.r.o.\nIČO:\n31333532\nDIČ:\n2020104735\n")
    assert (stacked.supplier.ico, stacked.supplier.dic) == ("31333532", "2020104735")


def test_labels_wrapped_in_their_header_cells() -> None:
    f = _fields(
        """Faktúra č. 2026001
Dátum          Dátum zdaniteľného     Dátum          Variabilný
vystavenia     plnenia                splatnosti     symbol
1.2.2026       3.2.2026               15.2.2026      2026001
"""
    )
    assert (f.issue_date, f.delivery_date, f.due_date) == (
        date(2026, 2, 1),
        date(2026, 2, 3),
        date(2026, 2, 15),
    )
    assert f.variable_symbol == "2026001"


def test_the_supplier_named_by_its_letterhead_or_sender_line() -> None:
    letterhead = _fields(
        """Sammy Maystone                      INVOICE
smaystone4@fake.com
Bill To:
Taylor Riddel
"""
    )
    assert letterhead.supplier.name == "Sammy Maystone"
    assert letterhead.customer.name == "Taylor Riddel"
    # a window envelope: the address under the sender line, not the web address beside it
    envelope = _fields(
        """Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld          info@kraxi.com
                                                          www.kraxi.com
Papierflieger-Vertriebs-GmbH
Rabattstr. 25
"""
    )
    assert envelope.supplier.name == "Kraxi GmbH"
    assert envelope.customer.name == "Papierflieger-Vertriebs-GmbH"


def test_a_letter_spaced_title_is_read() -> None:
    assert _fields("Lieferant    W A R E N R E C H N U N G\n").doc_type is DocType.INVOICE


def test_a_party_number_is_no_document_number_and_name_labels_give_the_name() -> None:
    f = _fields(
        """Rechnung
Verkäufer
Nummer:     549910
Name:       Lieferant GmbH
Käufer
Nummer:     GE2020211
Name:       Kunden AG Mitte
"""
    )
    assert f.number is None  # a supplier's and a customer's number, no document's
    assert (f.supplier.name, f.customer.name) == ("Lieferant GmbH", "Kunden AG Mitte")


def test_summary_lines_with_label_and_amount_in_one_cell_and_the_number_under_the_title() -> None:
    f = _fields(
        """FAKTÚRA
č. 20260879
Základ dane 23 %: 2 398,26 €
DPH 23 %: 551,60 €
Celková suma na úhradu: 2 949,86 €
"""
    )
    assert f.number == "20260879"
    assert f.vat == (VatRow("23", Decimal("2398.26"), Decimal("551.60")),)
    assert f.total == Decimal("2949.86")


def test_web_shop_summaries_subtotal_and_tax_on_its_base() -> None:
    f = _fields(
        """Northwind Software GmbH             Invoice
Hauptstr. 5
VAT ID: DE136695976                  Invoice #   INV-9012-898
Bill to
Firma s.r.o.
VAT: SK2020104735
Subtotal                             EUR 881.41
Tax (21% on EUR 881.41) EUR 185.10
Amount due                           EUR 1,066.51
"""
    )
    assert f.vat == (VatRow("21", Decimal("881.41"), Decimal("185.10")),)
    assert (f.supplier.name, f.supplier.ic_dph) == ("Northwind Software GmbH", "DE136695976")
    assert f.customer.ic_dph == "SK2020104735" and f.total == Decimal("1066.51")
    one_rate = "Subtotal      100,00 €\nVAT 20%        20,00 €\nTotal         120,00 €\n"
    assert _fields(one_rate).vat == (VatRow("20", Decimal("100.00"), Decimal("20.00")),)


def test_a_german_letter_invoice_with_its_lines_in_one_cell_each() -> None:
    f = _fields(
        """Müller Werkzeuge GmbH · Industriestraße 4 · 70565 Stuttgart
Firma s.r.o.                                   Rechnungsnr.     RE-7159
Hlavná 12                                      Datum            18.04.2026
811 01 Bratislava                              Ihre USt-IdNr.   SK2020104735
Gesamtbetrag netto                     5.211,14 €
zzgl. Umsatzsteuer 19% 990,12 €
Gesamtbetrag brutto 6.201,26 €
Bitte überweisen Sie den Betrag bis zum 02.05.2026.
USt-IdNr.: DE136695976
"""
    )
    assert (f.number, f.issue_date, f.due_date) == ("RE-7159", date(2026, 4, 18), date(2026, 5, 2))
    assert f.total == Decimal("6201.26")
    assert f.vat == (VatRow("19", Decimal("5211.14"), Decimal("990.12")),)
    assert (f.supplier.name, f.supplier.ic_dph) == ("Müller Werkzeuge GmbH", "DE136695976")
    assert (f.customer.name, f.customer.ic_dph) == ("Firma s.r.o.", "SK2020104735")


def test_a_page_of_thousands_of_cells_is_not_paired_cell_by_cell() -> None:
    """Wrapped labels are looked for in label rows only: two rows of 3000 cells each would
    be nine million pairs (a hostile PDF must end read or held, never hang a worker)."""
    row = "  ".join(f"w{i}" for i in range(3000))
    grid = Grid.from_text(f"{row}\n{row}\nFaktúra č. 2026001\n")
    assert len(grid.rows[0]) == 3000 and grid.wrapped == ()
    assert extract_fields(grid).number == "2026001"
    # rows of thousands of bare "Nr." cells on an undated receipt: each cell is no facts
    # head and no receipt line, not a look at every other cell of its row (billions)
    numbers = "  ".join(["Nr."] * 3000)
    receipt = f"POKLADNIČNÝ DOKLAD\n{numbers}\n{numbers}\nUID: O-{'A' * 32}\n"
    f = extract_fields(Grid.from_text(receipt))
    assert f.doc_type is DocType.RECEIPT and f.number is None and f.issue_date is None


def test_the_currency_by_its_label_and_the_amount_left_after_prepayment() -> None:
    f = _fields(
        """Rechnung  RE-47110815
Währung:               GBP
Rechnungssumme Brutto (inkl. USt.)   215,14
Bereits bezahlt                       50,00
Offener Betrag                       165,14
"""
    )
    assert f.currency == "GBP"  # not the EUR the other signs on the page would suggest
    assert f.total == Decimal("165.14")
    assert _fields("Total  2,076.76 €\nResidual  1,453.76 €\n").total == Decimal("1453.76")
    assert _fields("Währung:  XYZ\nTotal  10,00 €\n").currency == "EUR"  # no such code


def test_a_broken_footer_line_is_no_supplier_name() -> None:
    f = _fields(
        """Customer
Firma s.r.o.
MANDATE PT -
FOURNISSEUR SARL au capital de 50 000 EUR - RCS MAVILLE 123 456 782
"""
    )
    assert f.supplier.name is None


def test_a_number_after_several_title_words_and_no_day_for_a_number() -> None:
    proforma = _fields("Proforma invoice 20260758\nSUPPLIER    BUYER\nBeta a.s.    Firma s.r.o.\n")
    assert proforma.doc_type is DocType.PROFORMA_INVOICE and proforma.number == "20260758"
    # a title word glued to the number is part of it
    assert _fields("Invoice Invoice-2025-01\n").number == "Invoice-2025-01"
    # "Korrektur- | Nr." over a date the narrow column broke ("25. Januar | 2026"): no "25"
    broken = "Rechnungskorrektur\nKorrektur-    Rechnungsdatum\nNr.    25. Januar\n        2026\n"
    assert _fields(broken).number is None


def test_a_bare_number_word_heading_a_row_of_facts_and_an_advance_in_german() -> None:
    facts = (
        "Advance payment tax document\n"
        "Number      Date of issue     Payment due\n"
        "20260758    June 22, 2026     July 6, 2026\n"
    )
    f = _fields(facts)
    assert f.number == "20260758" and f.doc_type is DocType.ADVANCE_TAX_DOCUMENT
    # an items table's "Nr." over line numbers, even beside a date column, is no number
    items = "Rechnung\nNr.    Lieferdatum    Artikel\n1      22.06.2026     Papier\n"
    assert _fields(items).number is None
    german = "Rechnung über erhaltene Anzahlung AR-2026-17\nErhaltene Anzahlung   1.230,00 EUR\n"
    advance = _fields(german)
    assert advance.doc_type is DocType.ADVANCE_TAX_DOCUMENT and advance.total == Decimal("1230.00")


def test_german_due_dates_in_payment_terms_and_under_a_column_head() -> None:
    terms = "Rechnung R-1\nZahlbar ohne Abschlag bis    31.12.2025\n"
    assert _fields(terms).due_date == date(2025, 12, 31)
    column = "Rechnung R-2\nBeschreibung    Fälligkeit\nTeilzahlung     29.11.2018\n"
    assert _fields(column).due_date == date(2018, 11, 29)
    for label in ("Fälligkeitstag:", "Fällig zum "):
        assert _fields(f"Rechnung R-3\n{label}01.04.2014\n").due_date == date(2014, 4, 1)


def test_header_labels_wrapped_around_a_centred_neighbour() -> None:
    # a facts table: "Faktura č." centred in its cell stands in a row between the two lines
    # of the other header cells; the bare "Datum" over "vystavení" is also a label
    text = (
        "Faktura\n"
        "                Datum          Datum zdanitelného    Datum          Variabilní\n"
        "Faktura č.\n"
        "                vystavení      plnění                splatnosti     symbol\n"
        "20250746\n"
        "                02.06.2025     02.06.2025            16.06.2025     20250746\n"
    )
    f = _fields(text)
    assert (f.issue_date, f.delivery_date) == (date(2025, 6, 2), date(2025, 6, 2))
    assert f.due_date == date(2025, 6, 16) and f.variable_symbol == "20250746"
    assert f.number == "20250746"


def test_labels_wrapped_over_four_lines_and_dates_wrapped_before_the_year() -> None:
    # narrow columns of a word processor's facts table: a label in four lines, the values
    # under the last line of the longest label, a long date broken before its year
    text = (
        "Faktura\n"
        "Číslo faktury    Datum vystavení    Datum             Datum splatnosti   VS\n"
        "                                    uskutečnění\n"
        "                                    zdanitelného\n"
        "                                    plnění\n"
        "20250384         21.08.2025         21. srpna         4. září            20250384\n"
        "                                    2025              2025\n"
    )
    f = _fields(text)
    assert (f.number, f.variable_symbol) == ("20250384", "20250384")
    assert f.issue_date == date(2025, 8, 21)
    assert (f.delivery_date, f.due_date) == (date(2025, 8, 21), date(2025, 9, 4))


def test_a_tab_line_whose_date_goes_on_at_the_start_of_the_next_line() -> None:
    text = (
        "Faktúra 2025922\n"
        "Dátum vyhotovenia:            8. mája 2025\n"
        "Dátum zdaniteľného plnenia:   8. mája\n"
        "2025\n"
        "Dátum splatnosti:             22. mája 2025\n"
    )
    f = _fields(text)
    assert (f.issue_date, f.delivery_date) == (date(2025, 5, 8), date(2025, 5, 8))
    assert f.due_date == date(2025, 5, 22)
    # a year alone is no date of its own, and a label without a value takes none below
    assert _fields("Faktúra 1\nDátum splatnosti:\n2025\n").due_date is None


def test_a_number_label_overlapping_a_longer_false_one_in_the_title_cell() -> None:
    # "DOKLAD Číslo" (as in "Doklad číslo 12") matches first and leaves no number; the
    # overlapping "Číslo faktúry" after it is the label
    f = _fields(
        "DOBROPIS - OPRAVNÝ DAŇOVÝ DOKLAD Číslo faktúry: 20250298\nPôvodná faktúra: 2025085\n"
    )
    assert f.doc_type is DocType.CREDIT_NOTE
    assert (f.number, f.refers_to) == ("20250298", "2025085")


def test_the_number_beside_the_title_after_the_word_for_number() -> None:
    for title in (
        "FAKTÚRA - DAŇOVÝ DOKLAD        číslo 20250542",
        "Facture        numéro F-2025-77",
    ):
        number = title.split()[-1]
        assert _fields(f"{title}\nDodávateľ:    Odberateľ:\n").number == number
    # a phrase after the word is no number beside the title
    assert _fields("FAKTÚRA        číslo objednávky 2025\n").number is None
    # a number broken after its dash goes on under the title, dashes and all
    wrapped = "Huber GmbH\nWien            RECHNUNG INV-\nUID-Nr.: ATU1    2025-64747\n"
    assert _fields(wrapped).number == "INV-2025-64747"


def test_dates_broken_over_three_lines_and_centred_between_other_cells() -> None:
    # a bordered facts row with its cells centred vertically (five columns): labels and
    # values of two and three lines interleave with their neighbours' rows
    rows = [
        ("", "Invoice", "", "", ""),
        ("", "", "Delivery", "", "Payment"),
        ("Invoice", "", "date", "Variable", ""),
        ("", "date", "", "", "due"),
        ("number", "", "June", "symbol", ""),
        ("", "June 15,", "", "", "June 29,"),
        ("20260355", "", "15,", "20260355", ""),
        ("", "2026", "", "", "2026"),
        ("", "", "2026", "", ""),
    ]
    text = "Tax invoice 20260355\n" + _table(*rows)
    f = _fields(text)
    assert (f.issue_date, f.due_date) == (date(2026, 6, 15), date(2026, 6, 29))
    assert f.delivery_date == date(2026, 6, 15)


def test_a_footer_broken_after_the_vat_id_label() -> None:
    text = (
        "Invoice 20250219\n"
        "Customer\nFirma s.r.o.\nVAT No.: SK2020104735\n"
        "Alfa s.r.o. · Mlynská 5 · 040 01 Košice · Reg. No.: 36582221 · VAT No.:\n"
        "SK2021152023\n"
    )
    assert _fields(text).supplier.ic_dph == "SK2021152023"


def test_the_amount_to_pay_as_the_summed_last_row_of_a_summary_column() -> None:
    head = ("Warenwert", "Nettobetrag", "MwSt-Betrag", "MwSt-%", "Endbetrag")
    rows = [
        ("326,50", "321,40", "61,07", "19,0", "382,47"),
        ("130,70", "127,59", "8,93", "7,0", "136,52"),
    ]
    summed = ("457,20", "448,99", "70,00", "EUR", "518,99")
    assert _fields("Rechnung 7\n" + _table(head, *rows, summed)).total == Decimal("518.99")
    # a last row that is no sum of the rows above proves nothing
    other = ("457,20", "448,99", "70,00", "EUR", "519,99")
    assert _fields("Rechnung 7\n" + _table(head, *rows, other)).total is None


def test_an_unheaded_supplier_beside_the_customer_header_under_the_title() -> None:
    text = (
        "FACTURE F2025-4799\n"
        "Imprimerie du Centre SA           FACTURÉ À\n"
        "12 rue de la Paix                 Firma s.r.o.\n"
        "75002 Paris                       Hlavná 12\n"
        "N° TVA: FR68406867036             811 01 Bratislava\n"
    )
    f = _fields(text)
    assert (f.supplier.name, f.customer.name) == ("Imprimerie du Centre SA", "Firma s.r.o.")
    assert f.supplier.ic_dph == "FR68406867036"
