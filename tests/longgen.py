"""Wholesalers' invoices of several pages, printed by headless Chromium: a held-out family
written after the reader, from a choice space of its own.

What a company buying its stock gets from a wholesaler — building materials, office
supplies, car parts, groceries — in Slovak, Czech or German: thirty to a hundred item lines
with item codes and EAN codes, units, unit prices of three places, line discounts and
several VAT rates, over two to four pages. Between the pages stand the amounts a reader must
leave alone: a page's sum carried over ("Prenos na ďalšiu stranu", "Převod na další
stranu", "Übertrag"), taken up again on the next page, and a page subtotal. Every page after
the first repeats a short header with the document's number and the supplier; the page
counter stands in the page's margin ("Strana 2 / 3"). The totals, the VAT recap of every
rate and the payment details come only on the last page; the order, delivery note, weight
and parcel numbers on the first.

    python -m tests.longgen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import html
import random
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum import ean

from tests.appgen import COMPANIES, _company, _date, _iban, _money, expected_of
from tests.docgen import Doc, Item, digits
from tests.htmlgen import printed_pages, write_samples

CENT = Decimal("0.01")
GOODS = {
    "sk": [
        ("Sádrokartón 12,5 mm", "ks"),
        ("Cement CEM II 25 kg", "vrece"),
        ("Skrutka do dreva 4x40", "bal"),
        ("Papier kancelársky A4 80 g", "bal"),
        ("Toner HP 26A", "ks"),
        ("Olejový filter", "ks"),
        ("Brzdové platničky predné", "sada"),
        ("Minerálna voda 1,5 l", "fľ"),
        ("Káva zrnková 1 kg", "ks"),
        ("Kábel CYKY 3x2,5", "m"),
        ("Lepidlo na obklady C1T", "vrece"),
        ("Rukavice pracovné", "pár"),
        ("Silikón sanitárny", "ks"),
        ("Zakladač pákový A4", "ks"),
    ],
    "cs": [
        ("Sádrokarton 12,5 mm", "ks"),
        ("Cement CEM II 25 kg", "pytel"),
        ("Vrut do dřeva 4x40", "bal"),
        ("Papír kancelářský A4 80 g", "bal"),
        ("Toner HP 26A", "ks"),
        ("Olejový filtr", "ks"),
        ("Brzdové destičky přední", "sada"),
        ("Minerální voda 1,5 l", "lahev"),
        ("Káva zrnková 1 kg", "ks"),
        ("Kabel CYKY 3x2,5", "m"),
        ("Lepidlo na obklady C1T", "pytel"),
        ("Rukavice pracovní", "pár"),
        ("Silikon sanitární", "ks"),
        ("Pořadač pákový A4", "ks"),
    ],
    "de": [
        ("Gipskartonplatte 12,5 mm", "Stk"),
        ("Zement CEM II 25 kg", "Sack"),
        ("Holzschraube 4x40", "Pck"),
        ("Kopierpapier A4 80 g", "Pck"),
        ("Toner HP 26A", "Stk"),
        ("Ölfilter", "Stk"),
        ("Bremsbeläge vorne", "Satz"),
        ("Kabel NYM-J 3x2,5", "m"),
        ("Fliesenkleber C1T", "Sack"),
        ("Arbeitshandschuhe", "Paar"),
        ("Sanitärsilikon", "Stk"),
        ("Ordner A4", "Stk"),
    ],
}
WORDS = {
    "sk": {
        "title": ["FAKTÚRA - DAŇOVÝ DOKLAD", "Faktúra", "FAKTÚRA č."],
        "number": "Číslo faktúry",
        "vs": "Variabilný symbol",
        "ks": "Konštantný symbol",
        "issued": "Dátum vystavenia",
        "delivered": "Dátum dodania",
        "due": "Dátum splatnosti",
        "order": "Objednávka č.",
        "dn": "Dodací list",
        "supplier": "Dodávateľ",
        "customer": "Odberateľ",
        "shipto": "Miesto dodania",
        "head": [
            "P.č.",
            "Kód",
            "EAN",
            "Názov",
            "Množ.",
            "MJ",
            "Cena/MJ",
            "Zľava",
            "DPH",
            "Spolu bez DPH",
        ],
        "carry_out": ["Prenos na ďalšiu stranu", "Medzisúčet - prenos"],
        "carry_in": ["Prenos z predchádzajúcej strany", "Prenos"],
        "page_sum": "Súčet strany",
        "cont": "pokračovanie",
        "page": "Strana",
        "of": "/",
        "recap": ["Sadzba DPH", "Základ dane", "DPH", "Spolu"],
        "net": "Spolu bez DPH",
        "gross": "Spolu s DPH",
        "round": "Zaokrúhlenie",
        "advance": "Uhradené zálohou",
        "pay": ["Celkom k úhrade", "K úhrade"],
        "weight": "Hmotnosť zásielky",
        "parcels": "Počet balíkov",
        "payment": "Forma úhrady: prevodným príkazom",
        "bank": "Bankové spojenie",
        "issuer": "Vystavil",
        "note": "Tovar zostáva až do úplného zaplatenia majetkom dodávateľa.",
    },
    "cs": {
        "title": ["FAKTURA - DAŇOVÝ DOKLAD", "Faktura", "FAKTURA č."],
        "number": "Číslo faktury",
        "vs": "Variabilní symbol",
        "ks": "Konstantní symbol",
        "issued": "Datum vystavení",
        "delivered": "Datum uskutečnění zdanitelného plnění",
        "due": "Datum splatnosti",
        "order": "Objednávka č.",
        "dn": "Dodací list",
        "supplier": "Dodavatel",
        "customer": "Odběratel",
        "shipto": "Místo dodání",
        "head": [
            "Poř.",
            "Kód",
            "EAN",
            "Název",
            "Množ.",
            "MJ",
            "Cena/MJ",
            "Sleva",
            "DPH",
            "Celkem bez DPH",
        ],
        "carry_out": ["Převod na další stranu", "Mezisoučet - převod"],
        "carry_in": ["Převod z předchozí strany", "Převod"],
        "page_sum": "Součet strany",
        "cont": "pokračování",
        "page": "Strana",
        "of": "/",
        "recap": ["Sazba DPH", "Základ daně", "DPH", "Celkem"],
        "net": "Celkem bez DPH",
        "gross": "Celkem s DPH",
        "round": "Zaokrouhlení",
        "advance": "Uhrazeno zálohou",
        "pay": ["Celkem k úhradě", "K úhradě"],
        "weight": "Hmotnost zásilky",
        "parcels": "Počet balíků",
        "payment": "Forma úhrady: převodním příkazem",
        "bank": "Bankovní spojení",
        "issuer": "Vystavil",
        "note": "Zboží zůstává až do úplného zaplacení majetkem dodavatele.",
    },
    "de": {
        "title": ["RECHNUNG", "Rechnung", "Rechnung Nr."],
        "number": "Rechnungsnummer",
        "vs": "",
        "ks": "",
        "issued": "Rechnungsdatum",
        "delivered": "Lieferdatum",
        "due": "Zahlbar bis",
        "order": "Bestellung Nr.",
        "dn": "Lieferschein",
        "supplier": "Lieferant",
        "customer": "Kunde",
        "shipto": "Lieferadresse",
        "head": [
            "Pos.",
            "Art.-Nr.",
            "EAN",
            "Bezeichnung",
            "Menge",
            "ME",
            "Preis/ME",
            "Rabatt",
            "USt.",
            "Netto",
        ],
        "carry_out": ["Übertrag", "Zwischensumme / Übertrag"],
        "carry_in": ["Übertrag von Seite", "Übertrag"],
        "page_sum": "Seitensumme",
        "cont": "Fortsetzung",
        "page": "Seite",
        "of": "von",
        "recap": ["USt.-Satz", "Nettobetrag", "USt.", "Brutto"],
        "net": "Summe netto",
        "gross": "Summe brutto",
        "round": "Rundung",
        "advance": "Anzahlung",
        "pay": ["Rechnungsbetrag", "Zu zahlen"],
        "weight": "Gewicht",
        "parcels": "Packstücke",
        "payment": "Zahlungsart: Überweisung",
        "bank": "Bankverbindung",
        "issuer": "Bearbeiter",
        "note": "Die Ware bleibt bis zur vollständigen Bezahlung unser Eigentum.",
    },
}


def make(seed: int) -> tuple[Doc, str, dict[str, object]]:
    """A document, its language and the lines as printed (code, EAN, quantity, unit price,
    discount, rate, net amount)."""
    rnd = random.Random(seed)
    lang = rnd.choice(["sk", "sk", "cs", "cs", "de"])
    supplier, _city = _company(rnd, lang)
    customer, _ = _company(rnd, "sk")
    issued = date(2025, 1, 1) + timedelta(days=rnd.randrange(0, 700))
    rates = {"sk": (23, 19, 5), "cs": (21, 12), "de": (0,)}[lang]
    chosen = rnd.sample(rates, k=min(len(rates), rnd.choice([1, 2, 2, 3])))
    lines = []
    for i in range(rnd.randint(30, 100)):
        text, unit = rnd.choice(GOODS[lang])
        qty = Decimal(rnd.choice([1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 50, 100]))
        if unit == "m":
            qty = Decimal(rnd.randint(5, 400)) / 2
        price = Decimal(rnd.randint(50, 250000)) / 1000  # three places, as wholesalers print
        discount = rnd.choice([0, 0, 0, 3, 5, 10, 15])
        net = (qty * price * (100 - discount) / 100).quantize(CENT, ROUND_HALF_UP)
        code = f"{rnd.randint(100, 999)}{digits(rnd, 3)}"
        gtin = digits(rnd, 12)
        lines.append(
            (
                i + 1,
                code,
                gtin + ean.calc_check_digit(gtin),
                text,
                qty,
                unit,
                price,
                discount,
                rnd.choice(chosen),
                net,
            )
        )
    items = tuple(Item(ln[3], Decimal(1), ln[9], ln[8]) for ln in lines)
    yy, n = issued.year % 100, rnd.randint(1, 99999)
    number = rnd.choice([f"{issued.year}{n:05d}", f"FV{yy}{n:05d}", f"1{yy}0{n:05d}"])
    if lang == "de":
        number = rnd.choice([f"RE{issued.year}-{n:05d}", f"{n + 400000}"])
    vs = "".join(ch for ch in number if ch.isdigit())[-10:] if lang != "de" else None
    currency = "CZK" if lang == "cs" and rnd.random() < 0.7 else "EUR"
    doc = Doc(
        doc_type="invoice",
        number=number,
        issue_date=issued,
        supplier=supplier,
        customer=customer,
        items=items,
        variable_symbol=vs,
        delivery_date=issued - timedelta(days=rnd.choice([0, 0, 1, 2, 5])),
        due_date=issued + timedelta(days=rnd.choice([14, 30, 45, 60])),
        currency=currency,
        iban=_iban(rnd, lang, list(COMPANIES[lang]["banks"])),
    )
    if currency == "CZK":
        exact = doc.total()
        doc = replace(doc, rounding=exact.quantize(Decimal(1), ROUND_HALF_UP) - exact)
    if rnd.random() < 0.15:
        doc = replace(doc, advance_paid=(doc.total() / 3).quantize(Decimal(1)))
    return doc, lang, {"lines": lines}


def render(doc: Doc, lang: str, how: dict[str, object], seed: int) -> str:
    rnd = random.Random(seed * 7 + 3)
    esc, W = html.escape, WORDS[lang]
    style = rnd.randrange(6)

    def m(v: Decimal, symbol: bool = False) -> str:
        return esc(_money(v, doc.currency, style, symbol, lang))

    def d(x: date) -> str:
        return esc(_date(x, lang, style))

    s, c = doc.supplier, doc.customer

    def ids(p: object) -> str:
        out = []
        if lang == "de":
            out.append(("USt-IdNr.", p.ic_dph))  # type: ignore[attr-defined]
        else:
            out.append(("IČO" if lang == "sk" else "IČ", p.ico))  # type: ignore[attr-defined]
            if lang == "sk":
                out += [("DIČ", p.dic), ("IČ DPH", p.ic_dph)]  # type: ignore[attr-defined]
            else:
                out.append(("DIČ", p.ic_dph or p.dic))  # type: ignore[attr-defined]
        return "".join(f"<div>{esc(k)}: {esc(v)}</div>" for k, v in out if v)

    def block(label: str, p: object) -> str:
        return (
            f"<div class='party'><div class='lbl'>{esc(label)}</div>"
            f"<div class='name'>{esc(p.name)}</div><div>{esc(p.street)}</div>"  # type: ignore[attr-defined]
            f"<div>{esc(p.city)}</div>{ids(p)}</div>"  # type: ignore[attr-defined]
        )

    order = f"OBJ-{doc.issue_date.year}-{rnd.randint(100, 9999)}"
    dnote = f"DL{doc.issue_date.year % 100}{digits(rnd, 6)}"
    facts = [(W["number"], doc.number)]
    if doc.variable_symbol:
        facts += [(W["vs"], doc.variable_symbol), (W["ks"], "0008")]
    facts += [
        (W["issued"], d(doc.issue_date)),
        (W["delivered"], d(doc.delivery_date or doc.issue_date)),
        (W["due"], d(doc.due_date or doc.issue_date)),
        (W["order"], order),
        (W["dn"], dnote),
    ]
    facts_html = (
        "<table class='facts'>"
        + "".join(
            f"<tr><td>{esc(k)}:</td><td><b>{v if k in (W['issued'], W['delivered'], W['due']) else esc(v)}</b></td></tr>"
            for k, v in facts
        )
        + "</table>"
    )
    title = rnd.choice(W["title"])
    title_html = f"<h1>{esc(title)} {esc(doc.number) if title.endswith(('č.', 'Nr.')) else ''}</h1>"
    shipto = ""
    if rnd.random() < 0.4:
        shipto = (
            f"<div class='party'><div class='lbl'>{esc(W['shipto'])}</div>"
            f"<div>{esc(c.name)} - sklad</div><div>Priemyselná {rnd.randint(1, 40)}</div>"
            f"<div>{esc(c.city)}</div></div>"
        )
    first = (
        f"<div class='letter'><b>{esc(s.name)}</b> · {esc(s.street)} · {esc(s.city)}</div>"
        f"{title_html}<div class='row'>{block(W['supplier'], s)}<div>{facts_html}</div></div>"
        f"<div class='row'>{block(W['customer'], c)}{shipto}</div>"
        f"<p class='small'>{esc(W['weight'])}: {rnd.randint(5, 900)},{rnd.randint(0, 9)} kg · "
        f"{esc(W['parcels'])}: {rnd.randint(1, 12)}</p>"
    )
    head = "".join(f"<th>{esc(h)}</th>" for h in W["head"])
    lines = list(how["lines"])  # type: ignore[call-overload]
    explicit = rnd.random() < 0.7  # the program breaks the pages and carries the sum over
    chunks, at, size = [], 0, rnd.randint(14, 22)
    while at < len(lines):
        chunks.append(lines[at : at + size])
        at += size
        size = rnd.randint(30, 40)
    carried = Decimal(0)
    body = ""
    carry_out, carry_in = rnd.choice(W["carry_out"]), rnd.choice(W["carry_in"])
    for k, chunk in enumerate(chunks if explicit else [lines]):
        if k:
            body += (
                f"<div class='again'>{esc(s.name)} · {esc(title.rstrip(' č.Nr'))} {esc(doc.number)}"
                f" · {esc(W['cont'])}</div>"
            )
        rows = ""
        if k:
            rows += (
                f"<tr class='carry'><td colspan='9'>{esc(carry_in)}:</td><td>{m(carried)}</td></tr>"
            )
        page = Decimal(0)
        for pos, code, gtin, text, qty, unit, price, discount, rate, net in chunk:
            q = f"{qty:g}".replace(".", ",") if lang != "en" else f"{qty:g}"
            p = f"{price:.3f}".replace(".", ",")
            rows += (
                f"<tr><td>{pos}</td><td>{code}</td><td>{gtin}</td><td class='l'>{esc(text)}</td>"
                f"<td>{q}</td><td>{esc(unit)}</td><td>{p}</td><td>{f'{discount} %' if discount else ''}</td>"
                f"<td>{rate} %</td><td>{m(net)}</td></tr>"
            )
            page += net
        carried += page
        last = not explicit or k == len(chunks) - 1
        if not last:
            if rnd.random() < 0.4:
                rows += f"<tr class='carry'><td colspan='9'>{esc(W['page_sum'])}:</td><td>{m(page)}</td></tr>"
            rows += f"<tr class='carry'><td colspan='9'>{esc(carry_out)}:</td><td>{m(carried)}</td></tr>"
        body += f"<table class='items'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        if not last:
            body += "<div class='brk'></div>"
    recap_rows = ""
    for row in doc.vat_rows():
        base, vat = Decimal(row["base"]), Decimal(row["vat"])
        recap_rows += f"<tr><td>{row['rate']} %</td><td>{m(base)}</td><td>{m(vat)}</td><td>{m(base + vat)}</td></tr>"
    recap = (
        "<table class='recap'><tr>" + "".join(f"<th>{esc(h)}</th>" for h in W["recap"]) + "</tr>"
        f"{recap_rows}</table>"
    )
    net = sum((Decimal(r["base"]) for r in doc.vat_rows()), Decimal(0))
    gross = sum((Decimal(r["base"]) + Decimal(r["vat"]) for r in doc.vat_rows()), Decimal(0))
    summary = [(W["net"], m(net, True)), (W["gross"], m(gross, True))]
    if doc.rounding:
        summary.append((W["round"], m(doc.rounding, True)))
    if doc.advance_paid:
        summary.append((W["advance"], m(-doc.advance_paid, True)))
    summary.append((rnd.choice(W["pay"]), f"<b>{m(doc.total(), True)}</b>"))
    summary_html = (
        "<table class='sum'>"
        + "".join(f"<tr><td>{esc(k)}:</td><td class='r'>{v}</td></tr>" for k, v in summary)
        + "</table>"
    )
    reverse = ""
    if lang == "de":
        reverse = "<p>Steuerfreie innergemeinschaftliche Lieferung. Steuerschuldnerschaft des Leistungsempfängers.</p>"
    iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4)) if doc.iban else ""
    bank_name = rnd.choice(list(COMPANIES[lang]["banks"].values()))
    pay = (
        f"<p>{esc(W['payment'])}<br>{esc(W['bank'])}: {esc(bank_name)}, IBAN: {esc(iban)}"
        + (f", {esc(W['vs'])}: {esc(doc.variable_symbol)}" if doc.variable_symbol else "")
        + f"</p><p class='small'>{esc(W['note'])}</p>"
        f"<p>{esc(W['issuer'])}: {rnd.choice(['Jana Nová', 'Peter Malý', 'Eva Horáková'])}</p>"
    )
    footer = f"{s.name} · {s.street} · {s.city} · {W['bank']}: IBAN {iban}"
    font = rnd.choice(["DejaVu Sans", "Liberation Sans", "Liberation Serif"])
    size = rnd.choice([7, 7.5, 8])
    counter = f"'{W['page']} ' counter(page) ' {W['of']} ' counter(pages)"
    quoted = footer.replace("\\", "\\\\").replace("'", "\\'")  # a CSS string, not HTML
    css = f"""
    @page {{ size: A4; margin: 12mm 12mm 16mm; @bottom-right {{ content: {counter}; font-size: 7pt; }}
      @bottom-left {{ content: '{quoted}'; font-size: 6pt; color: #666; }} }}
    body {{ font-family: '{font}'; font-size: {size}pt; margin: 0; }}
    h1 {{ font-size: {size + 7}pt; margin: 2mm 0 3mm; }} .letter {{ border-bottom: 1px solid #999; }}
    .row {{ display: flex; gap: 8mm; margin-bottom: 3mm; }} .row > div {{ flex: 1; }}
    .party {{ border: 1px solid #bbb; padding: 2mm; }} .lbl {{ font-weight: bold; color: #555; }}
    .name {{ font-weight: bold; }} table {{ border-collapse: collapse; }}
    table.items {{ width: 100%; margin: 2mm 0; }} table.items td, table.items th {{ padding: 0.3mm 1mm; text-align: right; }}
    table.items td.l, table.items th:nth-child(4) {{ text-align: left; }}
    table.items th {{ border-bottom: 1px solid #444; background: #eee; }}
    tr.carry td {{ font-style: italic; border-top: 1px solid #999; }}
    table.recap {{ margin: 3mm 0; }} table.recap td, table.recap th {{ padding: 0.5mm 3mm; text-align: right; }}
    table.sum {{ margin-left: auto; }} table.sum td {{ padding: 0.5mm 2mm; }} td.r {{ text-align: right; }}
    .again {{ font-size: {size - 0.5}pt; border-bottom: 1px solid #999; margin-bottom: 2mm; }}
    .brk {{ break-after: page; }} .small {{ font-size: {size - 1}pt; color: #555; }}
    """
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><style>{css}</style></head>"
        f"<body>{first}{body}{recap}{summary_html}{reverse}{pay}</body></html>"
    )


def page_of(seed: int) -> tuple[Doc, str, dict[str, object]]:
    doc, lang, how = make(seed)
    return doc, render(doc, lang, how, seed), expected_of(doc, lang)


def documents(n: int, first_seed: int = 170000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    return printed_pages(page_of, n, first_seed)


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "long")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
