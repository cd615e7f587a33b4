"""A fifth family, with a document model of its own: invoices as Slovak and Czech invoicing
programs print them (web apps, desktop accounting, a typed template), printed by Chromium.

The other generators share `docgen.make_doc`: one number form, the variable symbol equal to
the number, a fixed list of suppliers, the office's client as the customer, delivery on the
day of issue, due in 14 days. This one draws every value itself — company names, legal
forms, addresses, identifiers (valid check digits), bank accounts with their national check,
number series, variable symbols apart from the number, delivery before issue, terms of 7 to
60 days, units and fractional quantities, Czech crowns rounded to whole, advances paid,
non-VAT payers — and its labels and page arrangements from wordings nobody tuned the reader
on. bench/accuracy.py reports it as held out.

    python -m tests.appgen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import html
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iban as std_iban
from stdnum.cz import dic as cz_dic
from stdnum.de import vat as de_vat
from stdnum.ie import vat as ie_vat
from stdnum.sk import dph as sk_dph

from parsers.values import is_valid_iban
from tests.docgen import Doc, Item, Party, valid_drawn
from tests.foreigngen import _digits
from tests.htmlgen import browser, print_pdf, write_samples

CENT = Decimal("0.01")

MONTHS = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "en": "January February March April May June July August September October November December",
    "sk": "januára februára marca apríla mája júna júla augusta septembra októbra novembra decembra",
    "cs": "ledna února března dubna května června července srpna září října listopadu prosince",
}

WORDS: dict[str, dict[str, list[str]]] = {
    "sk": {
        "invoice": ["Faktúra", "FAKTÚRA", "Faktúra - daňový doklad", "FAKTÚRA – DAŇOVÝ DOKLAD"],
        "credit_note": ["Dobropis", "Opravná faktúra", "DOBROPIS - opravný daňový doklad"],
        "proforma_invoice": ["Zálohová faktúra", "Predfaktúra", "ZÁLOHOVÁ FAKTÚRA"],
        "number": ["Číslo faktúry", "Faktúra číslo", "Číslo dokladu", "Doklad č."],
        "issue": ["Dátum vystavenia", "Vystavené", "Dátum vyhotovenia", "Dátum vystavenia faktúry"],
        "delivery": [
            "Dátum dodania",
            "Dátum dodania tovaru/služby",
            "Dátum zdaniteľného plnenia",
            "Dodané",
        ],
        "due": ["Dátum splatnosti", "Splatnosť", "Splatné do"],
        "vs": ["Variabilný symbol", "Var. symbol", "VS"],
        "ks": ["Konštantný symbol", "KS", "Konšt. symbol"],
        "supplier": ["Dodávateľ", "Predávajúci", "Dodávateľ:"],
        "customer": ["Odberateľ", "Kupujúci", "Odberateľ:"],
        "ico": ["IČO"],
        "dic": ["DIČ"],
        "ic_dph": ["IČ DPH", "IČ pre DPH"],
        "total": ["Celkom k úhrade", "Suma k úhrade", "K úhrade", "Spolu na úhradu"],
        "net": ["Spolu bez DPH", "Celkom bez DPH", "Základ spolu"],
        "vat_sum": ["DPH spolu", "DPH celkom"],
        "gross": ["Celkom s DPH", "Spolu s DPH"],
        "rounding": ["Zaokrúhlenie"],
        "advance": ["Uhradené zálohou", "Odpočet zálohy", "Zaplatené zálohami"],
        "rate": ["Sadzba DPH", "Sadzba", "DPH %"],
        "base": ["Základ dane", "Základ DPH", "Bez DPH"],
        "vat": ["Výška DPH", "DPH"],
        "with_vat": ["Spolu s DPH", "Celkom"],
        "item": ["Názov položky", "Popis", "Označenie dodávky", "Položka"],
        "qty": ["Množstvo", "Počet"],
        "unit": ["MJ", "m.j."],
        "price": ["Jedn. cena bez DPH", "Cena za MJ", "Cena/MJ"],
        "line": ["Spolu bez DPH", "Suma", "Celkom bez DPH"],
        "method": ["Forma úhrady", "Spôsob platby", "Spôsob úhrady"],
        "transfer": ["Prevodom", "Bankový prevod", "Prevodný príkaz"],
        "bank": ["Banka", "Bankové spojenie"],
        "refers": ["K faktúre č.", "Opravuje doklad", "Pôvodná faktúra"],
        "reason": ["Dôvod opravy: reklamácia", "Dôvod: vrátenie tovaru"],
        "non_payer": ["Nie je platiteľ DPH.", "Neplatiteľ DPH", "Dodávateľ nie je platiteľom DPH."],
        "issued_by": ["Vystavil", "Vyhotovil"],
        "register": [
            "Zapísaná v Obchodnom registri Okresného súdu {city}, oddiel Sro, vložka č. {n}/B",
            "Spoločnosť je zapísaná v OR OS {city}, odd. Sro, vl. č. {n}/L",
            "Živnostenský register OÚ {city}, č. {n}",
        ],
    },
    "cs": {
        "invoice": ["Faktura", "FAKTURA - DAŇOVÝ DOKLAD", "Faktura – daňový doklad"],
        "credit_note": ["Opravný daňový doklad", "Dobropis", "OPRAVNÝ DAŇOVÝ DOKLAD"],
        "proforma_invoice": ["Zálohová faktura", "Proforma faktura", "ZÁLOHOVÁ FAKTURA"],
        "number": ["Číslo faktury", "Faktura č.", "Číslo dokladu", "Evidenční číslo"],
        "issue": ["Datum vystavení", "Vystaveno"],
        "delivery": [
            "Datum zdanitelného plnění",
            "Datum uskutečnění zdanitelného plnění",
            "DUZP",
            "Datum zdaň. plnění",
        ],
        "due": ["Datum splatnosti", "Splatnost", "Splatné do"],
        "vs": ["Variabilní symbol", "VS", "Var. symbol"],
        "ks": ["Konstantní symbol", "KS"],
        "supplier": ["Dodavatel", "Prodávající", "Dodavatel:"],
        "customer": ["Odběratel", "Kupující", "Odběratel:"],
        "ico": ["IČ", "IČO"],
        "dic": ["DIČ"],
        "ic_dph": ["DIČ"],
        "total": ["Celkem k úhradě", "K úhradě", "Částka k úhradě", "Celkem k zaplacení"],
        "net": ["Celkem bez DPH", "Základ celkem"],
        "vat_sum": ["DPH celkem"],
        "gross": ["Celkem s DPH", "Celkem vč. DPH"],
        "rounding": ["Zaokrouhlení"],
        "advance": ["Zaplaceno zálohou", "Uhrazeno zálohou", "Odečet zálohy"],
        "rate": ["Sazba DPH", "Sazba", "DPH %"],
        "base": ["Základ", "Základ DPH", "Bez DPH"],
        "vat": ["Výše DPH", "DPH"],
        "with_vat": ["Celkem", "S DPH"],
        "item": ["Označení dodávky", "Popis", "Položka", "Název"],
        "qty": ["Množství", "Počet"],
        "unit": ["MJ", "m.j."],
        "price": ["Cena za MJ", "Jedn. cena", "Cena/MJ bez DPH"],
        "line": ["Celkem bez DPH", "Cena celkem", "Základ"],
        "method": ["Způsob úhrady", "Forma úhrady", "Způsob platby"],
        "transfer": ["Převodem", "Bankovním převodem", "Převodní příkaz"],
        "bank": ["Banka", "Bankovní spojení"],
        "refers": ["K faktuře č.", "Opravovaný doklad", "Původní doklad"],
        "reason": ["Důvod opravy: reklamace", "Důvod: vrácení zboží"],
        "non_payer": ["Není plátce DPH.", "Neplátce DPH", "Dodavatel není plátcem DPH."],
        "issued_by": ["Vystavil", "Fakturu vystavil"],
        "register": [
            "Společnost je zapsána v obchodním rejstříku vedeném {city}, oddíl C, vložka {n}",
            "Zapsáno v OR u Krajského soudu v {city}, spis. zn. C {n}",
            "Fyzická osoba zapsaná v živnostenském rejstříku, {city}",
        ],
    },
    "de": {
        "invoice": ["Rechnung", "RECHNUNG", "Rechnung Nr."],
        "credit_note": ["Rechnungskorrektur", "Stornorechnung", "RECHNUNGSKORREKTUR"],
        "proforma_invoice": ["Proforma-Rechnung", "PROFORMA-RECHNUNG"],
        "number": ["Rechnungsnummer", "Rechnungs-Nr.", "Beleg-Nr.", "Nummer"],
        "issue": ["Rechnungsdatum", "Datum", "Ausstellungsdatum", "Belegdatum"],
        "delivery": ["Lieferdatum", "Leistungsdatum", "Liefer-/Leistungsdatum"],
        "due": ["Fälligkeitsdatum", "Zahlbar bis", "Fällig am"],
        "supplier": ["Rechnungssteller", "Verkäufer", ""],
        "customer": ["Rechnungsempfänger", "Kunde", "Rechnungsadresse"],
        "ic_dph": ["USt-IdNr.", "USt-ID", "UStId-Nr."],
        "total": ["Rechnungsbetrag", "Gesamtbetrag", "Zu zahlender Betrag", "Endbetrag"],
        "net": ["Nettobetrag", "Summe netto", "Zwischensumme"],
        "vat_sum": ["Umsatzsteuer gesamt", "MwSt. gesamt"],
        "gross": ["Bruttobetrag", "Summe brutto"],
        "rounding": ["Rundung"],
        "advance": ["Abzüglich Anzahlung", "Bereits gezahlt"],
        "rate": ["USt-Satz", "MwSt.", "Steuersatz"],
        "base": ["Netto", "Bemessungsgrundlage", "Nettobetrag"],
        "vat": ["USt", "MwSt.-Betrag", "Steuer"],
        "with_vat": ["Brutto", "Gesamt"],
        "item": ["Bezeichnung", "Beschreibung", "Artikel"],
        "qty": ["Menge", "Anzahl"],
        "unit": ["Einheit", "ME"],
        "price": ["Einzelpreis", "E-Preis netto", "Preis/Einheit"],
        "line": ["Gesamtpreis", "Betrag netto", "Summe"],
        "method": ["Zahlungsart", "Zahlungsweise"],
        "transfer": ["Überweisung", "Banküberweisung"],
        "bank": ["Bank", "Kreditinstitut"],
        "refers": ["zur Rechnung Nr.", "Bezug: Rechnung", "Ursprüngliche Rechnung"],
        "reason": ["Grund: Reklamation", "Gutschrift wegen Rücksendung"],
        "terms": ["Zahlbar innerhalb von 14 Tagen ohne Abzug.", "Zahlungsziel: 30 Tage netto"],
        "issued_by": ["Ihr Ansprechpartner", "Bearbeiter"],
        "register": [
            "Amtsgericht {city} HRB {n} · Geschäftsführer: Thomas Berger",
            "Sitz der Gesellschaft: {city}, Registergericht {city}, HRB {n}",
            "Steuernummer 143/{n}/0815",
        ],
    },
    "en": {
        "invoice": ["Invoice", "INVOICE", "Tax Invoice"],
        "credit_note": ["Credit Note", "CREDIT NOTE"],
        "proforma_invoice": ["Pro Forma Invoice", "PROFORMA INVOICE"],
        "number": ["Invoice No.", "Invoice number", "Invoice #", "Document no."],
        "issue": ["Invoice date", "Date of issue", "Issued", "Date"],
        "delivery": ["Supply date", "Date of supply", "Delivery date", "Tax point"],
        "due": ["Due date", "Payment due", "Pay by"],
        "supplier": ["From", "Supplier", ""],
        "customer": ["Bill to", "Invoice to", "Customer"],
        "ic_dph": ["VAT No.", "VAT number", "VAT Reg. No."],
        "total": ["Amount due", "Total due", "Balance due", "Total to pay"],
        "net": ["Subtotal", "Net amount", "Total excl. VAT"],
        "vat_sum": ["Total VAT", "VAT total"],
        "gross": ["Total incl. VAT", "Gross total"],
        "rounding": ["Rounding"],
        "advance": ["Less deposit paid", "Advance paid"],
        "rate": ["VAT rate", "VAT %", "Rate"],
        "base": ["Net", "Taxable amount", "Net amount"],
        "vat": ["VAT", "VAT amount"],
        "with_vat": ["Gross", "Total"],
        "item": ["Description", "Item", "Service"],
        "qty": ["Qty", "Quantity"],
        "unit": ["Unit", "UoM"],
        "price": ["Unit price", "Rate", "Price"],
        "line": ["Amount", "Net amount", "Line total"],
        "method": ["Payment method", "Payment"],
        "transfer": ["Bank transfer", "Credit transfer"],
        "bank": ["Bank", "Bank name"],
        "refers": ["Credit note to invoice", "Original invoice", "Relates to invoice"],
        "reason": ["Reason: returned goods", "Reason: service credit"],
        "terms": ["Payment terms: 14 days net", "Terms: 30 days"],
        "issued_by": ["Contact", "Accounts"],
        "register": [
            "Registered in Ireland No. {n}. Registered office: {city}",
            "Company registration no. {n}, {city}",
            "Directors: A. Byrne, M. Walsh. Reg. no. {n}",
        ],
    },
}

COMPANIES = {
    "sk": {
        "trade": [
            "Stavebniny",
            "Elektro",
            "Autoservis",
            "Kvetinárstvo",
            "Pekáreň",
            "Tlačiareň",
            "Drevovýroba",
            "IT Solutions",
            "Reklamné štúdio",
            "Účtovníctvo",
            "Agro",
        ],
        "surnames": ["Horváth", "Kováč", "Baláž", "Tóth", "Varga", "Lukáč", "Šimko", "Kollár"],
        "first": ["Peter", "Marek", "Jana", "Zuzana", "Martin", "Katarína", "Juraj"],
        "forms": ["s.r.o.", "spol. s r.o.", "a.s.", "s. r. o.", "k.s."],
        "streets": ["Hlavná", "Štúrova", "Mierová", "Záhradná", "Priemyselná", "Nám. SNP"],
        "cities": [
            "811 01 Bratislava",
            "040 01 Košice",
            "010 01 Žilina",
            "949 01 Nitra",
            "974 01 Banská Bystrica",
            "080 01 Prešov",
            "917 01 Trnava",
        ],
        "banks": {"0900": "Slovenská sporiteľňa", "1100": "Tatra banka", "0200": "VÚB banka"}
        | {"7500": "ČSOB", "5600": "Prima banka", "8330": "Fio banka"},
    },
    "cs": {
        "trade": [
            "Stavebniny",
            "Elektro",
            "Autoservis",
            "Tiskárna",
            "Pekařství",
            "Truhlářství",
            "Účetnictví",
            "Software",
            "Reklama",
            "Zahradnictví",
        ],
        "surnames": ["Dvořák", "Černý", "Procházka", "Kučera", "Veselý", "Horák", "Němec"],
        "first": ["Petr", "Jan", "Lucie", "Tereza", "Tomáš", "Eva", "Jiří"],
        "forms": ["s.r.o.", "spol. s r.o.", "a.s.", "s. r. o."],
        "streets": ["Masarykova", "Nádražní", "Husova", "Palackého", "Na Příkopě", "Riegrova"],
        "cities": [
            "110 00 Praha 1",
            "602 00 Brno",
            "702 00 Ostrava",
            "301 00 Plzeň",
            "370 01 České Budějovice",
            "460 01 Liberec",
        ],
        "banks": {"0800": "Česká spořitelna", "0100": "Komerční banka", "0300": "ČSOB"}
        | {"2010": "Fio banka", "5500": "Raiffeisenbank", "0600": "MONETA Money Bank"},
    },
    "de": {
        "trade": ["Technik", "Logistik", "Maschinenbau", "Software", "Druck", "Handel"],
        "surnames": ["Müller", "Schmidt", "Weber", "Becker", "Hoffmann", "Schäfer", "Krüger"],
        "first": ["Thomas", "Anna", "Stefan", "Julia", "Markus"],
        "forms": ["GmbH", "GmbH & Co. KG", "AG", "KG", "e.K."],
        "streets": ["Hauptstraße", "Bahnhofstraße", "Industriestr.", "Gartenweg", "Lindenallee"],
        "cities": ["80331 München", "10115 Berlin", "20095 Hamburg", "50667 Köln", "01067 Dresden"],
        "banks": {"37040044": "Commerzbank", "10070000": "Deutsche Bank"}
        | {"70150000": "Stadtsparkasse München", "50010517": "ING"},
    },
    "en": {
        "trade": ["Consulting", "Software", "Logistics", "Print", "Engineering", "Digital"],
        "surnames": ["Byrne", "Murphy", "Kelly", "O'Brien", "Walsh", "Ryan", "Doyle"],
        "first": ["Sean", "Aoife", "Ciara", "Conor", "Niamh"],
        "forms": ["Ltd", "Limited", "DAC", "Ltd."],
        "streets": ["Grafton Street", "Harcourt Road", "Dame Street", "Patrick Street"],
        "cities": ["Dublin 2", "Dublin 4", "Cork T12 X70A", "Galway H91 E2K3"],
        "banks": {"AIBK": "AIB", "BOFI": "Bank of Ireland", "IPBS": "PTSB"},
    },
}

ITEMS = {
    "sk": [
        ("Montáž elektroinštalácie", "hod"),
        ("Cement CEM II 25 kg", "ks"),
        ("Vedenie účtovníctva za 10/2026", "mes"),
        ("Tlač letákov A5", "ks"),
        ("Dopravné", "km"),
        ("Servis vozidla BA-123XY", "ks"),
        ("Kvetinová výzdoba", "kpl"),
        ("Webhosting na 12 mesiacov", "ks"),
        ("Drevené hranoly 10x10", "m"),
        ("Konzultácia", "hod"),
    ],
    "cs": [
        ("Instalace serveru", "hod"),
        ("Tisk vizitek", "ks"),
        ("Vedení účetnictví 10/2026", "měs"),
        ("Doprava", "km"),
        ("Stolní deska dub", "m2"),
        ("Licence programu na rok", "ks"),
        ("Oprava vozidla", "ks"),
        ("Poradenství", "hod"),
    ],
    "de": [
        ("Wartung Druckmaschine", "Std"),
        ("Ersatzteil Lager 6204", "Stk"),
        ("Softwarelizenz Jahresabo", "Stk"),
        ("Fracht Hamburg-Bratislava", "pauschal"),
        ("Beratung Projekt 2026", "Std"),
        ("Etiketten 100x50 mm", "Rolle"),
    ],
    "en": [
        ("Cloud hosting, monthly plan", "mo"),
        ("Consulting services", "hrs"),
        ("Annual software licence", "pcs"),
        ("Freight Dublin-Bratislava", "lot"),
        ("Training workshop", "day"),
        ("Support retainer", "mo"),
    ],
}


def _ico(rnd: random.Random) -> str:
    return valid_drawn(rnd, lambda r: _digits(r, 8), cz_dic.is_valid)


def _sk_dic(rnd: random.Random) -> str:
    return valid_drawn(rnd, lambda r: "20" + _digits(r, 8), lambda s: sk_dph.is_valid("SK" + s))


def _iban(rnd: random.Random, country: str, banks: list[str]) -> str:
    """An IBAN whose account number passes its national check (prefix, weighted mod 11)."""

    code = {"sk": "SK", "cs": "CZ", "de": "DE", "en": "IE"}[country]

    def make(r: random.Random) -> str:
        if country == "de":
            body = f"{r.choice(banks)}{r.randint(10**9, 10**10 - 1)}"
        elif country == "en":
            body = f"{r.choice(banks)}{r.randint(10**5, 10**6 - 1)}{r.randint(10**7, 10**8 - 1)}"
        else:
            prefix = "000000" if r.random() < 0.7 else f"{r.randint(1, 99):06d}"
            body = f"{r.choice(banks)}{prefix}{r.randint(10**8, 10**10 - 1):010d}"
        return f"{code}{std_iban.calc_check_digits(code + '00' + body)}{body}"

    return valid_drawn(rnd, make, is_valid_iban)


def _company(rnd: random.Random, lang: str) -> tuple[Party, str]:
    """A company (or a sole trader) of that country, and its name's register line city."""
    c = COMPANIES[lang]
    surname, trade, form = rnd.choice(c["surnames"]), rnd.choice(c["trade"]), rnd.choice(c["forms"])
    kind = rnd.randrange(6)
    name = [
        f"{trade} {surname} {form}",
        f"{surname.upper()} {trade.upper()} {form}",
        f"{surname} & {rnd.choice(c['surnames'])}, {form}",
        f"{trade}-{surname[:3].upper()} {form}",
        f"Ing. {rnd.choice(c['first'])} {surname} - {trade}",
        f"{rnd.choice(c['first'])} {surname}",
    ][kind if lang in ("sk", "cs") else kind % 4]
    city = rnd.choice(c["cities"])
    number = f"{rnd.randint(1, 120)}{rnd.choice(['', '', '/A', '/12'])}"
    street = f"{rnd.choice(c['streets'])} {number}"
    if lang == "en":
        street = f"{rnd.randint(1, 120)} {rnd.choice(c['streets'])}"
    if lang == "de":
        vat = valid_drawn(rnd, lambda r: "DE" + _digits(r, 9), de_vat.is_valid)
        return Party(name, "", None, vat, street=street, city=city), city.split(" ", 1)[-1]
    if lang == "en":
        digits = _digits(rnd, 7)
        vat = f"IE{digits}{ie_vat.calc_check_digit(digits)}"
        return Party(name, "", None, vat, street=street, city=city), city.split(" ")[0]
    ico = _ico(rnd)
    if lang == "sk":
        dic = _sk_dic(rnd)
        party = Party(name, ico, dic, "SK" + dic, street=street, city=city)
    else:
        party = Party(name, ico, "CZ" + ico, None, street=street, city=city)
    return party, city.split(" ", 2)[-1]


