"""Invoices of online services and shops, printed by headless Chromium: a held-out family
written after the reader, from a choice space of its own.

What a Slovak company gets from the services it buys online — a cloud or software
subscription billed by a payment platform, a hosting provider's monthly letter, a marketplace
order — in English or German: the supplier in Ireland, Germany, the Netherlands, Austria or
Luxembourg, the client's IČ DPH under the customer, often a reverse charge (0 %, "VAT to be
accounted for by the recipient"), card payments with no IBAN, amounts as "€1,234.56" or
"1.234,56 €", dates as "November 24, 2026" or "24.11.2026", customer, order and contract
numbers printed beside the invoice number, and the amount due repeated in a headline. The
wordings are those these services print; the layouts are three: a payment platform's
(meta table, "Bill to", summary with a VAT line naming its base), a hosting letter (DIN 5008
sender line over the window address, facts at the right, legal footer with bank and register)
and a marketplace's (sold by / billing address / delivery address side by side, a VAT
breakdown table under the items).

    python -m tests.saasgen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import html
import random
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from stdnum import iban as std_iban
from stdnum.at import uid
from stdnum.de import vat as de_vat
from stdnum.ie import vat as ie_vat
from stdnum.lu import tva as lu_tva
from stdnum.nl import btw

from tests.docgen import Doc, Item, Party, digits, make_doc, valid_drawn
from tests.htmlgen import printed_pages, write_samples

CENT = Decimal("0.01")

SUPPLIERS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "ie": (
        ("Cloudberry Software Ltd", "2 Grand Canal Square", "Dublin 2, D02 A342, Ireland"),
        ("Northwind Analytics Limited", "70 Sir John Rogerson's Quay", "Dublin 2, Ireland"),
    ),
    "de": (
        ("Serverwerk Online GmbH", "Industriestr. 25", "91710 Gunzenhausen"),
        ("Datenhafen Hosting AG", "Am Sandtorkai 4", "20457 Hamburg"),
    ),
    "nl": (("Pixelfabriek B.V.", "Herengracht 182", "1016 BR Amsterdam"),),
    "at": (("Alpenbyte IT-Services GmbH", "Landstraßer Hauptstraße 71", "1030 Wien"),),
    "lu": (("Marktplatz Europe S.à r.l.", "38 avenue John F. Kennedy", "L-1855 Luxembourg"),),
}
RATES = {"ie": 23, "de": 19, "nl": 21, "at": 20, "lu": 17}
ITEMS = {
    "platform": ["Pro plan", "Team seats", "API usage", "Premium support"],
    "hosting": ["Dedicated server AX41", "Cloud server CX22", "Storage box 1 TB", "Domain .sk"],
    "market": ["USB-C cable 2 m", "Wireless mouse", "Toner cartridge", "Office chair", "SSD 1 TB"],
}


def _vat_id(rnd: random.Random, country: str) -> str:
    if country == "ie":
        return "IE" + valid_drawn(
            rnd,
            lambda r: f"{r.randint(1, 9)}{digits(r, 6)}{r.choice('ABCDEFGHW')}",
            ie_vat.is_valid,
        )
    if country == "de":
        return "DE" + valid_drawn(
            rnd, lambda r: f"{r.randint(1, 9)}{digits(r, 8)}", de_vat.is_valid
        )
    if country == "nl":
        return valid_drawn(rnd, lambda r: f"NL{r.randint(1, 9)}{digits(r, 8)}B01", btw.is_valid)
    if country == "at":
        return valid_drawn(rnd, lambda r: f"ATU{r.randint(1, 9)}{digits(r, 7)}", uid.is_valid)
    return "LU" + valid_drawn(rnd, lambda r: f"{r.randint(1, 9)}{digits(r, 7)}", lu_tva.is_valid)


def _iban(rnd: random.Random, country: str) -> str:
    length = {"ie": 18, "de": 18, "nl": 14, "at": 16, "lu": 16}[country]
    prefix = {"ie": "AIBK", "nl": "INGB", "lu": "0019"}.get(country, "")

    def make(r: random.Random) -> str:
        body = prefix + digits(r, length - len(prefix))
        cc = country.upper()
        return f"{cc}{std_iban.calc_check_digits(cc + '00' + body)}{body}"

    return valid_drawn(rnd, make, std_iban.is_valid)


MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}


def _date(d: date, lang: str, style: int) -> str:
    month = MONTHS[lang].split()[d.month - 1]
    if lang == "de":
        return [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}. {month} {d.year}"][style % 2]
    return [
        f"{month} {d.day}, {d.year}",
        f"{month[:3]} {d.day}, {d.year}",
        f"{d.day} {month} {d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        d.isoformat(),
    ][style % 5]


def _money(v: Decimal, lang: str, style: int, currency: str = "EUR") -> str:
    sign = "-" if v < 0 else ""
    whole, cents = f"{abs(v):.2f}".split(".")
    symbol = {"EUR": "€", "USD": "$"}[currency]
    if lang == "de":
        grouped = f"{int(whole):,}".replace(",", ".")
        return [f"{sign}{grouped},{cents} {symbol}", f"{sign}{grouped},{cents} {currency}"][
            style % 2
        ]
    grouped = f"{int(whole):,}"
    return [
        f"{sign}{symbol}{grouped}.{cents}",
        f"{sign}{currency} {grouped}.{cents}",
        f"{sign}{grouped}.{cents} {currency}",
    ][style % 3]


L10N = {
    "en": {
        "invoice": ["Invoice", "INVOICE", "Tax invoice"],
        "credit": ["Credit note", "CREDIT NOTE"],
        "number": ["Invoice number", "Invoice no.", "Invoice #"],
        "credit_number": ["Credit note number", "Credit note no."],
        "refers": ["Original invoice", "Credit for invoice"],
        "issue": ["Date of issue", "Invoice date", "Date"],
        "due": ["Date due", "Due date", "Payment due"],
        "delivery": ["Date of supply", "Delivery date", "Service date"],
        "bill_to": ["Bill to", "Billed to", "Invoice to"],
        "customer_vat": ["VAT", "VAT ID", "VAT number", "EU VAT"],
        "supplier_vat": ["VAT ID", "VAT No.", "VAT reg. no."],
        "customer_no": ["Customer no.", "Account number", "Customer ID"],
        "order_no": ["Order #", "Order number", "Order ID"],
        "description": ["Description", "Item", "Product"],
        "qty": ["Qty", "Quantity"],
        "unit": ["Unit price", "Price"],
        "tax": ["Tax", "VAT"],
        "amount": ["Amount", "Total"],
        "subtotal": ["Subtotal", "Total excluding tax", "Net amount"],
        "vat_line": ["VAT ({rate}%)", "VAT {rate} %", "Tax ({rate}% on {base})"],
        "total": ["Total", "Total incl. VAT", "Invoice total"],
        "due_amount": ["Amount due", "Total payable", "Balance due"],
        "paid": ["Paid with Visa •••• 4242", "Paid by credit card", "Payment received, thank you"],
        "reverse": [
            "Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).",
            "Tax to be paid on reverse charge basis.",
        ],
        "bank": ["Bank transfer to", "Please pay to"],
        "sold_by": ["Sold by"],
        "billing": ["Billing address"],
        "delivery_addr": ["Delivery address", "Shipping address"],
        "rate_col": ["VAT rate"],
        "net_col": ["Item subtotal (excl. VAT)", "Net"],
        "vat_col": ["VAT subtotal", "VAT"],
        "registered": ["Registered in Ireland No.", "Company no.", "Registration no."],
    },
    "de": {
        "invoice": ["Rechnung", "RECHNUNG"],
        "credit": ["Gutschrift", "Rechnungskorrektur"],
        "number": ["Rechnungsnummer", "Rechnungsnr.", "Rechnung Nr."],
        "credit_number": ["Gutschriftsnummer", "Gutschrift Nr."],
        "refers": ["zur Rechnung", "Bezug: Rechnung"],
        "issue": ["Rechnungsdatum", "Datum"],
        "due": ["Fälligkeitsdatum", "Zahlbar bis", "Fällig am"],
        "delivery": ["Leistungsdatum", "Lieferdatum"],
        "bill_to": ["Rechnung an", "Rechnungsempfänger"],
        "customer_vat": ["USt-IdNr.", "UID"],
        "supplier_vat": ["USt-IdNr.", "UID-Nr."],
        "customer_no": ["Kundennr.", "Kundennummer"],
        "order_no": ["Bestellnr.", "Auftragsnummer"],
        "description": ["Beschreibung", "Bezeichnung", "Artikel"],
        "qty": ["Menge", "Anzahl"],
        "unit": ["Einzelpreis", "Stückpreis"],
        "tax": ["USt.", "MwSt."],
        "amount": ["Betrag", "Gesamt"],
        "subtotal": ["Zwischensumme", "Summe netto", "Gesamtbetrag ohne Steuern"],
        "vat_line": ["USt. {rate} %", "zzgl. {rate} % MwSt.", "USt. ({rate} % auf {base})"],
        "total": ["Gesamtbetrag", "Rechnungsbetrag", "Summe brutto"],
        "due_amount": ["Fälliger Betrag", "Zu zahlen"],
        "paid": ["Bezahlt mit Kreditkarte", "Der Betrag wird per Lastschrift eingezogen."],
        "reverse": [
            "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge).",
            "Die Umsatzsteuer schuldet der Leistungsempfänger (§ 13b UStG).",
        ],
        "bank": ["Bankverbindung", "Bitte überweisen Sie den Betrag auf"],
        "sold_by": ["Verkauft von"],
        "billing": ["Rechnungsadresse"],
        "delivery_addr": ["Lieferadresse"],
        "rate_col": ["USt.-Satz"],
        "net_col": ["Zwischensumme (ohne USt.)", "Netto"],
        "vat_col": ["USt.", "MwSt."],
        "registered": ["Registergericht", "Firmenbuch"],
    },
}


def make(seed: int) -> tuple[Doc, dict[str, object]]:
    """A service's document to the office's client, and how it is printed."""
    rnd = random.Random(seed)
    style = rnd.choice(["platform", "hosting", "market"])
    country = rnd.choice(sorted(RATES))
    lang = "de" if country in ("de", "at") and rnd.random() < 0.7 else "en"
    name, street, city = rnd.choice(SUPPLIERS[country])
    supplier = Party(name, "", None, _vat_id(rnd, country), street=street, city=city)
    credit = rnd.random() < 0.12
    base = make_doc(seed, doc_type="credit_note" if credit else "invoice", supplier=supplier)
    reverse = style != "market" and rnd.random() < 0.5
    rate = 0 if reverse else RATES[country]
    items = tuple(
        Item(
            rnd.choice(ITEMS[style]),
            Decimal(rnd.choice([1, 1, 1, 2, 3, 12])),
            Decimal(rnd.randint(199, 99900)) / 100,
            rate,
        )
        for _ in range(rnd.randint(1, 3))
    )
    issued = base.issue_date
    number = {
        "platform": f"{''.join(rnd.choice('ABCDEF0123456789') for _ in range(8))}-{rnd.randint(1, 30):04d}",
        "hosting": f"R{rnd.randint(10**9, 10**10 - 1)}",
        "market": f"{country.upper()}{issued.year}-{rnd.randint(100000, 999999)}",
    }[style]
    pays_by_card = style == "market" or (style == "platform" and rnd.random() < 0.5)
    due = (
        None
        if pays_by_card and rnd.random() < 0.5
        else issued + timedelta(days=rnd.choice([0, 7, 14, 30]))
    )
    doc = replace(
        base,
        number=number,
        variable_symbol=None,
        items=items,
        iban=None if pays_by_card else _iban(rnd, country),
        due_date=due,
        delivery_date=issued if style == "market" or rnd.random() < 0.4 else None,
        refers_to=(
            f"{number[:-4]}{rnd.randint(1, 30):04d}"
            if style == "platform"
            else f"R{rnd.randint(10**9, 10**10 - 1)}"
        )
        if credit
        else None,
    )
    how: dict[str, object] = {
        "style": style,
        "lang": lang,
        "country": country,
        "reverse": reverse,
        "dstyle": rnd.randrange(5),
        "mstyle": rnd.randrange(3),
        "customer_no": f"K{rnd.randint(10**8, 10**9 - 1)}",
        "order_no": f"{rnd.randint(300, 306)}-{rnd.randint(10**6, 10**7 - 1)}-{rnd.randint(10**6, 10**7 - 1)}",
        "register": {
            "ie": f"{rnd.randint(100000, 799999)}",
            "de": f"HRB {rnd.randint(1000, 99999)}",
        }.get(country, f"B{rnd.randint(10000, 299999)}"),
        # credit notes printed as the platforms do, positive under their title, or signed
        "positive_credit": rnd.random() < 0.5,
    }
    return doc, how


def render(doc: Doc, how: dict[str, object], seed: int) -> str:
    rnd = random.Random(seed * 13 + 5)
    lang = str(how["lang"])
    T = {k: rnd.choice(v) for k, v in L10N[lang].items()}
    esc = html.escape
    credit = doc.doc_type == "credit_note"
    shown = Decimal(1) if credit and how["positive_credit"] else doc.sign

    def d(x: date) -> str:
        return esc(_date(x, lang, int(str(how["dstyle"]))))

    def m(v: Decimal) -> str:
        return esc(_money(v * shown, lang, int(str(how["mstyle"]))))

    s, c = doc.supplier, doc.customer
    vat_rows = doc.vat_rows()
    net = sum((abs(Decimal(r["base"])) for r in vat_rows), Decimal(0))
    total = abs(doc.total())
    title = T["credit"] if credit else T["invoice"]
    if title == "Gutschrift" and shown > 0:
        # a "Gutschrift" of positive amounts is a self-billed invoice in German VAT law
        title = "Rechnungskorrektur"
    facts: list[tuple[str, str]] = [
        (T["credit_number"] if credit else T["number"], esc(doc.number)),
        (T["issue"], d(doc.issue_date)),
    ]
    if doc.delivery_date:
        facts.append((T["delivery"], d(doc.delivery_date)))
    if doc.due_date:
        facts.append((T["due"], d(doc.due_date)))
    if credit and doc.refers_to:
        facts.append((T["refers"], esc(doc.refers_to)))
    style = how["style"]
    if style != "platform" or rnd.random() < 0.5:
        facts.insert(rnd.randint(1, len(facts)), (T["customer_no"], esc(str(how["customer_no"]))))
    if style == "market":
        facts.insert(rnd.randint(0, len(facts)), (T["order_no"], esc(str(how["order_no"]))))

    def fact_table(cls: str = "facts") -> str:
        return (
            f"<table class='{cls}'>"
            + "".join(
                f"<tr><td class='k'>{esc(k)}</td><td class='v'>{v}</td></tr>" for k, v in facts
            )
            + "</table>"
        )

    def lines(*xs: str) -> str:
        return "".join(f"<div>{esc(x)}</div>" for x in xs if x)

    customer_vat = f"{T['customer_vat']}: {c.ic_dph}" if rnd.random() < 0.85 else str(c.ic_dph)
    customer_html = lines(
        c.name, c.street, c.city, "Slovakia" if lang == "en" else "Slowakei", customer_vat
    )
    supplier_vat = f"{T['supplier_vat']}: {s.ic_dph}"
    supplier_html = lines(s.name, s.street, s.city, supplier_vat)

    items = "".join(
        f"<tr><td>{esc(i.text)}</td><td class='r'>{i.quantity}</td><td class='r'>{m(i.unit_price)}</td>"
        f"<td class='r'>{i.rate}%</td><td class='r'>{m(i.quantity * i.unit_price)}</td></tr>"
        for i in doc.items
    )
    items_html = (
        f"<table class='items'><tr><th>{esc(T['description'])}</th><th>{esc(T['qty'])}</th>"
        f"<th>{esc(T['unit'])}</th><th>{esc(T['tax'])}</th><th>{esc(T['amount'])}</th></tr>{items}</table>"
    )
    summary = [(T["subtotal"], m(net))]
    for r in vat_rows:
        summary.append(
            (
                T["vat_line"].format(
                    rate=r["rate"],
                    base=_money(abs(Decimal(r["base"])) * shown, lang, int(str(how["mstyle"]))),
                ),
                m(abs(Decimal(r["vat"]))),
            )
        )
    summary.append((T["total"], f"<b>{m(total)}</b>"))
    if style == "platform" and not credit and doc.due_date:
        summary.append((T["due_amount"], f"<b>{m(total)}</b>"))
    summary_html = (
        "<table class='sum'>"
        + "".join(f"<tr><td>{esc(k)}</td><td class='r'>{v}</td></tr>" for k, v in summary)
        + "</table>"
    )
    notes = []
    if how["reverse"]:
        notes.append(T["reverse"])
    if doc.iban:
        iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4))
        notes.append(f"{T['bank']}: IBAN {iban}")
    else:
        notes.append(T["paid"])
    notes_html = "".join(f"<p class='note'>{esc(n)}</p>" for n in notes)
    legal = f"{s.name} · {s.street}, {s.city} · {T['registered']} {how['register']} · {T['supplier_vat']} {s.ic_dph}"

    if style == "platform":
        headline = ""
        if doc.due_date and not credit:
            headline = (
                f"<h2>{m(total)} {'due' if lang == 'en' else 'fällig am'} {d(doc.due_date)}</h2>"
            )
        body = (
            f"<div class='row'><div><h1>{esc(title)}</h1>{fact_table()}</div><div class='logo'>{esc(s.name.split()[0])}</div></div>"
            f"<div class='row'><div>{supplier_html}</div><div><div class='h'>{esc(T['bill_to'])}</div>{customer_html}</div><div></div></div>"
            f"{headline}{items_html}{summary_html}{notes_html}"
        )
    elif style == "hosting":
        sender = f"{s.name} · {s.street} · {s.city}"
        body = (
            f"<div class='logo big'>{esc(s.name)}</div>"
            f"<div class='row'><div class='window'><div class='sender'>{esc(sender)}</div>{customer_html}</div>"
            f"<div>{fact_table()}</div></div><h1>{esc(title)}</h1>"
            f"{items_html}{summary_html}{notes_html}<div class='footer'>{esc(legal)}</div>"
        )
    else:
        breakdown = (
            f"<table class='items'><tr><th>{esc(T['rate_col'])}</th><th>{esc(T['net_col'])}</th><th>{esc(T['vat_col'])}</th></tr>"
            + "".join(
                f"<tr><td>{r['rate']}%</td><td class='r'>{m(abs(Decimal(r['base'])))}</td><td class='r'>{m(abs(Decimal(r['vat'])))}</td></tr>"
                for r in vat_rows
            )
            + "</table>"
        )
        body = (
            f"<h1>{esc(title)}</h1>"
            f"<div class='row'><div>{fact_table()}</div><div class='due'>{esc(T['due_amount'] if not credit else T['total'])} <b>{m(total)}</b></div></div>"
            f"<div class='row'><div><div class='h'>{esc(T['sold_by'])}</div>{supplier_html}</div>"
            f"<div><div class='h'>{esc(T['billing'])}</div>{customer_html}</div>"
            f"<div><div class='h'>{esc(T['delivery_addr'])}</div>{lines(c.name, c.street, c.city)}</div></div>"
            f"{items_html}{breakdown}{summary_html}{notes_html}<div class='footer'>{esc(legal)}</div>"
        )
    font = rnd.choice(["Liberation Sans", "DejaVu Sans", "Liberation Serif"])
    size = rnd.choice([8, 9, 10])
    css = f"""
    body {{ font-family: '{font}'; font-size: {size}pt; margin: 0; color: #222; }}
    h1 {{ font-size: {size + 8}pt; margin: 1mm 0 3mm; }} h2 {{ font-size: {size + 4}pt; }}
    .row {{ display: flex; gap: 10mm; margin: 4mm 0; }} .row > div {{ flex: 1; }}
    .h {{ font-weight: bold; }} .logo {{ font-size: {size + 6}pt; color: #557; text-align: right; }}
    .logo.big {{ text-align: left; margin-bottom: 8mm; }}
    .sender {{ font-size: {size - 2}pt; text-decoration: underline; margin-bottom: 2mm; }}
    .window {{ padding-top: 6mm; }} .due {{ font-size: {size + 3}pt; text-align: right; }}
    table {{ border-collapse: collapse; margin: 3mm 0; }} td, th {{ padding: 0.8mm 2.5mm; }}
    table.facts td.k {{ color: #666; }}
    table.items {{ width: 100%; }} table.items th {{ border-bottom: 1px solid #999; text-align: right; }}
    table.items th:first-child {{ text-align: left; }} td.r {{ text-align: right; }}
    table.sum {{ margin-left: auto; min-width: 75mm; }}
    .note {{ color: #444; }} .footer {{ margin-top: 12mm; font-size: {size - 2}pt; color: #666;
    border-top: 1px solid #ccc; }}
    """
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><style>{css}</style>"
        f"</head><body>{body}</body></html>"
    )


def expected_of(doc: Doc) -> dict[str, object]:
    """What the page shows: a foreign supplier has no IČO or DIČ, the Slovak customer its IČ
    DPH alone."""
    out = doc.expected()
    out["supplier"] = {**doc.supplier.expected(), "ico": None}
    out["customer"] = {**doc.customer.expected(), "ico": None, "dic": None}
    out["variable_symbol"] = None
    return out


def page_of(seed: int) -> tuple[Doc, str, dict[str, object]]:
    """(document, its HTML page, the fields the page prints) of one seed."""
    doc, how = make(seed)
    return doc, render(doc, how, seed), expected_of(doc)


def documents(n: int, first_seed: int = 60000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    return printed_pages(page_of, n, first_seed)


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "saas")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
