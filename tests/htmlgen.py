"""A third producer, as web invoicing apps make their PDFs: HTML printed by a real browser
engine (Debian's Chromium, headless, through chromedriver). Every document draws its layout
from randomised choices — language and label wording, where the supplier sits (letterhead,
sidebar, footer only with a window envelope), how the header facts are set (a bordered
grid, label above value, label beside value), table borders, fonts, date and amount forms —
so no two seeds share a template. Nobody tuned the reader on these: bench/accuracy.py reports
them as a held-out family.

    python -m tests.htmlgen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import base64
import html
import json
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.docgen import Doc, Party, make_doc

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "sk": "januára februára marca apríla mája júna júla augusta septembra októbra novembra decembra",
}

# Per language: each label has a few wordings real programs use; one is drawn per document.
LABELS: dict[str, dict[str, list[str]]] = {
    "sk": {
        "title": ["Faktúra", "FAKTÚRA", "Faktúra - daňový doklad"],
        "number": ["Číslo faktúry", "Faktúra č.", "Číslo dokladu"],
        "issue": ["Dátum vystavenia", "Dátum vyhotovenia"],
        "delivery": ["Dátum dodania", "Dátum zdaniteľného plnenia"],
        "due": ["Dátum splatnosti", "Splatnosť"],
        "vs": ["Variabilný symbol", "VS"],
        "supplier": ["Dodávateľ", "Predávajúci"],
        "customer": ["Odberateľ", "Kupujúci"],
        "ico": ["IČO"],
        "dic": ["DIČ"],
        "ic_dph": ["IČ DPH"],
        "total": ["Celkom na úhradu", "Suma na úhradu", "K úhrade"],
        "rate": ["Sadzba DPH", "DPH %"],
        "base": ["Základ dane", "Základ"],
        "vat": ["DPH", "Výška DPH"],
        "gross": ["Spolu", "Celkom"],
        "item": ["Popis", "Položka"],
        "qty": ["Množstvo", "Počet"],
        "price": ["Cena/MJ", "Jedn. cena"],
        "iban": ["IBAN"],
    },
    "cs": {
        "title": ["Faktura", "FAKTURA - DAŇOVÝ DOKLAD", "Faktura - daňový doklad"],
        "number": ["Číslo faktury", "Faktura č."],
        "issue": ["Datum vystavení"],
        "delivery": ["DUZP", "Datum zdanitelného plnění", "Datum uskutečnění zdanitelného plnění"],
        "due": ["Datum splatnosti", "Splatnost"],
        "vs": ["Variabilní symbol", "VS"],
        "supplier": ["Dodavatel"],
        "customer": ["Odběratel"],
        "ico": ["IČ", "IČO"],
        "dic": ["DIČ"],
        "ic_dph": ["IČ DPH"],
        "total": ["Celkem k úhradě", "K úhradě"],
        "rate": ["Sazba DPH", "DPH %"],
        "base": ["Základ", "Základ daně"],
        "vat": ["DPH", "Výše DPH"],
        "gross": ["Celkem"],
        "item": ["Označení dodávky", "Popis"],
        "qty": ["Množství", "Počet"],
        "price": ["Cena za MJ", "Jedn. cena"],
        "iban": ["IBAN"],
    },
    "en": {
        "title": ["Invoice", "INVOICE", "Tax invoice"],
        "number": ["Invoice number", "Invoice No.", "Invoice #"],
        "issue": ["Invoice date", "Date of issue", "Issue date"],
        "delivery": ["Date of supply", "Delivery date"],
        "due": ["Due date", "Payment due"],
        "vs": ["Variable symbol"],
        "supplier": ["Supplier", "Seller", "From"],
        "customer": ["Customer", "Bill to", "Buyer"],
        "ico": ["Company ID", "Reg. No."],
        "dic": ["Tax ID"],
        "ic_dph": ["VAT ID", "VAT No."],
        "total": ["Total due", "Amount due", "Total to pay"],
        "rate": ["VAT rate", "VAT %"],
        "base": ["Net amount", "Tax base"],
        "vat": ["VAT", "VAT amount"],
        "gross": ["Gross", "Total"],
        "item": ["Description", "Item"],
        "qty": ["Qty", "Quantity"],
        "price": ["Unit price", "Price"],
        "iban": ["IBAN"],
    },
    "de": {
        "title": ["Rechnung", "RECHNUNG"],
        "number": ["Rechnungsnummer", "Rechnung Nr.", "Rechnungs-Nr."],
        "issue": ["Rechnungsdatum", "Datum der Rechnung"],
        "delivery": ["Lieferdatum", "Leistungsdatum"],
        "due": ["Fälligkeitsdatum", "Zahlbar bis", "Fällig am"],
        "vs": ["Variabler Symbol"],
        "supplier": ["Lieferant", "Verkäufer"],
        "customer": ["Kunde", "Rechnungsempfänger"],
        "ico": ["IČO"],
        "dic": ["DIČ"],
        "ic_dph": ["USt-IdNr.", "USt-ID"],
        "total": ["Gesamtbetrag", "Zu zahlen", "Rechnungsbetrag"],
        "rate": ["MwSt.-Satz", "USt %"],
        "base": ["Nettobetrag", "Netto"],
        "vat": ["MwSt.", "USt-Betrag"],
        "gross": ["Brutto"],
        "item": ["Beschreibung", "Artikel"],
        "qty": ["Menge"],
        "price": ["Einzelpreis"],
        "iban": ["IBAN"],
    },
}
FONTS = ["DejaVu Sans", "DejaVu Serif", "Liberation Sans", "Liberation Serif", "sans-serif"]


def _date(d: date, lang: str, style: int) -> str:
    if lang == "en":
        months = MONTHS["en"].split()
        forms = [
            d.isoformat(),
            f"{d.day} {months[d.month - 1][:3]} {d.year}",
            f"{months[d.month - 1]} {d.day}, {d.year}",
        ]
    elif lang == "de":
        forms = [
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day}. {MONTHS['de'].split()[d.month - 1]} {d.year}",
        ]
    elif lang == "sk":
        forms = [
            f"{d.day:02d}.{d.month:02d}.{d.year}",
            f"{d.day}. {d.month}. {d.year}",
            f"{d.day}. {MONTHS['sk'].split()[d.month - 1]} {d.year}",
        ]
    else:
        forms = [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}. {d.month}. {d.year}"]
    return forms[style % len(forms)]


def _money(v: Decimal, lang: str, style: int) -> str:
    whole, cents = f"{abs(v):.2f}".split(".")
    sign = "-" if v < 0 else ""
    if lang == "en":
        return [f"€{sign}{abs(v):,.2f}", f"EUR {sign}{abs(v):,.2f}", f"{sign}{abs(v):,.2f} EUR"][
            style % 3
        ]
    sep = "." if lang == "de" and style % 2 else "\u00a0"
    grouped = f"{int(whole):,}".replace(",", sep)
    return [f"{sign}{grouped},{cents} €", f"{sign}{grouped},{cents} EUR"][style % 2]


def render(doc: Doc, seed: int) -> tuple[str, set[str]]:
    """The invoice as HTML, and the expected keys it does not print."""
    rnd = random.Random(seed)
    lang = rnd.choice(list(LABELS))
    L = {k: rnd.choice(v) for k, v in LABELS[lang].items()}
    dstyle, mstyle = rnd.randrange(3), rnd.randrange(3)
    esc = html.escape
    not_printed: set[str] = set()

    def d(x: date | None) -> str:
        return _date(x, lang, dstyle) if x else ""

    def m(v: Decimal) -> str:
        return esc(_money(v, lang, mstyle))

    def party(p: Party, head: str) -> str:
        lines = [f"<div class='head'>{esc(head)}</div>", f"<div class='name'>{esc(p.name)}</div>"]
        lines += [f"<div>{esc(x)}</div>" for x in (p.street, p.city) if x]
        lines += [f"<div>{esc(L['ico'])}: {esc(p.ico)}</div>"]
        if p.dic:
            lines.append(f"<div>{esc(L['dic'])}: {esc(p.dic)}</div>")
        if p.ic_dph:
            lines.append(f"<div>{esc(L['ic_dph'])}: {esc(p.ic_dph)}</div>")
        return "<div class='party'>" + "".join(lines) + "</div>"

    facts = [(L["number"], doc.number), (L["issue"], d(doc.issue_date))]
    facts.append((L["delivery"], d(doc.delivery_date)))
    facts.append((L["due"], d(doc.due_date)))
    if doc.variable_symbol and lang != "de":
        facts.append((L["vs"], doc.variable_symbol))
    else:
        not_printed.add("variable_symbol")
    rnd.shuffle(facts[1:4]) if rnd.random() < 0.3 else None
    fact_style = rnd.choice(["grid", "above", "beside"])
    if fact_style == "grid":
        cells = "".join(
            f"<td><div class='lbl'>{esc(k)}</div><div>{esc(v)}</div></td>" for k, v in facts
        )
        facts_html = f"<table class='grid'><tr>{cells}</tr></table>"
    elif fact_style == "above":
        facts_html = "".join(
            f"<div class='fact'><div class='lbl'>{esc(k)}</div><div>{esc(v)}</div></div>"
            for k, v in facts
        )
    else:
        rows = "".join(
            f"<tr><td class='lbl'>{esc(k)}:</td><td>{esc(v)}</td></tr>" for k, v in facts
        )
        facts_html = f"<table class='facts'>{rows}</table>"

    borders = rnd.random() < 0.5
    items = "".join(
        f"<tr><td>{esc(i.text)}</td><td class='r'>{i.quantity}</td><td class='r'>{m(i.unit_price)}</td>"
        f"<td class='r'>{i.rate} %</td><td class='r'>{m(i.quantity * i.unit_price)}</td></tr>"
        for i in doc.items
    )
    items_html = (
        f"<table class='items{' b' if borders else ''}'><tr><th>{esc(L['item'])}</th>"
        f"<th>{esc(L['qty'])}</th><th>{esc(L['price'])}</th><th>{esc(L['rate'])}</th>"
        f"<th>{esc(L['gross'])}</th></tr>{items}</table>"
    )
    recap = "".join(
        f"<tr><td>{r['rate']} %</td><td class='r'>{m(Decimal(r['base']))}</td>"
        f"<td class='r'>{m(Decimal(r['vat']))}</td>"
        f"<td class='r'>{m(Decimal(r['base']) + Decimal(r['vat']))}</td></tr>"
        for r in doc.vat_rows()
    )
    recap_html = (
        f"<table class='recap{' b' if borders else ''}'><tr><th>{esc(L['rate'])}</th>"
        f"<th>{esc(L['base'])}</th><th>{esc(L['vat'])}</th><th>{esc(L['gross'])}</th></tr>{recap}</table>"
    )
    total_html = f"<div class='total'>{esc(L['total'])}: <b>{m(doc.total())}</b></div>"
    iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4)) if doc.iban else ""
    pay_html = f"<div class='pay'>{esc(L['iban'])}: {esc(iban)}</div>" if doc.iban else ""
    s = doc.supplier
    footer = (
        f"<div class='footer'>{esc(s.name)} · {esc(s.street or '')} · {esc(s.city or '')} · "
        f"{esc(L['ico'])}: {esc(s.ico)} · {esc(L['dic'])}: {esc(s.dic or '-')} · "
        f"{esc(L['ic_dph'])}: {esc(s.ic_dph or '-')}</div>"
    )
    title = f"<h1>{esc(L['title'])} {esc(doc.number) if rnd.random() < 0.5 else ''}</h1>"
    placement = rnd.choice(["letterhead", "sidebar", "envelope", "columns"])
    supplier_html = party(doc.supplier, L["supplier"])
    customer_html = party(doc.customer, L["customer"])
    if placement == "letterhead":
        body = f"{supplier_html}{title}{facts_html}<div class='cols'>{customer_html}</div>"
    elif placement == "sidebar":
        body = (
            f"<div class='side'>{supplier_html}</div><div class='main'>{title}{facts_html}"
            f"{customer_html}</div><div class='clear'></div>"
        )
    elif placement == "envelope":
        sender = f"{s.name}, {s.street}, {s.city}"
        body = (
            f"<div class='envelope'><div class='sender'>{esc(sender)}</div>"
            f"{customer_html}</div>{title}{facts_html}"
        )
    else:
        body = f"{title}<div class='cols'>{supplier_html}{customer_html}</div>{facts_html}"
    parts = [body, items_html, recap_html, total_html, pay_html, footer]
    if rnd.random() < 0.3:
        parts[2], parts[3] = parts[3], parts[2]  # the total above the VAT recap
    font = rnd.choice(FONTS)
    size = rnd.choice([9, 10, 11])
    css = f"""
    body {{ font-family: '{font}'; font-size: {size}pt; margin: 0; }}
    h1 {{ font-size: {size + rnd.choice([6, 9, 12])}pt; margin: 6mm 0 4mm; }}
    .head {{ font-weight: bold; text-transform: {rnd.choice(["none", "uppercase"])}; }}
    .name {{ font-weight: bold; }}
    .party {{ margin: 3mm 0; display: inline-block; vertical-align: top; width: 48%; }}
    .cols .party {{ width: 45%; }}
    .side {{ float: right; width: 32%; border-left: 1px solid #888; padding-left: 4mm; }}
    .side .party {{ width: 100%; }}
    .main {{ float: left; width: 62%; }} .clear {{ clear: both; }}
    .envelope {{ margin: 18mm 0 6mm 0; width: 85mm; min-height: 40mm; }}
    .sender {{ font-size: {size - 3}pt; text-decoration: underline; }}
    .envelope .party {{ width: 100%; }}
    .lbl {{ color: #444; }}
    .fact {{ display: inline-block; margin-right: 8mm; }}
    table {{ border-collapse: collapse; margin: 4mm 0; }}
    table.grid td {{ border: 1px solid #777; padding: 1.5mm 3mm; }}
    table.items, table.recap {{ width: 100%; }}
    table.b td, table.b th {{ border: 1px solid #999; padding: 1mm 2mm; }}
    td.r, th {{ text-align: right; }} th:first-child {{ text-align: left; }}
    .total {{ text-align: right; font-size: {size + 2}pt; margin: 4mm 0; }}
    .footer {{ margin-top: 12mm; font-size: {size - 2}pt; color: #555; border-top: 1px solid #aaa; }}
    """
    page = (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><style>{css}</style>"
        f"</head><body>{''.join(parts)}</body></html>"
    )
    return page, not_printed


@contextmanager
def browser() -> Iterator[Any]:
    """Headless Chromium driven by chromedriver (Debian's packages)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not binary or not driver:
        raise RuntimeError("chromium and chromium-driver are needed (make test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


def print_pdf(chrome: Any, page: str) -> bytes:
    from selenium.webdriver.common.print_page_options import PrintOptions

    chrome.get("data:text/html;base64," + base64.b64encode(page.encode()).decode())
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    options.margin_top = options.margin_bottom = 1.2
    options.margin_left = options.margin_right = 1.5
    return base64.b64decode(chrome.print_page(options))


def documents(n: int, first_seed: int = 20000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    with browser() as chrome:
        for seed in range(first_seed, first_seed + n):
            doc = make_doc(seed)
            page, not_printed = render(doc, seed)
            expected = {k: v for k, v in doc.expected().items() if k not in not_printed}
            yield doc, print_pdf(chrome, page), expected


def printed_pages(
    page_of: Callable[[int], tuple[Doc, str, dict[str, object]]], n: int, first_seed: int
) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) of `page_of`'s pages for n seeds, printed by one browser."""
    with browser() as chrome:
        for seed in range(first_seed, first_seed + n):
            doc, page, expected = page_of(seed)
            yield doc, print_pdf(chrome, page), expected


def write_samples(
    argv: list[str],
    make: Callable[[int], Iterator[tuple[Doc, bytes, dict[str, object]]]],
    name: str,
) -> int:
    """`python -m tests.<generator> OUT_DIR [N]`: N samples as PDF + expected JSON."""
    out = Path(argv[0] if argv else f"docs/samples/{name}")
    out.mkdir(parents=True, exist_ok=True)
    for i, (_, pdf, expected) in enumerate(make(int(argv[1]) if len(argv) > 1 else 4)):
        (out / f"{name}-{i}.pdf").write_bytes(pdf)
        (out / f"{name}-{i}.expected.json").write_text(
            json.dumps(expected, indent=2, ensure_ascii=False)
        )
    print(out)
    return 0


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "html")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