def _date(d: date, lang: str, style: int) -> str:
    if lang in ("de", "en"):
        month = MONTHS[lang].split()[d.month - 1]
        if lang == "de":
            forms = [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}. {month} {d.year}"]
            forms.append(f"{d.day:02d}.{d.month:02d}.{d.year % 100:02d}")
        else:
            forms = [f"{d.day} {month} {d.year}", f"{d.day:02d}/{d.month:02d}/{d.year}"]
            forms += [f"{month[:3]} {d.day}, {d.year}", f"{d.day}-{month[:3]}-{d.year}"]
            forms.append(d.isoformat())
        return forms[style % len(forms)]
    forms = [
        f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.day}.{d.month}.{d.year}",
        f"{d.day}. {d.month}. {d.year}",
        f"{d.day:02d}. {d.month:02d}. {d.year}",
        f"{d.day}. {MONTHS[lang].split()[d.month - 1]} {d.year}",
    ]
    return forms[style % len(forms)]


def _money(v: Decimal, currency: str, style: int, symbol: bool = True, lang: str = "sk") -> str:
    whole, cents = f"{abs(v):.2f}".split(".")
    sign = "-" if v < 0 else ""
    if lang == "en":
        plain = f"{sign}{abs(v):,.2f}"
        return plain if not symbol else [f"€{plain}", f"EUR {plain}", f"{plain} EUR"][style % 3]
    if lang == "de":
        grouped = f"{int(whole):,}".replace(",", ".")
        plain = f"{sign}{grouped},{cents}"
        return plain if not symbol else [f"{plain} €", f"{plain} EUR", f"EUR {plain}"][style % 3]
    sep = [" ", "\u00a0", ".", ""][style % 4]
    grouped = f"{int(whole):,}".replace(",", sep)
    if not symbol:
        return f"{sign}{grouped},{cents}"
    mark = {"EUR": ["€", "EUR"], "CZK": ["Kč", "CZK"]}[currency][style % 2]
    return f"{sign}{grouped},{cents} {mark}"


