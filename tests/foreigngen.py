"""Invoices from foreign suppliers, printed by headless Chromium: a held-out family written
after the reader and from a choice space of its own, so that bench/accuracy.py can say how the
reader does on what nobody tuned it on.

What a Slovak company receives from abroad: a French, Dutch, Italian, Hungarian, Polish,
Austrian or Czech supplier (valid VAT ids and IBANs of its country, its own register numbers,
which are no IČO), the country's VAT rates, date and amount forms and wordings (taken from what
those countries' invoicing programs print), the number in the title ("Facture N° F2026-0042"),
the facts in a key-value table at the right, totals as a summary of label / amount rows
instead of a VAT recap table, the customer — the Slovak client — with its IČ DPH under the
foreign label, a credit note now and then with the invoice it corrects.

    python -m tests.foreigngen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import html
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iban as std_iban
from stdnum.at import uid
from stdnum.cz import dic as cz_dic
from stdnum.fr import siren as fr_siren
from stdnum.fr import tva
from stdnum.hu import anum
from stdnum.it import iva
from stdnum.nl import btw
from stdnum.pl import nip

from tests.docgen import OFFICE_CLIENT, Doc, Item, Party, make_doc, valid_drawn
from tests.htmlgen import printed_pages, write_samples

CENT = Decimal("0.01")


def _digits(rnd: random.Random, n: int) -> str:
    return str(rnd.randint(1, 9)) + "".join(str(rnd.randrange(10)) for _ in range(n - 1))


def _iban(rnd: random.Random, country: str, bban: Callable[[random.Random], str]) -> str:
    def make(r: random.Random) -> str:
        body = bban(r)
        return f"{country}{std_iban.calc_check_digits(country + '00' + body)}{body}"

    return valid_drawn(rnd, make, std_iban.is_valid)


# Per country: language, currency, VAT rates, the supplier's ids and what it prints of them.
COUNTRIES: dict[str, dict[str, object]] = {
    "fr": {"lang": "fr", "rates": (20, 10, 5)},
    "nl": {"lang": "nl", "rates": (21, 9)},
    "it": {"lang": "it", "rates": (22, 10, 4)},
    "hu": {"lang": "hu", "rates": (27, 18, 5)},
    "pl": {"lang": "pl", "rates": (23, 8, 5)},
    "at": {"lang": "de", "rates": (20, 10)},
    "cz": {"lang": "cs", "rates": (21, 12)},
}

LABELS: dict[str, dict[str, list[str]]] = {
    "fr": {
        "title": ["Facture", "FACTURE"],
        "credit": ["Avoir", "Facture d'avoir"],
        "number": ["N° de facture", "Facture n°", "Numéro"],
        "issue": ["Date de facture", "Date d'émission", "Date"],
        "delivery": ["Date de livraison", "Date de la prestation"],
        "due": ["Date d'échéance", "Échéance", "À payer avant le"],
        "refers": ["Facture d'origine", "Avoir sur facture n°"],
        "supplier": ["Émetteur", "Vendeur", ""],
        "customer": ["Facturé à", "Client", "Adressé à"],
        "vat_id": ["N° TVA intracommunautaire", "TVA intracom.", "N° TVA"],
        "customer_vat_id": ["N° TVA client", "TVA intracommunautaire client", "N° TVA"],
        "register": ["SIRET", "RCS Paris B"],
        "net": ["Total HT", "Montant HT"],
        "vat_line": ["TVA {rate} %", "TVA ({rate} %)"],
        "total": ["Total TTC", "Net à payer", "Montant TTC"],
        "item": ["Désignation", "Description"],
        "qty": ["Qté", "Quantité"],
        "price": ["Prix unitaire HT", "P.U. HT"],
        "amount": ["Montant HT", "Total HT"],
        "iban": ["IBAN"],
        "bank": ["Coordonnées bancaires", "Règlement par virement"],
    },
    "nl": {
        "title": ["Factuur", "FACTUUR"],
        "credit": ["Creditnota", "Creditfactuur"],
        "number": ["Factuurnummer", "Factuurnr.", "Nummer"],
        "issue": ["Factuurdatum", "Datum"],
        "delivery": ["Leverdatum", "Leveringsdatum"],
        "due": ["Vervaldatum", "Uiterste betaaldatum"],
        "refers": ["Betreft factuur", "Oorspronkelijke factuur"],
        "supplier": ["Leverancier", ""],
        "customer": ["Factuuradres", "Klant", "Aan"],
        "vat_id": ["BTW-nummer", "Btw-nr.", "BTW nr"],
        "customer_vat_id": ["BTW-nummer klant", "Uw btw-nummer"],
        "register": ["KvK", "KvK-nummer"],
        "net": ["Subtotaal", "Totaal excl. btw"],
        "vat_line": ["BTW {rate}%", "Btw {rate} %"],
        "total": ["Totaal", "Totaal incl. btw", "Te betalen"],
        "item": ["Omschrijving"],
        "qty": ["Aantal"],
        "price": ["Prijs", "Stukprijs"],
        "amount": ["Bedrag", "Totaal"],
        "iban": ["IBAN", "Rekeningnummer (IBAN)"],
        "bank": ["Betaalgegevens", "Gelieve te betalen op"],
    },
    "it": {
        "title": ["Fattura", "FATTURA"],
        "credit": ["Nota di credito"],
        "number": ["Numero fattura", "Fattura n.", "N. documento"],
        "issue": ["Data fattura", "Data documento", "Data"],
        "delivery": ["Data consegna", "Data di consegna"],
        "due": ["Scadenza", "Data scadenza"],
        "refers": ["Rif. fattura", "Riferimento fattura"],
        "supplier": ["Fornitore", "Cedente / Prestatore", ""],
        "customer": ["Cliente", "Destinatario", "Cessionario / Committente"],
        "vat_id": ["Partita IVA", "P.IVA", "P. IVA"],
        "customer_vat_id": ["P.IVA cliente", "Partita IVA", "VAT"],
        "register": ["REA", "R.E.A."],
        "net": ["Imponibile", "Totale imponibile"],
        "vat_line": ["IVA {rate}%", "IVA {rate} %"],
        "total": ["Totale fattura", "Totale documento", "Totale da pagare"],
        "item": ["Descrizione"],
        "qty": ["Quantità", "Q.tà"],
        "price": ["Prezzo unitario", "Prezzo"],
        "amount": ["Importo"],
        "iban": ["IBAN", "Coordinate bancarie IBAN"],
        "bank": ["Modalità di pagamento: bonifico bancario", "Pagamento"],
    },
    "hu": {
        "title": ["Számla", "SZÁMLA"],
        "credit": ["Jóváíró számla", "Helyesbítő számla"],
        "number": ["Számla sorszáma", "Számlaszám", "Sorszám"],
        "issue": ["Számla kelte", "Kiállítás dátuma", "Kelt"],
        "delivery": ["Teljesítés dátuma", "Teljesítés kelte"],
        "due": ["Fizetési határidő", "Esedékesség"],
        "refers": ["Eredeti számla", "Helyesbített számla sorszáma"],
        "supplier": ["Eladó", "Szállító", "Kibocsátó"],
        "customer": ["Vevő", "Vásárló"],
        "vat_id": ["Közösségi adószám", "EU adószám"],
        "customer_vat_id": ["Közösségi adószám", "Vevő EU adószáma"],
        "register": ["Cégjegyzékszám"],
        "net": ["Nettó összesen", "Nettó érték"],
        "vat_line": ["ÁFA {rate}%", "ÁFA {rate} %"],
        "total": ["Bruttó összesen", "Fizetendő", "Fizetendő összeg"],
        "item": ["Megnevezés", "Tétel"],
        "qty": ["Mennyiség", "Menny."],
        "price": ["Nettó egységár", "Egységár"],
        "amount": ["Nettó érték", "Nettó ár"],
        "iban": ["IBAN", "Bankszámla (IBAN)"],
        "bank": ["Fizetési mód: átutalás", "Banki átutalás"],
    },
    "pl": {
        "title": ["Faktura", "Faktura VAT", "FAKTURA VAT"],
        "credit": ["Faktura korygująca", "Korekta faktury"],
        "number": ["Numer faktury", "Faktura nr", "Nr"],
        "issue": ["Data wystawienia", "Data wyst."],
        "delivery": ["Data sprzedaży", "Data dostawy"],
        "due": ["Termin płatności", "Płatne do"],
        "refers": ["Dotyczy faktury", "Korekta do faktury nr"],
        "supplier": ["Sprzedawca", "Sprzedający"],
        "customer": ["Nabywca", "Kupujący"],
        "vat_id": ["NIP", "NIP UE", "VAT UE"],
        "customer_vat_id": ["NIP UE nabywcy", "VAT UE", "NIP"],
        "register": ["KRS", "REGON"],
        "net": ["Wartość netto", "Razem netto"],
        "vat_line": ["VAT {rate}%", "Kwota VAT {rate}%"],
        "total": ["Do zapłaty", "Razem do zapłaty", "Wartość brutto"],
        "item": ["Nazwa towaru lub usługi", "Nazwa"],
        "qty": ["Ilość", "Ilość j.m."],
        "price": ["Cena netto", "Cena jedn. netto"],
        "amount": ["Wartość netto"],
        "iban": ["IBAN", "Nr konta (IBAN)"],
        "bank": ["Sposób płatności: przelew", "Forma płatności: przelew"],
    },
    "de": {
        "title": ["Rechnung", "RECHNUNG", "Honorarnote"],
        "credit": ["Rechnungskorrektur", "Stornorechnung"],
        "number": ["Rechnungsnummer", "Rechnungs-Nr.", "Beleg-Nr."],
        "issue": ["Rechnungsdatum", "Datum", "Belegdatum"],
        "delivery": ["Leistungszeitraum", "Lieferdatum", "Leistungsdatum"],
        "due": ["Zahlungsziel", "Fällig am", "Zahlbar bis"],
        "refers": ["Zu Rechnung", "Bezug: Rechnung Nr."],
        "supplier": ["", "Rechnungssteller"],
        "customer": ["Rechnungsadresse", "Kunde", "An"],
        "vat_id": ["UID-Nr.", "UID", "USt-IdNr."],
        "customer_vat_id": ["Ihre UID-Nr.", "UID Kunde", "UID-Nr."],
        "register": ["FN", "Firmenbuchnummer"],
        "net": ["Nettobetrag", "Summe netto", "Zwischensumme"],
        "vat_line": ["zzgl. {rate} % USt.", "MwSt. {rate}%", "{rate}% USt"],
        "total": ["Gesamtbetrag", "Rechnungsbetrag", "Summe brutto", "Endbetrag"],
        "item": ["Bezeichnung", "Leistung"],
        "qty": ["Menge", "Anz."],
        "price": ["Einzelpreis", "EP netto"],
        "amount": ["Gesamtpreis", "Betrag"],
        "iban": ["IBAN"],
        "bank": ["Bankverbindung", "Zahlbar per Überweisung"],
    },
    "cs": {
        "title": ["Faktura", "FAKTURA", "Faktura - daňový doklad"],
        "credit": ["Opravný daňový doklad", "Dobropis"],
        "number": ["Číslo dokladu", "Faktura číslo", "Číslo"],
        "issue": ["Datum vystavení", "Vystaveno"],
        "delivery": ["Datum zdanitelného plnění", "DUZP", "Datum uskutečnění plnění"],
        "due": ["Datum splatnosti", "Splatnost", "Splatno"],
        "refers": ["K faktuře č.", "Opravovaný doklad"],
        "supplier": ["DODAVATEL", "Dodavatel", "Prodávající"],
        "customer": ["ODBĚRATEL", "Odběratel", "Kupující"],
        "vat_id": ["DIČ"],
        "customer_vat_id": ["IČ DPH"],
        "register": ["Zapsáno v OR vedeném Městským soudem v Praze, oddíl C, vložka"],
        "net": ["Základ", "Celkem bez DPH"],
        "vat_line": ["DPH {rate} %", "DPH {rate}%"],
        "total": ["Celkem k úhradě", "K úhradě", "Celkem"],
        "item": ["Označení dodávky", "Položka", "Popis"],
        "qty": ["Počet", "Množství"],
        "price": ["Cena za MJ", "Jedn. cena bez DPH"],
        "amount": ["Celkem bez DPH", "Cena"],
        "iban": ["IBAN"],
        "bank": ["Platební údaje", "Bankovní spojení"],
    },
}

BIC = {
    "fr": "BNPAFRPP",
    "nl": "RABONL2U",
    "it": "BCITITMM",
    "hu": "OTPVHUHB",
    "pl": "PKOPPLPW",
    "at": "BKAUATWW",
    "cz": "GIBACZPX",
}

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "hu": "január február március április május június július augusztus szeptember október november december",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "de": "Jänner Februar März April Mai Juni Juli August September Oktober November Dezember",
    "cs": "ledna února března dubna května června července srpna září října listopadu prosince",
}


def _date(d: date, lang: str, style: int) -> str:
    month = MONTHS[lang].split()[d.month - 1]
    forms = {
        "fr": [f"{d:%d/%m/%Y}", f"{d.day} {month} {d.year}"],
        "nl": [f"{d:%d-%m-%Y}", f"{d.day} {month} {d.year}"],
        "it": [f"{d:%d/%m/%Y}", f"{d.day} {month} {d.year}"],
        "hu": [f"{d:%Y.%m.%d.}", f"{d.year}. {month} {d.day}.", f"{d:%Y-%m-%d}"],
        "pl": [f"{d:%d.%m.%Y}", f"{d:%Y-%m-%d}", f"{d.day} {month} {d.year}"],
        "de": [f"{d:%d.%m.%Y}", f"{d.day}. {month} {d.year}"],
        "cs": [f"{d.day}. {d.month}. {d.year}", f"{d:%d.%m.%Y}"],
    }[lang]
    return forms[style % len(forms)]


def _money(v: Decimal, lang: str, currency: str, style: int) -> str:
    sign = "-" if v < 0 else ""
    whole, cents = f"{abs(v):.2f}".split(".")
    sep = {"fr": "\u202f", "nl": ".", "it": ".", "hu": " ", "pl": " ", "de": ".", "cs": " "}[lang]
    grouped = f"{int(whole):,}".replace(",", sep)
    symbol = {"EUR": "€", "CZK": "Kč", "PLN": "zł"}.get(currency, currency)
    forms = {
        "nl": [f"€ {sign}{grouped},{cents}", f"{sign}{grouped},{cents} EUR"],
        "de": [f"€ {sign}{grouped},{cents}", f"{sign}{grouped},{cents} EUR"],
        "cs": [f"{sign}{grouped},{cents} {symbol}", f"{sign}{grouped},{cents} {currency}"],
    }.get(lang, [f"{sign}{grouped},{cents} {symbol}", f"{sign}{grouped},{cents} {currency}"])
    return forms[style % len(forms)]


def _supplier(rnd: random.Random, country: str) -> tuple[Party, str, str, str]:
    """The supplier (its VAT id as ic_dph, or a Czech DIČ as dic), its register line, its
    IBAN, its domestic tax line (printed, never expected)."""
    names = {
        "fr": ["Fournitures Lemaire SARL", "Atelier Dubois SAS", "Imprimerie du Centre SA"],
        "nl": ["De Vries Techniek B.V.", "Bakker & Zonen B.V.", "Jansen Logistiek B.V."],
        "it": ["Ferramenta Rossi S.r.l.", "Tipografia Bianchi S.p.A.", "Colombo Servizi S.r.l."],
        "hu": ["Kovács és Társa Kft.", "Nagy Építő Zrt.", "Szabó Nyomda Kft."],
        "pl": [
            "Nowak Serwis Sp. z o.o.",
            "Kowalski i Wspólnicy Sp. j.",
            "Drukarnia Wiśniewski S.A.",
        ],
        "at": ["Huber Handels GmbH", "Gruber Bau GmbH", "Steiner & Partner KG"],
        "cz": ["Novák Technik s.r.o.", "Tiskárna Dvořák a.s.", "Svoboda Servis s.r.o."],
    }[country]
    cities = {
        "fr": ("12 rue de la Paix", "75002 Paris"),
        "nl": ("Keizersgracht 100", "1015 AA Amsterdam"),
        "it": ("Via Roma 15", "20121 Milano"),
        "hu": ("Váci út 22.", "1132 Budapest"),
        "pl": ("ul. Długa 5", "31-147 Kraków"),
        "at": ("Mariahilfer Straße 10", "1070 Wien"),
        "cz": ("Vinohradská 12", "120 00 Praha 2"),
    }[country]
    ico: str | None = None
    dic: str | None = None
    if country == "fr":
        siren = valid_drawn(rnd, lambda r: _digits(r, 9), fr_siren.is_valid)
        vat = valid_drawn(rnd, lambda r: f"FR{r.randrange(100):02d}{siren}", tva.is_valid)
        register = f"SIRET {siren} {rnd.randint(10000, 99999)}"
        domestic = ""
        bank = _iban(rnd, "FR", lambda r: "".join(str(r.randrange(10)) for _ in range(23)))
    elif country == "nl":
        vat = valid_drawn(rnd, lambda r: f"NL{_digits(r, 9)}B01", btw.is_valid)
        register = f"{rnd.randint(10000000, 99999999)}"
        domestic = ""
        bank = _iban(rnd, "NL", lambda r: "RABO" + "".join(str(r.randrange(10)) for _ in range(10)))
    elif country == "it":
        vat = "IT" + valid_drawn(rnd, lambda r: "0" + _digits(r, 10), iva.is_valid)
        register = f"MI-{rnd.randint(1000000, 2999999)}"
        domestic = ""
        bank = _iban(
            rnd, "IT", lambda r: "X0542811101" + "".join(str(r.randrange(10)) for _ in range(12))
        )
    elif country == "hu":
        core = valid_drawn(rnd, lambda r: _digits(r, 8), anum.is_valid)
        vat = "HU" + core
        register = f"01-09-{rnd.randint(100000, 999999)}"
        domestic = f"Adószám: {core}-2-{rnd.randint(10, 44)}"
        bank = _iban(rnd, "HU", lambda r: "".join(str(r.randrange(10)) for _ in range(24)))
    elif country == "pl":
        core = valid_drawn(rnd, lambda r: _digits(r, 10), nip.is_valid)
        vat = "PL" + core
        register = f"{rnd.randint(10**9, 10**10 - 1):010d}"
        domestic = ""
        bank = _iban(rnd, "PL", lambda r: "".join(str(r.randrange(10)) for _ in range(24)))
    elif country == "at":
        vat = valid_drawn(rnd, lambda r: "ATU" + _digits(r, 8), uid.is_valid)
        register = f"FN {rnd.randint(100000, 599999)}{rnd.choice('abdkmpst')}"
        domestic = ""
        bank = _iban(rnd, "AT", lambda r: "".join(str(r.randrange(10)) for _ in range(16)))
    else:
        ico = valid_drawn(rnd, lambda r: _digits(r, 8), lambda s: cz_dic.is_valid(s))
        dic = "CZ" + ico
        vat = ""
        register = f"{rnd.randint(10000, 299999)}"
        domestic = ""
        bank = _iban(rnd, "CZ", lambda r: "0800" + "".join(str(r.randrange(10)) for _ in range(16)))
    party = Party(rnd.choice(names), ico or "", dic, vat or None, street=cities[0], city=cities[1])
    return party, register, bank, domestic


def render(doc: Doc, seed: int, country: str, register: str, domestic: str) -> tuple[str, set[str]]:
    """The invoice as HTML, and the expected keys it does not print."""
    rnd = random.Random(seed * 7 + 1)
    lang = str(COUNTRIES[country]["lang"])
    L = {k: rnd.choice(v) for k, v in LABELS[lang].items()}
    dstyle, mstyle = rnd.randrange(3), rnd.randrange(2)
    esc = html.escape
    not_printed: set[str] = set()
    credit = doc.doc_type == "credit_note"

    def d(x: date | None) -> str:
        return _date(x, lang, dstyle) if x else ""

    def m(v: Decimal) -> str:
        return esc(_money(v, lang, doc.currency, mstyle))

    s, c = doc.supplier, doc.customer
    title_word = L["credit"] if credit else L["title"]
    number_in_title = rnd.random() < 0.5
    title = (
        f"<h1>{esc(title_word)} {esc(doc.number)}</h1>"
        if number_in_title
        else f"<h1>{esc(title_word)}</h1>"
    )
    facts: list[tuple[str, str]] = []
    if not number_in_title or rnd.random() < 0.5:
        facts.append((L["number"], doc.number))
    facts.append((L["issue"], d(doc.issue_date)))
    if doc.delivery_date and rnd.random() < 0.7:
        facts.append((L["delivery"], d(doc.delivery_date)))
    else:
        not_printed.add("delivery_date")
    if doc.due_date:
        facts.append((L["due"], d(doc.due_date)))
    if doc.variable_symbol and lang == "cs":
        facts.append(("Variabilní symbol", doc.variable_symbol))
    else:
        not_printed.add("variable_symbol")
    if credit and doc.refers_to:
        facts.append((L["refers"], doc.refers_to))
    facts_html = (
        "<table class='facts'>"
        + "".join(
            f"<tr><td class='lbl'>{esc(k)}</td><td class='v'>{esc(v)}</td></tr>" for k, v in facts
        )
        + "</table>"
    )

    def ids(p: Party, vat_label: str) -> list[str]:
        """What the supplier's program prints of a party: a Czech one IČ, DIČ (and a Slovak
        customer's IČ DPH), every other one the VAT id alone."""
        out = []
        if lang == "cs":
            out += [f"IČ: {p.ico}"] if p.ico else []
            out += [f"DIČ: {p.dic}"] if p.dic else []
            out += [f"IČ DPH: {p.ic_dph}"] if p.ic_dph else []
        elif p.ic_dph:
            out.append(f"{vat_label}: {p.ic_dph}")
        return out

    supplier_lines = [s.name, s.street, s.city, *ids(s, L["vat_id"])]
    if domestic:
        supplier_lines.append(domestic)
    customer_lines = [c.name, c.street, c.city, "Slovensko" if lang != "de" else "Slowakei"]
    customer_lines += ids(c, L["customer_vat_id"])

    def block(head: str, lines: list[str], cls: str) -> str:
        head_html = f"<div class='head'>{esc(head)}</div>" if head else ""
        body = "".join(
            f"<div class='{'name' if i == 0 else 'l'}'>{esc(x)}</div>" for i, x in enumerate(lines)
        )
        return f"<div class='{cls}'>{head_html}{body}</div>"

    placement = rnd.choice(["logo_left", "logo_right", "two_boxes"])
    supplier_html = block(L["supplier"], supplier_lines, "party sup")
    customer_html = block(L["customer"], customer_lines, "party cus")
    if placement == "logo_left":
        top = (
            f"<div class='row'><div class='half'>{supplier_html}</div>"
            f"<div class='half'>{title}{facts_html}</div></div>"
            f"<div class='row'><div class='half'></div><div class='half'>{customer_html}</div></div>"
        )
    elif placement == "logo_right":
        top = (
            f"<div class='row'><div class='half'>{title}</div><div class='half'>{supplier_html}</div></div>"
            f"<div class='row'><div class='half'>{customer_html}</div><div class='half'>{facts_html}</div></div>"
        )
    else:
        top = (
            f"{title}<div class='row'><div class='half box'>{supplier_html}</div>"
            f"<div class='half box'>{customer_html}</div></div>{facts_html}"
        )

    rows = "".join(
        f"<tr><td>{esc(i.text)}</td><td class='r'>{i.quantity}</td><td class='r'>{m(i.unit_price * doc.sign)}</td>"
        f"<td class='r'>{i.rate}%</td><td class='r'>{m(i.quantity * i.unit_price * doc.sign)}</td></tr>"
        for i in doc.items
    )
    borders = rnd.random() < 0.5
    items_html = (
        f"<table class='items{' b' if borders else ''}'><tr><th>{esc(L['item'])}</th>"
        f"<th>{esc(L['qty'])}</th><th>{esc(L['price'])}</th><th>%</th>"
        f"<th>{esc(L['amount'])}</th></tr>{rows}</table>"
    )
    vat_rows = doc.vat_rows()
    net = sum((Decimal(r["base"]) for r in vat_rows), Decimal(0))
    summary = [(L["net"], m(net))]
    if len(vat_rows) > 1 and rnd.random() < 0.5:
        summary += [(f"{L['net']} {r['rate']} %", m(Decimal(r["base"]))) for r in vat_rows]
    summary += [(L["vat_line"].format(rate=r["rate"]), m(Decimal(r["vat"]))) for r in vat_rows]
    summary.append((L["total"], f"<b>{m(doc.total())}</b>"))
    summary_html = (
        "<table class='sum'>"
        + "".join(f"<tr><td>{esc(k)}</td><td class='r'>{v}</td></tr>" for k, v in summary)
        + "</table>"
    )
    iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4)) if doc.iban else ""
    pay_html = (
        f"<div class='pay'><b>{esc(L['bank'])}</b><br>{esc(L['iban'])}: {esc(iban)}"
        f" · BIC: {BIC[country]}</div>"
    )
    footer_bits = [s.name, f"{s.street}, {s.city}"]
    footer_bits.append(f"{L['register']} {register}")
    if s.ic_dph:
        footer_bits.append(f"{L['vat_id']} {s.ic_dph}")
    footer = f"<div class='footer'>{esc(' | '.join(footer_bits))}</div>"
    thanks = {
        "fr": "Merci de votre confiance.",
        "nl": "Wij danken u voor uw opdracht.",
        "it": "Grazie per averci scelto.",
        "hu": "Köszönjük a vásárlást!",
        "pl": "Dziękujemy za zakupy.",
        "de": "Vielen Dank für Ihren Auftrag!",
        "cs": "Děkujeme za Vaši objednávku.",
    }[lang]
    font = rnd.choice(["DejaVu Sans", "Liberation Sans", "Liberation Serif", "DejaVu Serif"])
    size = rnd.choice([9, 10])
    css = f"""
    body {{ font-family: '{font}'; font-size: {size}pt; margin: 0; }}
    h1 {{ font-size: {size + rnd.choice([5, 8, 11])}pt; margin: 2mm 0 3mm;
          text-transform: {rnd.choice(["none", "uppercase"])}; }}
    .row {{ display: flex; gap: 8mm; margin-bottom: 4mm; }} .half {{ flex: 1; }}
    .box {{ border: 1px solid #999; padding: 2mm 3mm; }}
    .head {{ font-size: {size - 1}pt; color: #666; text-transform: uppercase; }}
    .name {{ font-weight: bold; font-size: {size + 1}pt; }}
    table {{ border-collapse: collapse; margin: 3mm 0; }}
    table.facts td {{ padding: 0.5mm 3mm 0.5mm 0; }} table.facts td.v {{ text-align: right; }}
    table.items {{ width: 100%; }} table.items th {{ border-bottom: 1.5px solid #333; }}
    table.b td, table.b th {{ border: 1px solid #aaa; padding: 1mm 2mm; }}
    td.r, th {{ text-align: right; }} th:first-child {{ text-align: left; }}
    table.sum {{ margin-left: auto; min-width: 70mm; }} table.sum td {{ padding: 0.7mm 2mm; }}
    table.sum tr:last-child td {{ border-top: 1px solid #333; font-size: {size + 2}pt; }}
    .pay {{ margin-top: 6mm; }}
    .footer {{ margin-top: 14mm; font-size: {size - 2}pt; color: #555; border-top: 1px solid #aaa;
               text-align: center; }}
    """
    page = (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><style>{css}</style>"
        f"</head><body>{top}{items_html}{summary_html}{pay_html}"
        f"<p>{esc(thanks)}</p>{footer}</body></html>"
    )
    return page, not_printed


