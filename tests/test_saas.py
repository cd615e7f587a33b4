"""Invoices of online services and shops (tests/saasgen.py, printed by Chromium) and the
reading rules their first run asked for: a net "excluding tax", a VAT line on its base "auf"
it, a window address with the customer's VAT id and a sender line the window broke, a bare
VAT id under an address, a minus before the currency, a German "Gutschrift" that refunds,
and a VAT line no rows were read from, which leaves `vat` missing instead of empty."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parsers.fields import ExtractedFields, VatRow, extract_fields, missing_required
from parsers.grid import Grid
from parsers.values import amounts_in, parse_amount
from parsers.vocab import DocType
from tests import needs
from tests.docgen import Tally


def _fields(text: str) -> ExtractedFields:
    return extract_fields(Grid.from_text(text))


def test_a_net_excluding_tax_and_a_vat_line_on_its_base() -> None:
    en = _fields(
        "Invoice  A1B2C3D4-0007\n"
        "Total excluding tax        €4,135.80\n"
        "VAT (23%)                  €951.23\n"
        "Total                      €5,087.03\n"
    )
    assert en.vat == (VatRow("23", Decimal("4135.80"), Decimal("951.23")),)
    de = _fields(
        "Rechnung  R7005358974\n"
        "Zwischensumme                 913,04 €\n"
        "USt. (0 % auf 913,04 €)       0,00 €\n"
        "Gesamtbetrag                  913,04 €\n"
    )
    assert de.vat == (VatRow("0", Decimal("913.04"), Decimal("0.00")),)


def test_a_vat_line_no_rows_were_read_from_leaves_vat_missing() -> None:
    """No net, no recap: the rate and tax are printed, but no base proves them. Empty rows
    would say "no VAT" (a non-payer's document) and be accepted; they are missing instead."""
    f = _fields("Invoice  INV-2026-0042\nVAT 23 %     €230.00\nAmount due     €1,230.00\n")
    assert f.vat == () and "vat" in f.missing
    assert "vat" not in missing_required(ExtractedFields())  # a non-payer's page prints none
    payer = _fields("Invoice  INV-1\nNot a VAT payer.\nAmount due     €1,230.00\n")
    assert "vat" not in payer.missing


def test_vat_tables_with_the_rate_in_a_column_of_its_own() -> None:
    """What that rule showed on real German e-invoice prints: the rate among the amounts,
    under its head, taken when the rows make the total; an items table's rate column is no
    VAT table."""
    f = _fields(
        "RECHNUNG  471102\n"
        "Warenwert    Nettobetrag    MwSt-Betrag    MwSt-%    Endbetrag\n"
        "326,50       321,40         61,07          19,0      382,47\n"
        "130,70       127,59         8,93           7,0       136,52\n"
        "457,20       448,99         70,00          EUR       518,99\n"
        "Gesamtbetrag      518,99 EUR\n"
    )
    assert f.vat == (
        VatRow("19", Decimal("321.40"), Decimal("61.07")),
        VatRow("7", Decimal("127.59"), Decimal("8.93")),
    )
    items = _fields(
        "RECHNUNG  471103\n"
        "Artikel       Menge    Preis     Steuersatz    Betrag\n"
        "Schrauben     2        50,00     19            100,00\n"
        "Mutter        1        19,00     19            19,00\n"
        "Gesamtbetrag      119,00 EUR\n"
    )
    assert items.vat == ()  # (100, 19) is an item and its price, not the VAT of the invoice
    fr = _fields(
        "FACTURE  F-1\n"
        "TVA 0% livraisons intracommunautaires    2,076.76 €    0.00 €\n"
        "Total TTC      2,076.76 €\n"
    )
    assert fr.vat == (VatRow("0", Decimal("2076.76"), Decimal("0.00")),)


def test_a_label_and_its_tax_is_no_recap_row_with_the_total_under_it() -> None:
    """ "DPH 21 %: | 2 236,28 Kč" over the total: the total less the tax is a base only to
    the cent ("12 885,00" − "2 236,28" = "10 648,72", whose 21 % is 2 236,23)."""
    f = _fields(
        "FAKTURA 6516/2026\n"
        "Základ DPH 21 %:    10 648,97 Kč    Zaokrouhlení -0,25 Kč\n"
        "DPH 21 %:           2 236,28 Kč\n"
        "                                    K úhradě 12 885,00 Kč\n"
    )
    assert f.vat == (VatRow("21", Decimal("10648.97"), Decimal("2236.28")),)


def test_a_minus_before_the_currency_is_the_amounts() -> None:
    assert parse_amount("-€602.83") == (Decimal("-602.83"), "EUR")
    assert parse_amount("-EUR 602.83") == (Decimal("-602.83"), "EUR")
    assert amounts_in("Total incl. VAT -€602.83") == [Decimal("-602.83")]
    assert amounts_in("Total - €5.00") == [Decimal("5.00")]  # a dash after a label
    from parsers.grid import value_text

    assert value_text(": -zł 5,00") == "-zł 5,00" and value_text(" - 5,00") == "5,00"
    f = _fields("CREDIT NOTE  CN-7\nTotal incl. VAT      -EUR 602.83\n")
    assert f.total == Decimal("-602.83")


def test_a_refunding_gutschrift_is_a_credit_note_a_self_billed_one_an_invoice() -> None:
    refund = _fields("Gutschrift  DE2025-759147\nRechnungsbetrag        -15.682,53 EUR\n")
    assert (refund.doc_type, refund.total) == (DocType.CREDIT_NOTE, Decimal("-15682.53"))
    self_billed = _fields("Gutschrift  471102\nRechnungsbetrag        529,87 EUR\n")
    assert self_billed.doc_type is not DocType.CREDIT_NOTE


def test_german_and_english_party_and_reference_labels() -> None:
    f = _fields(
        "Rechnung\n"
        "Rechnungsnummer   B6104EE6-0011\n"
        "Alpenbyte IT-Services GmbH    Rechnung an\n"
        "Landstraßer Hauptstraße 71    Firma s.r.o.\n"
        "1030 Wien                     Hlavná 12\n"
        "UID-Nr.: ATU62042195          811 01 Bratislava\n"
        "                              USt-IdNr.: SK2020104735\n"
    )
    assert (f.supplier.name, f.supplier.ic_dph) == ("Alpenbyte IT-Services GmbH", "ATU62042195")
    assert (f.customer.name, f.customer.ic_dph) == ("Firma s.r.o.", "SK2020104735")
    credit = _fields(
        "CREDIT NOTE\n"
        "Credit note number   CN-2026-0007\n"
        "Service date         March 24, 2026\n"
        "Credit for invoice   INV-2026-0006\n"
    )
    assert credit.refers_to == "INV-2026-0006" and credit.delivery_date is not None


_WINDOW = (
    "Pixelfabriek B.V.\n"
    "{sender}             Invoice #      R2211212559\n"
    "{broken}\n"
    "Firma s.r.o.                                       Date of issue  12/02/2026\n"
    "Hlavná 12                                          Customer ID    K739440892\n"
    "811 01 Bratislava\n"
    "Slovakia\n"
    "{vat}\n"
    "INVOICE\n"
    "Subtotal      €3,970.21\n"
    "Pixelfabriek B.V. · Herengracht 182, 1016 BR Amsterdam · VAT No. NL328141446B01\n"
)


@pytest.mark.parametrize(
    ("sender", "broken"),
    [
        ("Pixelfabriek B.V. · Herengracht 182 · 1016 BR Amsterdam", ""),
        ("Pixelfabriek B.V. · Herengracht 182 · 1016 BR", "Amsterdam"),  # the window broke it
        ("Pixelfabriek B.V. · Herengracht 182 ·", "1016 BR Amsterdam"),
        ("Pixelfabriek B.V. · Herengracht 182 · Amsterdam,", "Netherlands"),
    ],
)
def test_a_window_address_gives_the_customers_vat_id_and_the_footer_the_suppliers(
    sender: str, broken: str
) -> None:
    for vat in ("VAT: SK2020104735", "SK2020104735"):  # labelled, or alone under the address
        page = _WINDOW.format(sender=f"{sender:<50}", broken=broken, vat=vat)
        if not broken:
            page = page.replace("\n\n", "\n", 1)
        f = _fields(page)
        assert (f.supplier.name, f.supplier.ic_dph) == ("Pixelfabriek B.V.", "NL328141446B01")
        assert (f.customer.name, f.customer.ic_dph) == ("Firma s.r.o.", "SK2020104735")


def test_an_irish_sender_line_without_its_eircode_and_a_contact_over_the_company() -> None:
    f = _fields(
        "Northwind Analytics Limited · 70 Sir John Rogerson's Quay · Dublin 2\n"
        "Accounts Payable\n"
        "Firma s.r.o.\n"
        "Hlavná 12\n"
        "811 01 Bratislava\n"
        "Invoice   INV-1\n"
    )
    assert (f.supplier.name, f.customer.name) == ("Northwind Analytics Limited", "Firma s.r.o.")


def test_a_letterhead_under_the_facts_with_an_account_number_among_them() -> None:
    f = _fields(
        "Invoice                                       Cloudberry\n"
        "Invoice no.      22E0CA9C-0025\n"
        "Account number   K578691033\n"
        "Cloudberry Software Ltd      Billed to\n"
        "2 Grand Canal Square         Firma s.r.o.\n"
        "Dublin 2, D02 A342,          Hlavná 12\n"
        "Ireland                      811 01 Bratislava\n"
        "VAT ID: IE7110603G\n"
    )
    assert (f.supplier.name, f.supplier.ic_dph) == ("Cloudberry Software Ltd", "IE7110603G")
    assert f.customer.name == "Firma s.r.o."


@needs.chromium
def test_online_services_invoices_are_read() -> None:
    from tests.saasgen import documents

    tally = Tally.of(documents(12, first_seed=84000))
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.97, tally.bad
    assert tally.accepted >= 10, tally.bad


def test_pages_as_ocr_reads_them_dots_as_colons_gaps_as_dashes() -> None:
    """Scans of the family: the sender line's dots read as colons, the gap between a label
    and its value as an em dash, a reference line merged with its value above the
    letterhead."""
    window = _fields(
        "Alpenbyte IT-Services GmbH\n"
        "Alpenbyte IT-Services GmbH: Landstraßer Hauptstraße 71 :       Rechnung Nr.  R1694524994\n"
        "1030 Wien                                                       Kundennr.  K936980752\n"
        "Firma s.r.o.\n"
        "Hlavná 12\n"
        "811 01 Bratislava\n"
        "USt-IdNr.: SK2020104735\n"
    )
    assert (window.supplier.name, window.customer.name) == (
        "Alpenbyte IT-Services GmbH",
        "Firma s.r.o.",
    )
    assert window.customer.ic_dph == "SK2020104735"
    letter = _fields(
        "Rechnungskorrektur                                  Serverwerk\n"
        "Invoice number — F8A1786F-0029\n"
        "Bezug: Rechnung — 3BE6F99F-0010\n"
        "Serverwerk Online GmbH      Rechnung an\n"
        "Industriestr. 25            Firma s.r.o.\n"
        "91710 Gunzenhausen          Hlavná 12\n"
    )
    assert (letter.number, letter.refers_to) == ("F8A1786F-0029", "3BE6F99F-0010")
    assert letter.supplier.name == "Serverwerk Online GmbH"


def test_a_party_block_ends_at_the_items_head_not_at_the_legal_footer() -> None:
    # a scan's cells (OCR lost the label of the customer's VAT id): the footer's "UID-Nr."
    # under the items is the supplier's, never the customer's
    from parsers.pdftext import PageText, PdfText, Segment

    cells = [
        (44, 783, 142, 801, "Rechnung"),
        (50, 750, 115, 760, "Rechnung Nr."),
        (143, 752, 222, 760, "AT2025-783104"),
        (50, 737, 82, 744, "Datum"),
        (144, 736, 200, 744, "20.03.2025"),
        (42, 640, 114, 648, "Verkauft von"),
        (223, 638, 327, 648, "Rechnungsadresse"),
        (403, 640, 478, 648, "Lieferadresse"),
        (42, 627, 183, 637, "Alpenbyte IT-Services GmbH"),
        (223, 628, 275, 637, "Firma s.r.o."),
        (403, 628, 455, 636, "Firma s.r.o."),
        (43, 615, 183, 625, "Landstraßer Hauptstraße 71"),
        (223, 617, 272, 625, "Hlavná 12"),
        (403, 617, 452, 625, "Hlavná 12"),
        (43, 606, 95, 614, "1030 Wien"),
        (223, 606, 309, 614, "811 01 Bratislava"),
        (403, 606, 489, 614, "811 01 Bratislava"),
        (43, 595, 154, 602, "UID-Nr.: ATU55757915"),
        (223, 595, 265, 603, "Slowakei"),
        (223, 583, 298, 591, "SK2020104735"),
        (49, 556, 86, 568, "Artikel"),
        (214, 559, 251, 567, "Anzahl"),
        (304, 555, 363, 568, "Stückpreis"),
        (403, 555, 436, 567, "MwSt."),
        (509, 557, 546, 566, "Betrag"),
        (49, 542, 127, 550, "Wireless mouse"),
        (247, 542, 251, 550, "3"),
        (306, 541, 363, 550, "168,51 EUR"),
        (416, 542, 437, 550, "20%"),
        (488, 541, 546, 550, "505,53 EUR"),
        (326, 430, 397, 438, "Summe brutto"),
        (482, 429, 546, 438, "606,64 EUR"),
        (
            42,
            361,
            505,
            368,
            "Alpenbyte IT-Services GmbH - Landstraßer Hauptstraße 71, 1030 Wien"
            " - Firmenbuch B21168 : UID-Nr. ATU55757915",
        ),
    ]
    page = PageText(tuple(Segment(*c) for c in cells), cells=True)
    f = extract_fields(Grid.from_pdf(PdfText((page,), 1, (), None)))
    assert (f.supplier.ic_dph, f.customer.ic_dph) == ("ATU55757915", "SK2020104735")