def make(seed: int, langs: tuple[str, ...] = ()) -> tuple[Doc, str, dict[str, object]]:
    """A document, its language (one of `langs` if given), and the printing choices the
    renderer needs."""
    rnd = random.Random(seed)
    pick = rnd.random()
    lang = "sk" if pick < 0.45 else "cs" if pick < 0.7 else "de" if pick < 0.85 else "en"
    lang = langs[int(pick * len(langs))] if langs else lang
    domestic = lang in ("sk", "cs")
    supplier, city = _company(rnd, lang)
    # the customer: a Slovak company (the office's clients), or a Czech one for a Czech supplier
    customer, _ = _company(rnd, "cs" if lang == "cs" and rnd.random() < 0.4 else "sk")
    vat_payer = rnd.random() > 0.12 or not domestic
    if not vat_payer:
        supplier = replace(supplier, ic_dph=None, dic=supplier.dic if lang == "sk" else None)
    r = rnd.random()
    doc_type = "credit_note" if r < 0.12 else "proforma_invoice" if r < 0.25 else "invoice"
    issued = date(2025, 1, 1) + timedelta(days=rnd.randrange(0, 700))
    delivered = issued - timedelta(days=rnd.choice([0, 0, 0, 1, 3, 10, 15]))
    due = issued + timedelta(days=rnd.choice([7, 10, 14, 15, 21, 30, 60]))
    yy, n = issued.year % 100, rnd.randint(1, 9999)
    number = rnd.choice(
        [
            f"FA{issued.year}{n:04d}",
            f"{issued.year}{n:05d}",
            f"FV-{yy}-{n:04d}",
            f"{n:04d}/{issued.year}",
            f"OF{yy}{n:05d}",
            f"{issued.year}-{n:03d}",
            f"2{yy}1{n:04d}",
        ]
    )
    if not domestic:
        number = rnd.choice(
            [f"RE-{issued.year}-{n:05d}", f"R{issued.year}{n:05d}", f"{n:06d}"]
            if lang == "de"
            else [f"INV-{n:05d}", f"INV/{issued.year}/{n:04d}", f"{yy}{n:05d}"]
        )
    digits = "".join(ch for ch in number if ch.isdigit())
    vs = rnd.choice([digits, digits, str(rnd.randint(10**5, 10**9))])[:10] if domestic else None
    rates = {"sk": (23, 19, 5), "cs": (21, 12), "de": (19, 7), "en": (23, 9)}[lang]
    chosen = rnd.sample(rates, k=rnd.choice([1, 1, 1, 2]))
    catalogue = ITEMS[lang]
    items = tuple(
        Item(
            f"{text} [{unit}]",
            Decimal(rnd.choice([1, 1, 2, 3, 5, 10, 12])) * rnd.choice([1, 1, Decimal("0.5")]),
            (Decimal(rnd.randint(50, 90000)) / 100).quantize(CENT),
            rnd.choice(chosen),
        )
        for text, unit in rnd.sample(catalogue, k=rnd.randint(1, min(6, len(catalogue))))
    )
    currency = "CZK" if lang == "cs" and rnd.random() < 0.8 else "EUR"
    doc = Doc(
        doc_type=doc_type,
        number=number,
        issue_date=issued,
        supplier=supplier,
        customer=customer,
        items=items,
        variable_symbol=vs,
        delivery_date=None if doc_type == "proforma_invoice" else delivered,
        due_date=due,
        currency=currency,
        iban=_iban(rnd, lang, list(COMPANIES[lang]["banks"])),
        vat_payer=vat_payer,
        refers_to=(
            f"{issued.year}{rnd.randint(1, 9999):05d}" if doc_type == "credit_note" else None
        ),
    )
    if currency == "CZK":  # Czech programs round the amount to pay to whole crowns
        exact = doc.total()
        doc = replace(doc, rounding=exact.quantize(Decimal(1), ROUND_HALF_UP) - exact)
    if doc_type == "invoice" and vat_payer and rnd.random() < 0.12:
        doc = replace(doc, advance_paid=(doc.total() / 2).quantize(Decimal(1)))
    choices = {"style": rnd.randrange(5), "city": city, "register": rnd.randrange(3)}
    return doc, lang, choices