def make(seed: int) -> tuple[Doc, str, str, str]:
    """A foreign supplier's document to the office's client, its country, register, domestic tax line."""
    rnd = random.Random(seed)
    country = rnd.choice(sorted(COUNTRIES))
    supplier, register, bank, domestic = _supplier(rnd, country)
    doc_type = "credit_note" if rnd.random() < 0.15 else "invoice"
    base = make_doc(seed, doc_type=doc_type, supplier=supplier, customer=OFFICE_CLIENT)
    rates = COUNTRIES[country]["rates"]
    assert isinstance(rates, tuple)
    items = tuple(
        Item(
            rnd.choice(["Consulting", "Toner HP 305A", "Software licence", "Transport", "Service"]),
            i.quantity,
            (i.unit_price * Decimal(rnd.choice([1, 1, 3]))).quantize(CENT, ROUND_HALF_UP),
            rnd.choice(rates[:2]) if len(rates) > 1 and rnd.random() < 0.3 else rates[0],
        )
        for i in base.items
    )
    number = rnd.choice(
        [
            f"F{base.issue_date.year}-{rnd.randint(1, 9999):04d}",
            f"{rnd.randint(1, 999)}/{base.issue_date.year}",
            f"FV/{base.issue_date.year}/{base.issue_date.month:02d}/{rnd.randint(1, 999):03d}",
            f"INV-{base.issue_date.year}-{rnd.randint(1, 99999):05d}",
            f"{base.issue_date.year}{rnd.randint(1, 99999):05d}",
        ]
    )
    doc = replace(
        base,
        number=number,
        items=items,
        currency="CZK" if country == "cz" else "EUR",
        iban=bank,
        variable_symbol=number if country == "cz" and number.isdigit() else None,
        refers_to=base.refers_to,
    )
    return doc, country, register, domestic


def documents(n: int, first_seed: int = 50000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    return printed_pages(page_of, n, first_seed)


def page_of(seed: int) -> tuple[Doc, str, dict[str, object]]:
    """(document, its HTML page, the fields the page prints) of one seed."""
    doc, country, register, domestic = make(seed)
    page, not_printed = render(doc, seed, country, register, domestic)
    return doc, page, {k: v for k, v in expected_of(doc, country).items() if k not in not_printed}


def expected_of(doc: Doc, country: str) -> dict[str, object]:
    """What the page shows: a foreign supplier has no IČO; only a Czech program prints the
    Slovak customer's IČO and DIČ."""
    out = doc.expected()
    out["supplier"] = {**doc.supplier.expected(), "ico": doc.supplier.ico or None}
    if country != "cz":
        out["customer"] = {**doc.customer.expected(), "ico": None, "dic": None}
    return out


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "foreign")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
