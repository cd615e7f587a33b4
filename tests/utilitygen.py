"""Slovak utility and telecom bills, printed by headless Chromium: a held-out family written
after the reader, from a choice space of its own.

Every company the office keeps books for gets them monthly: electricity, gas, water, a
mobile operator. They are invoices crowded with other numbers — contract, customer and
account numbers, the supply point's EIC code, meter readings with decimals, unit prices of
four places, consumption in kWh or m³, a billing period, advances paid during it and deducted
from the amount due, the previous balance — and their facts stand in a right-hand column
under a logo, the customer in a window envelope, the amounts in a summary with a VAT recap.

    python -m tests.utilitygen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import html
import random
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from stdnum import iban as std_iban

from tests.docgen import Doc, Item, Party, digits, make_doc, valid_drawn, valid_ico, valid_sk_dic
from tests.htmlgen import printed_pages, write_samples

CENT = Decimal("0.01")
SUPPLIERS = {
    "power": ("Elektro Energia Slovensko, a.s.", "Čulenova 6", "816 47 Bratislava"),
    "gas": ("Plynárenská obchodná spoločnosť, a.s.", "Mlynské nivy 44/a", "825 11 Bratislava"),
    "water": ("Vodárne a kanalizácie Západ, a.s.", "Prešovská 48", "826 46 Bratislava"),
    "telco": ("Mobilná sieť Slovensko, a.s.", "Einsteinova 24", "851 01 Bratislava"),
}
LINES = {
    "power": [
        ("Silová elektrina", "kWh", (800, 4000), (1100, 1900)),
        ("Distribúcia", "kWh", (800, 4000), (400, 700)),
        ("Odvod do Národného jadrového fondu", "kWh", (800, 4000), (30, 40)),
    ],
    "gas": [
        ("Zemný plyn", "kWh", (2000, 9000), (450, 700)),
        ("Distribúcia plynu", "kWh", (2000, 9000), (150, 250)),
        ("Stála mesačná platba", "mes.", (1, 1), (450000, 900000)),
    ],
    "water": [
        ("Vodné", "m³", (5, 80), (12000, 16000)),
        ("Stočné", "m³", (5, 80), (14000, 19000)),
        ("Zrážková voda", "m²", (10, 60), (900, 1200)),
    ],
    "telco": [
        ("Paušál Biznis 20 GB", "mes.", (1, 3), (1650000, 3300000)),
        ("Volania mimo paušálu", "min.", (10, 300), (600, 900)),
        ("Roaming EÚ", "MB", (100, 900), (10, 30)),
    ],
}


def _bill_party(rnd: random.Random, kind: str) -> tuple[Party, str]:
    name, street, city = SUPPLIERS[kind]
    seed = rnd.randint(1000, 9999)
    dic = valid_sk_dic(seed)

    def make_iban(r: random.Random) -> str:
        body = "0200" + digits(r, 16)
        return f"SK{std_iban.calc_check_digits('SK00' + body)}{body}"

    return Party(name, valid_ico(seed), dic, "SK" + dic, street=street, city=city), valid_drawn(
        rnd, make_iban, std_iban.is_valid
    )


def make(seed: int) -> tuple[Doc, dict[str, object]]:
    rnd = random.Random(seed)
    kind = rnd.choice(sorted(SUPPLIERS))
    supplier, bank = _bill_party(rnd, kind)
    base = make_doc(seed, supplier=supplier)
    period_end = date(base.issue_date.year, base.issue_date.month, 1) - timedelta(days=1)
    period_start = (
        period_end.replace(day=1)
        if kind == "telco" or rnd.random() < 0.6
        else (period_end - timedelta(days=rnd.choice([89, 364])))
    )
    issued = period_end + timedelta(days=rnd.randint(1, 6))
    lines = []
    for text, _unit, (lo, hi), (plo, phi) in LINES[kind]:
        qty = Decimal(rnd.randint(lo, hi))
        price = Decimal(rnd.randint(plo, phi)) / 10000  # four places: €/kWh
        lines.append(Item(text, qty, price, 23))
    # one line a base: its amount rounded to the cent, as bills print
    items = tuple(
        Item(i.text, Decimal(1), (i.quantity * i.unit_price).quantize(CENT, ROUND_HALF_UP), i.rate)
        for i in lines
    )
    gross = sum((i.unit_price for i in items), Decimal(0)) * Decimal("1.23")
    advances = (
        (gross * Decimal(rnd.choice(["0.7", "0.8", "0.9"]))).quantize(Decimal(1))
        if kind != "telco" and rnd.random() < 0.7
        else Decimal(0)
    )
    number = f"{rnd.randint(1, 9)}{digits(rnd, 9)}"
    doc = replace(
        base,
        number=number,
        variable_symbol=number if rnd.random() < 0.6 else f"{rnd.randint(1, 9)}{digits(rnd, 7)}",
        issue_date=issued,
        delivery_date=period_end,
        due_date=issued + timedelta(days=rnd.choice([14, 15, 21])),
        items=items,
        iban=bank,
        advance_paid=advances,
    )
    how: dict[str, object] = {
        "kind": kind,
        "lines": lines,
        "period": (period_start, period_end),
        "contract": f"{rnd.randint(1, 9)}{digits(rnd, 9)}",
        "customer_no": f"{rnd.randint(1, 9)}{digits(rnd, 7)}",
        "eic": f"24ZZS{digits(rnd, 10)}{rnd.choice('ABCDEFGHKX')}",
        "meter": (Decimal(rnd.randint(100000, 999999)) / 10),
        "previous": Decimal(rnd.randint(0, 3000)) / 100 if rnd.random() < 0.3 else None,
    }
    return doc, how


def _money(v: Decimal, style: int) -> str:
    sign = "-" if v < 0 else ""
    whole, cents = f"{abs(v):.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return [f"{sign}{grouped},{cents} €", f"{sign}{grouped},{cents} EUR"][style]


def render(doc: Doc, how: dict[str, object], seed: int) -> str:
    rnd = random.Random(seed * 5 + 2)
    esc = html.escape
    mstyle = rnd.randrange(2)

    def m(v: Decimal) -> str:
        return esc(_money(v, mstyle))

    def d(x: date) -> str:
        return x.strftime("%d.%m.%Y") if rnd.random() < 0.8 else f"{x.day}. {x.month}. {x.year}"

    s, c = doc.supplier, doc.customer
    start, end = how["period"]  # type: ignore[misc]
    kind = str(how["kind"])
    facts = [
        (rnd.choice(["Číslo faktúry", "Faktúra číslo"]), doc.number),
        ("Variabilný symbol", doc.variable_symbol or ""),
        (rnd.choice(["Číslo zmluvy", "Zmluvný účet"]), str(how["contract"])),
        (rnd.choice(["Zákaznícke číslo", "Číslo zákazníka"]), str(how["customer_no"])),
        ("Dátum vystavenia", d(doc.issue_date)),
        (rnd.choice(["Dátum dodania", "Dátum zdaniteľného plnenia"]), d(end)),
        ("Dátum splatnosti", d(doc.due_date or doc.issue_date)),
        ("Zúčtovacie obdobie", f"{d(start)} - {d(end)}"),
    ]
    if kind in ("power", "gas"):
        facts.append(("EIC kód odberného miesta", str(how["eic"])))
    rnd.shuffle(facts[2:4])
    facts_html = (
        "<table class='facts'>"
        + "".join(f"<tr><td>{esc(k)}:</td><td class='v'>{esc(v)}</td></tr>" for k, v in facts)
        + "</table>"
    )
    sender = f"{s.name}, {s.street}, {s.city}"
    customer = "".join(f"<div>{esc(x)}</div>" for x in (c.name, c.street, c.city))
    ids = f"IČO: {c.ico}, DIČ: {c.dic}, IČ DPH: {c.ic_dph}"
    top = (
        f"<div class='logo'>{esc(s.name.split(',')[0])}</div>"
        f"<div class='row'><div class='window'><div class='sender'>{esc(sender)}</div>{customer}"
        f"<div class='ids'>{esc(ids)}</div></div><div>{facts_html}</div></div>"
    )
    title = rnd.choice(["FAKTÚRA", "Faktúra - daňový doklad", "VYÚČTOVACIA FAKTÚRA"])
    if kind == "telco":
        title = rnd.choice(["Faktúra za služby", "FAKTÚRA - DAŇOVÝ DOKLAD"])
    rows = ""
    for line, item in zip(how["lines"], doc.items, strict=True):  # type: ignore[call-overload]
        rows += (
            f"<tr><td>{esc(line.text)}</td><td class='r'>{line.quantity}</td>"
            f"<td class='r'>{str(line.unit_price).replace('.', ',')} €</td><td class='r'>23 %</td>"
            f"<td class='r'>{m(item.unit_price)}</td></tr>"
        )
    reading = ""
    if kind in ("power", "gas", "water"):
        meter = str(how["meter"]).replace(".", ",")
        reading = f"<p class='small'>Stav meradla k {d(end)}: {meter}</p>"
    items_html = (
        "<table class='items'><tr><th>Položka</th><th>Množstvo</th><th>Jedn. cena bez DPH</th>"
        f"<th>Sadzba DPH</th><th>Suma bez DPH</th></tr>{rows}</table>{reading}"
    )
    (row,) = doc.vat_rows()
    base, vat = Decimal(row["base"]), Decimal(row["vat"])
    recap = (
        "<table class='recap'><tr><th>Sadzba DPH</th><th>Základ dane</th><th>DPH</th><th>Spolu</th></tr>"
        f"<tr><td>23 %</td><td>{m(base)}</td><td>{m(vat)}</td><td>{m(base + vat)}</td></tr></table>"
    )
    summary = [("Fakturovaná suma spolu s DPH", m(base + vat))]
    if doc.advance_paid:
        summary.append(
            (rnd.choice(["Uhradené preddavky", "Zaplatené zálohy"]), m(-doc.advance_paid))
        )
    total = doc.total()
    label = "Preplatok" if total < 0 else "Suma na úhradu"
    summary.append((label, f"<b>{m(total)}</b>"))
    if how["previous"] is not None and rnd.random() < 0.5:
        summary.append(
            (
                "Stav vášho účtu k " + d(doc.issue_date) + " (informatívne)",
                m(Decimal(str(how["previous"]))),
            )
        )
    summary_html = (
        "<table class='sum'>"
        + "".join(f"<tr><td>{esc(k)}</td><td class='r'>{v}</td></tr>" for k, v in summary)
        + "</table>"
    )
    iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4)) if doc.iban else ""
    pay = (
        f"<p>{esc(rnd.choice(['Prosíme uhradiť na účet', 'Platbu poukážte na účet']))}: IBAN {esc(iban)}, "
        f"VS {esc(doc.variable_symbol or '')}</p>"
    )
    footer = (
        f"{s.name}, {s.street}, {s.city} · IČO: {s.ico} · DIČ: {s.dic} · IČ DPH: {s.ic_dph} · "
        f"Zapísaná v Obchodnom registri Mestského súdu Bratislava III, oddiel Sa, vložka č. {rnd.randint(1000, 9999)}/B"
    )
    font = rnd.choice(["DejaVu Sans", "Liberation Sans"])
    size = rnd.choice([8, 9])
    css = f"""
    body {{ font-family: '{font}'; font-size: {size}pt; margin: 0; }}
    .logo {{ font-size: {size + 9}pt; font-weight: bold; color: #c33; margin-bottom: 6mm; }}
    .row {{ display: flex; gap: 10mm; }} .row > div {{ flex: 1; }}
    .sender {{ font-size: {size - 2}pt; text-decoration: underline; margin-bottom: 2mm; }}
    .window {{ padding-top: 4mm; }} .ids {{ margin-top: 2mm; }}
    h1 {{ font-size: {size + 6}pt; margin: 5mm 0 2mm; }}
    table {{ border-collapse: collapse; margin: 2mm 0; }} td, th {{ padding: 0.6mm 2mm; }}
    table.facts td.v {{ text-align: right; }} table.items {{ width: 100%; }}
    th {{ border-bottom: 1px solid #666; text-align: right; }} th:first-child {{ text-align: left; }}
    td.r, table.recap td {{ text-align: right; }} table.sum {{ margin-left: auto; }}
    .small {{ font-size: {size - 1}pt; color: #555; }}
    .footer {{ margin-top: 10mm; font-size: {size - 2}pt; color: #666; border-top: 1px solid #aaa; }}
    """
    return (
        f"<!doctype html><html lang='sk'><head><meta charset='utf-8'><style>{css}</style></head>"
        f"<body>{top}<h1>{esc(title)}</h1>{items_html}{recap}{summary_html}{pay}"
        f"<div class='footer'>{esc(footer)}</div></body></html>"
    )


def page_of(seed: int) -> tuple[Doc, str, dict[str, object]]:
    doc, how = make(seed)
    return doc, render(doc, how, seed), doc.expected()


def documents(n: int, first_seed: int = 150000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    return printed_pages(page_of, n, first_seed)


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "utility")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