def expected_of(doc: Doc, lang: str) -> dict[str, object]:
    """What the page shows: a Czech program prints a Slovak customer's IČ DPH as its "DIČ"
    (the contract's `dic`, as printed) and no Slovak DIČ."""
    out = doc.expected()
    if lang in ("de", "en"):  # a foreign program prints VAT ids only
        out["supplier"] = {**doc.supplier.expected(), "ico": None}
        out["customer"] = {**doc.customer.expected(), "ico": None, "dic": None}
    if lang == "cs" and doc.customer.ic_dph:
        out["customer"] = {**doc.customer.expected(), "dic": doc.customer.ic_dph, "ic_dph": None}
    return out


PHONES = {"sk": "+421 90", "cs": "+420 60", "de": "+49 89 ", "en": "+353 1 "}


@dataclass
class Pieces:
    """What a document prints, in the words and forms drawn for it, before any arrangement:
    both producers (HTML for Chromium, fpdf2) set the same pieces."""

    rnd: random.Random
    title: str
    facts: list[tuple[str, str]]  # number (unless in the title) and dates
    pay: list[tuple[str, str]]  # payment method, symbols
    bank: list[tuple[str, str]]
    supplier: tuple[str, list[str]]  # header label (or ""), lines
    customer: tuple[str, list[str]]
    items: list[list[str]]  # the header first
    recap: list[list[str]]  # a table (header first), or label / value lines
    recap_is_table: bool
    sums: list[tuple[str, str]]
    total: tuple[str, str]
    notes: list[str]  # the corrected invoice, a non-payer's or the terms line
    footer: list[str]


def pieces(doc: Doc, lang: str, choices: dict[str, object], seed: int) -> Pieces:
    rnd = random.Random(seed * 7 + 1)
    W = {k: rnd.choice(v) for k, v in WORDS[lang].items()}
    dstyle, mstyle = rnd.randrange(5), rnd.randrange(4)
    cur = doc.currency
    sign = doc.sign
    domestic = lang in ("sk", "cs")

    def d(x: date) -> str:
        return _date(x, lang, dstyle)

    def m(v: Decimal, symbol: bool = True) -> str:
        return _money(v, cur, mstyle, symbol, lang)

    def colon(label: str) -> str:
        return label if label.endswith(":") or rnd.random() < 0.3 else label + ":"

    def ids(p: Party) -> list[str]:
        if not domestic:  # a foreign program prints VAT ids only
            parts = [(W["ic_dph"], p.ic_dph or "")]
        elif lang == "sk":
            parts = [(W["ico"], p.ico), (W["dic"], p.dic or ""), (W["ic_dph"], p.ic_dph or "")]
            parts = [(k, v) for k, v in parts if v]
        else:  # Czech: IČ, and the DIČ with its country prefix (a Slovak IČ DPH)
            parts = [(W["ico"], p.ico)]
            if p.ic_dph or p.dic:
                parts.append((W["dic"], p.ic_dph or p.dic or ""))
        if rnd.random() < 0.4:  # on one line
            return [", ".join(f"{k}: {v}" for k, v in parts)]
        return [f"{colon(k)} {v}" for k, v in parts]

    def party(label: str, p: Party) -> tuple[str, list[str]]:
        return label.rstrip(":"), [p.name, p.street, p.city, *ids(p)]

    facts: list[tuple[str, str]] = [(W["issue"], d(doc.issue_date))]
    if doc.delivery_date:
        facts.append((W["delivery"], d(doc.delivery_date)))
    facts.append((W["due"], d(doc.due_date or doc.issue_date)))
    pay = [(W["method"], W["transfer"])]
    if domestic:
        pay += [(W["vs"], doc.variable_symbol or ""), (W["ks"], rnd.choice(["0308", "0008"]))]
    bank_code = (doc.iban or "")[4 : 12 if lang == "de" else 8]
    bank = [(W["bank"], COMPANIES[lang]["banks"].get(bank_code, ""))]
    if lang == "cs" and rnd.random() < 0.7:
        iban = doc.iban or ""
        prefix, number = iban[8:14].lstrip("0"), iban[14:].lstrip("0")
        bank.append(("Číslo účtu", f"{prefix + '-' if prefix else ''}{number}/{bank_code}"))
    iban_line = ("IBAN", " ".join((doc.iban or "")[i : i + 4] for i in range(0, 24, 4)))
    if rnd.random() < 0.5:
        iban_line = ("IBAN", doc.iban or "")
    swift = {"sk": "GIBASKBX", "cs": "KOMBCZPP", "de": "COBADEFFXXX", "en": "AIBKIE2D"}[lang]
    bank += [iban_line, ("SWIFT" if domestic else "BIC", swift)]

    items = [[W["item"], W["qty"], W["unit"], W["price"]]]
    if doc.vat_payer:
        items[0].append(W["rate"])
    items[0].append(W["line"])
    for i, it in enumerate(doc.items, 1):
        text, unit = it.text.rsplit(" [", 1)
        qty = f"{it.quantity.normalize():f}"
        qty = qty if lang == "en" else qty.replace(".", ",")
        line = (it.quantity * it.unit_price * sign).quantize(CENT, ROUND_HALF_UP)
        cells = [f"{i}. {text}" if rnd.random() < 0.3 else text, qty, unit.rstrip("]")]
        cells.append(m(it.unit_price * sign, symbol=False))
        if doc.vat_payer:
            cells.append(f"{it.rate} %")
        cells.append(m(line, symbol=rnd.random() < 0.3))
        items.append(cells)

    rows = doc.vat_rows()
    recap: list[list[str]] = []
    recap_is_table = doc.vat_payer and rnd.random() < 0.6
    if recap_is_table:
        recap.append([W["rate"], W["base"], W["vat"], W["with_vat"]])
        for r in rows:
            base, vat = Decimal(r["base"]), Decimal(r["vat"])
            recap.append([f"{r['rate']} %", m(base), m(vat), m(base + vat)])
    elif doc.vat_payer:
        for r in rows:
            recap.append([colon(f"{W['base']} {r['rate']} %"), m(Decimal(r["base"]))])
            recap.append([colon(f"{W['vat']} {r['rate']} %"), m(Decimal(r["vat"]))])
    sums: list[tuple[str, str]] = []
    net = sum((Decimal(r["base"]) for r in rows), Decimal(0))
    vat = sum((Decimal(r["vat"]) for r in rows), Decimal(0))
    if doc.vat_payer and rnd.random() < 0.6:
        sums += [(W["net"], m(net)), (W["vat_sum"], m(vat)), (W["gross"], m(net + vat))]
    if doc.rounding:
        sums.append((W["rounding"], m(doc.rounding)))
    if doc.advance_paid:
        sums.append((W["advance"], m(-doc.advance_paid)))
    total_text = m(doc.total())
    if cur == "CZK" and rnd.random() < 0.3:
        total_text = total_text.replace(",00", ",-")

    numbered_title = rnd.random() < 0.5
    title = f"{W[doc.doc_type]} {doc.number}" if numbered_title else W[doc.doc_type]
    number_fact = [] if numbered_title else [(W["number"], doc.number)]
    notes = [f"{W['refers']} {doc.refers_to}", W["reason"]] if doc.refers_to else []
    if not doc.vat_payer:
        notes.append(W["non_payer"])
    if not domestic:
        notes.append(W["terms"])
    register = str(WORDS[lang]["register"][int(str(choices["register"]))]).format(
        city=choices["city"], n=rnd.randint(1000, 99999)
    )
    contact = (
        f"{W['issued_by']}: {rnd.choice(COMPANIES[lang]['first'])} "
        f"{rnd.choice(COMPANIES[lang]['surnames'])}, tel.: {PHONES[lang]}"
        f"{rnd.randint(1000000, 9999999)}, info@example.com"
    )
    return Pieces(
        rnd,
        title,
        [(colon(k), v) for k, v in number_fact + facts],
        [(colon(k), v) for k, v in pay],
        [(colon(k), v) for k, v in bank],
        party(W["supplier"], doc.supplier),
        party(W["customer"], doc.customer),
        items,
        recap,
        recap_is_table,
        [(colon(k), v) for k, v in sums],
        (colon(W["total"]), total_text),
        notes,
        [register, contact],
    )


def render(doc: Doc, lang: str, choices: dict[str, object], seed: int) -> str:
    """The document as HTML for Chromium, in one of five arrangements."""
    p = pieces(doc, lang, choices, seed)
    rnd = p.rnd

    def esc(s: str) -> str:
        return html.escape(s)

    def party(block: tuple[str, list[str]]) -> str:
        label, (name, *lines) = block
        head = f"<div class='lbl'>{esc(label)}</div>" if label else ""
        rest = "".join(f"<div>{esc(line)}</div>" for line in lines)
        return f"<div class='party'>{head}<div class='name'>{esc(name)}</div>{rest}</div>"

    def fact_table(rows: list[tuple[str, str]] | list[list[str]]) -> str:
        body = "".join(f"<tr><td>{esc(k)}</td><td><b>{esc(v)}</b></td></tr>" for k, v in rows)
        return f"<table>{body}</table>"

    def fact_boxes(rows: list[tuple[str, str]]) -> str:
        cells = "".join(
            f"<td><div class='small'>{esc(k.rstrip(':'))}</div><div><b>{esc(v)}</b></div></td>"
            for k, v in rows
        )
        return f"<table class='boxes'><tr>{cells}</tr></table>"

    def table(rows: list[list[str]], cls: str) -> str:
        head = "".join(f"<th>{esc(c)}</th>" for c in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
        )
        return f"<table class='{cls}'><tr>{head}</tr>{body}</table>"

    title_html = f"<h1>{esc(p.title)}</h1>"
    items = table(p.items, "items")
    recap = (
        "" if not p.recap else table(p.recap, "recap") if p.recap_is_table else fact_table(p.recap)
    )
    label, amount = p.total
    totals = fact_table(p.sums) + (
        f"<div class='total'>{esc(label)} <span>{esc(amount)}</span></div>"
    )
    notes = "".join(f"<p>{esc(n)}</p>" for n in p.notes)
    footer = f"<div class='footer'>{'<br>'.join(esc(f) for f in p.footer)}</div>"
    sup, cus = party(p.supplier), party(p.customer)
    facts, pay, bank = p.facts, p.pay, p.bank
    style = int(str(choices["style"]))
    if style == 0:  # web app: title, the parties side by side, facts and payment, items
        main = (
            f"{title_html}<table class='cols'><tr><td>{sup}</td><td>{cus}</td></tr></table>"
            f"<table class='cols'><tr><td>{fact_table(facts)}</td>"
            f"<td>{fact_table(pay + bank)}</td></tr></table>{items}"
            f"<table class='cols'><tr><td>{recap}</td><td>{totals}</td></tr></table>{notes}"
        )
    elif style == 1:  # desktop accounting: letterhead, title at right, envelope, boxes of facts
        main = (
            f"<table class='cols'><tr><td>{sup}</td><td class='right'>{title_html}</td></tr>"
            f"<tr><td>{fact_table(bank)}</td><td class='envelope'>{cus}</td></tr></table>"
            f"{fact_boxes(facts + pay[1:2])}{items}{recap}{totals}{notes}"
        )
    elif style == 2:  # a bordered two-by-two grid under a centred title
        main = (
            f"<div class='center'>{title_html}</div><table class='grid'>"
            f"<tr><td>{sup}</td><td>{fact_table(facts)}</td></tr>"
            f"<tr><td>{fact_table(pay + bank)}</td><td>{cus}</td></tr></table>"
            f"{items}{recap}{totals}{notes}"
        )
    elif style == 3:  # a typed template: everything one under the other
        main = (
            f"{title_html}{fact_table(facts + pay)}{sup}{cus}{fact_table(bank)}"
            f"{items}{recap}{totals}{notes}"
        )
    else:  # the supplier in a sidebar, the rest in the main column
        main = (
            f"<table class='cols'><tr><td class='sidebar'>{sup}{fact_table(bank)}</td>"
            f"<td>{title_html}{cus}{fact_table(facts + pay)}{items}{recap}"
            f"{totals}{notes}</td></tr></table>"
        )
    font = rnd.choice(["DejaVu Sans", "Liberation Sans", "Liberation Serif", "DejaVu Serif"])
    size = rnd.choice([9, 10, 11])
    border = rnd.choice(["1px solid #999", "none", "0.5px solid #333"])
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: '{font}'; font-size: {size}pt; }}
h1 {{ font-size: {size + rnd.choice([4, 6, 8])}pt; margin: 4pt 0; }}
table {{ border-collapse: collapse; }}
table.cols, table.grid, table.items {{ width: 100%; margin: 6pt 0; }}
table.cols > tbody > tr > td {{ vertical-align: top; width: 50%; padding: 2pt 6pt 2pt 0; }}
table.grid td {{ border: 1px solid #444; vertical-align: top; padding: 4pt; width: 50%; }}
table.items th, table.items td, table.recap th, table.recap td {{ border: {border};
  padding: 2pt 4pt; text-align: left; }}
table.boxes td, table.boxed td {{ border: 1px solid #666; padding: 2pt 5pt; }}
td {{ padding: 1pt 6pt 1pt 0; }}
.small {{ font-size: {size - 2}pt; color: #555; }}
.lbl {{ font-weight: bold; text-transform: {rnd.choice(["none", "uppercase"])}; }}
.name {{ font-weight: bold; }}
.party {{ margin: 4pt 0; }}
.envelope {{ border: 1px solid #999; padding: 8pt; }}
.sidebar {{ background: #eef; width: 32% !important; }}
.right {{ text-align: right; }}
.center {{ text-align: center; }}
.total {{ font-size: {size + 2}pt; font-weight: bold; margin-top: 6pt; }}
.footer {{ margin-top: 20pt; font-size: {size - 2}pt; color: #444; }}
</style></head><body>{main}{footer}</body></html>"""


def render_pdf(doc: Doc, lang: str, choices: dict[str, object], seed: int) -> bytes:
    """The document as a desktop program draws it with fpdf2: each piece at its place on
    the page (letterhead or title first, a window envelope, label and value columns, an
    items table with amounts set right), every text drawn in a random order."""
    from fpdf import FPDF

    from tests.docgen import FONT_DIR

    p = pieces(doc, lang, choices, seed)
    rnd = p.rnd
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    size = rnd.choice([8, 8.5, 9, 10])
    line = size * 0.45  # mm between lines
    texts: list[tuple[float, float, str, float, bool]] = []  # x, y, text, size, bold

    def put(x: float, y: float, text: str, bold: bool = False, right: bool = False) -> None:
        if text:
            pdf.set_font("DejaVu", "B" if bold else "", size)
            texts.append((x - pdf.get_string_width(text) if right else x, y, text, size, bold))

    def block(x: float, y: float, party: tuple[str, list[str]]) -> float:
        label, lines = party
        if label:
            put(x, y, label, bold=True)
            y += line
        pdf.set_font("DejaVu", "", size)
        for i, text in enumerate(lines):
            parts = [text]
            if pdf.get_string_width(text) > 88:  # wider than its column: one id a line
                parts = text.split(", ")
            for part in parts:
                put(x, y, part, bold=i == 0)
                y += line
        return y

    def pairs(x: float, y: float, rows: list[tuple[str, str]], gap: float) -> float:
        pdf.set_font("DejaVu", "", size)  # the values' column clears the longest label
        gap = max([gap, *(pdf.get_string_width(label) + 3 for label, _ in rows)])
        for label, value in rows:
            put(x, y, label)
            put(x + gap, y, value)
            y += line
        return y

    envelope = rnd.random() < 0.5
    gap = rnd.choice([32.0, 38.0, 45.0])
    if envelope:  # letterhead left, title right, the customer in the window
        y = block(15, 15, p.supplier)
        texts.append((115, 18, p.title, size + 5, True))
        block(115, 45, p.customer)
        y = pairs(15, max(y, 50) + line, p.facts, gap)
        y = pairs(15, y + line, p.pay + p.bank, gap) + line
    else:  # title first, the parties side by side, the facts across
        texts.append((15, 16, p.title, size + 5, True))
        block(15, 26, p.supplier)
        y = block(110, 26, p.customer)
        facts = p.facts + p.pay[1:2]
        step = 180 / max(len(facts), 1)
        pdf.set_font("DejaVu", "", size)
        heads = []  # a label wider than its column wraps, as a table cell does
        for label, _ in facts:
            words = label.rstrip(":").split()
            cut = len(words)
            while cut > 1 and pdf.get_string_width(" ".join(words[:cut])) > step - 4:
                cut -= 1
            heads.append([" ".join(words[:cut]), " ".join(words[cut:])])
        depth = 2 if any(rest for _, rest in heads) else 1
        for i, ((head, rest), (_, value)) in enumerate(zip(heads, facts, strict=True)):
            put(15 + i * step, y + 2 * line, head)
            put(15 + i * step, y + 3 * line, rest)
            put(15 + i * step, y + (2 + depth) * line, value)
        y = pairs(15, y + (4 + depth) * line, p.bank, gap) + line
    # (x, set right) per column: description, quantity, unit, price, [rate,] line total
    columns = [(15.0, False), (105.0, True), (110.0, False), (145.0, True), (165.0, True)]
    columns = [*columns[: len(p.items[0]) - 1], (195.0, True)]
    for r, row in enumerate(p.items):
        for (x, right), text in zip(columns, row, strict=True):
            put(x, y, text, bold=r == 0, right=right)
        y += line * 1.3
    y += line
    if p.recap_is_table:
        for row in p.recap:
            for c, text in enumerate(row):
                put(15 + 30 * c + (25 if c else 0), y, text, right=c > 0)
            y += line
    else:
        y = pairs(15, y, [(a, b) for a, b in p.recap], gap + 15)
    y = pairs(110, y + line, p.sums, 50)
    label, amount = p.total
    put(110, y + line, label, bold=True)
    put(195, y + line, amount, bold=True, right=True)
    y += 3 * line
    for note in p.notes:
        put(15, y, note)
        y += line
    for i, text in enumerate(p.footer):
        put(15, 280 + i * line, text)
    rnd.shuffle(texts)  # programs draw in their own order; the page looks the same
    for x, yy, text, points, bold in texts:
        pdf.set_font("DejaVu", "B" if bold else "", points)
        pdf.text(x, yy, text)
    return bytes(pdf.output())


def drawn(
    n: int, first_seed: int = 67000, langs: tuple[str, ...] = ()
) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, drawn by fpdf2 (`render_pdf`)."""
    for seed in range(first_seed, first_seed + n):
        doc, lang, choices = make(seed, langs)
        yield doc, render_pdf(doc, lang, choices, seed), expected_of(doc, lang)


def documents(
    n: int, first_seed: int = 60000, langs: tuple[str, ...] = ()
) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    with browser() as chrome:
        for seed in range(first_seed, first_seed + n):
            doc, lang, choices = make(seed, langs)
            yield doc, print_pdf(chrome, render(doc, lang, choices, seed)), expected_of(doc, lang)


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "apps")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
