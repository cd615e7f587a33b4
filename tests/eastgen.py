"""Invoices as Polish, Hungarian, Italian and Spanish invoicing programs lay them out,
printed by headless Chromium: a held-out family written after the reader, from a choice
space of its own.

Each country's program has a shape of its own, taken from what those programs print: a
Polish "Faktura VAT" (Sprzedawca / Nabywca boxes, place and date of issue on one line,
numbered item lines with net and gross columns, a VAT table ending in "Razem", "Do
zapłaty"), a Hungarian "Számla" (a row of fact boxes, labels over values; year-first dates
with a trailing dot; domestic and EU tax numbers), an Italian "Fattura" (number and date in
the title, "Cedente / Prestatore" and "Cessionario / Committente", "Riepilogo IVA", "Totale
documento") and a Spanish "Factura" (NIF, "Base imponible", "Cuota IVA"). The customer is
the office's Slovak client, named by its EU VAT id; amounts in euros or the supplier's
currency (PLN, HUF).

    python -m tests.eastgen OUT_DIR [N]     # write N samples (PDF + expected JSON)
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
from stdnum.es import nif
from stdnum.hu import anum
from stdnum.it import iva
from stdnum.pl import nip

from tests.docgen import Doc, Item, Party, digits, make_doc, valid_drawn
from tests.htmlgen import printed_pages, write_samples

COUNTRIES = ("pl", "hu", "it", "es")
RATES = {"pl": (23, 8), "hu": (27, 5), "it": (22, 10), "es": (21, 10)}
NAMES = {
    "pl": ("Hurtownia Zielińscy Sp. z o.o.", "ul. Piotrkowska 120", "90-006 Łódź"),
    "hu": ("Tóth és Fia Kereskedelmi Kft.", "Andrássy út 45.", "1061 Budapest"),
    "it": ("Officine Marchetti S.r.l.", "Corso Vittorio Emanuele II 21", "10121 Torino"),
    "es": ("Suministros Iberia S.L.", "Calle de Alcalá 155", "28009 Madrid"),
}
ITEMS = {
    "pl": ["Usługa transportowa", "Paleta EUR", "Folia stretch", "Montaż regałów"],
    "hu": ["Szállítási díj", "Csomagolóanyag", "Szerelési munka", "Raklap"],
    "it": ["Cuscinetto a sfere", "Manodopera", "Trasporto", "Guarnizione"],
    "es": ["Transporte", "Palé europeo", "Mano de obra", "Embalaje"],
}


def _supplier(rnd: random.Random, country: str) -> tuple[Party, str, str]:
    """The supplier, its IBAN and the domestic tax number it prints beside its VAT id."""
    name, street, city = NAMES[country]
    if country == "pl":
        core = valid_drawn(rnd, lambda r: str(r.randint(1, 9)) + digits(r, 9), nip.is_valid)
        vat, domestic = "PL" + core, f"{core[:3]}-{core[3:6]}-{core[6:8]}-{core[8:]}"
    elif country == "hu":
        core = valid_drawn(rnd, lambda r: str(r.randint(1, 9)) + digits(r, 7), anum.is_valid)
        vat, domestic = "HU" + core, f"{core}-2-{rnd.randint(10, 44)}"
    elif country == "it":
        vat = "IT" + valid_drawn(rnd, lambda r: "0" + digits(r, 10), iva.is_valid)
        domestic = vat[2:]
    else:
        letter = rnd.choice("ABC")
        vat = "ES" + valid_drawn(rnd, lambda r: letter + digits(r, 8), nif.is_valid)
        domestic = vat[2:]
    length = {"pl": 24, "hu": 24, "it": 23, "es": 20}[country]

    def make_iban(r: random.Random) -> str:
        body = ("X" if country == "it" else "") + digits(r, length - (1 if country == "it" else 0))
        cc = country.upper()
        return f"{cc}{std_iban.calc_check_digits(cc + '00' + body)}{body}"

    bank = valid_drawn(rnd, make_iban, std_iban.is_valid)
    return Party(name, "", None, vat, street=street, city=city), bank, domestic


def _date(d: date, country: str, style: int) -> str:
    if country == "hu":
        return [f"{d.year}.{d.month:02d}.{d.day:02d}.", f"{d.year}. {d.month:02d}. {d.day:02d}."][
            style % 2
        ]
    if country == "pl":
        return [d.isoformat(), f"{d.day:02d}.{d.month:02d}.{d.year}"][style % 2]
    return [f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day:02d}-{d.month:02d}-{d.year}"][style % 2]


def _money(v: Decimal, country: str, currency: str, style: int) -> str:
    sign = "-" if v < 0 else ""
    whole, cents = f"{abs(v):.2f}".split(".")
    group = {"pl": " ", "hu": " ", "it": ".", "es": "."}[country]
    grouped = f"{int(whole):,}".replace(",", group)
    symbol = {"EUR": "€", "PLN": "zł", "HUF": "Ft"}[currency]
    return [f"{sign}{grouped},{cents} {currency}", f"{sign}{grouped},{cents} {symbol}"][style % 2]


L10N: dict[str, dict[str, list[str]]] = {
    "pl": {
        "title": ["Faktura VAT nr", "FAKTURA VAT Nr", "Faktura nr"],
        "credit": ["Faktura korygująca nr", "Korekta faktury nr"],
        "refers": ["Dotyczy faktury nr", "Korekta do faktury nr"],
        "issue": ["Data wystawienia", "Data wyst."],
        "delivery": ["Data sprzedaży", "Data dostawy"],
        "due": ["Termin płatności", "Termin zapłaty"],
        "method": ["Sposób płatności: przelew", "Forma płatności: przelew"],
        "supplier": ["Sprzedawca", "Sprzedający"],
        "customer": ["Nabywca", "Kupujący"],
        "vat_id": ["NIP", "NIP UE"],
        "domestic": ["NIP"],
        "customer_vat": ["NIP UE", "VAT UE", "NIP"],
        "place": ["Miejsce wystawienia: Łódź", "Łódź"],
        "items": [
            "Lp.|Nazwa towaru / usługi|Ilość|Cena netto|Wartość netto|Stawka VAT|Kwota VAT|Wartość brutto"
        ],
        "recap": ["Stawka VAT|Wartość netto|Kwota VAT|Wartość brutto"],
        "sum": ["Razem"],
        "total": ["Do zapłaty", "Razem do zapłaty"],
        "bank": ["Konto bankowe", "Nr rachunku"],
    },
    "hu": {
        "title": ["SZÁMLA", "Számla"],
        "credit": ["HELYESBÍTŐ SZÁMLA", "Helyesbítő számla"],
        "number": ["Számla sorszáma", "Sorszám"],
        "refers": ["Eredeti számla sorszáma", "Helyesbített számla"],
        "issue": ["Kiállítás dátuma", "Számla kelte"],
        "delivery": ["Teljesítés dátuma", "Teljesítés kelte"],
        "due": ["Fizetési határidő", "Esedékesség"],
        "method": ["Fizetési mód: átutalás"],
        "supplier": ["Eladó", "Szállító"],
        "customer": ["Vevő"],
        "vat_id": ["Közösségi adószám", "EU adószám"],
        "domestic": ["Adószám"],
        "customer_vat": ["Közösségi adószám", "EU adószám"],
        "items": ["Megnevezés|Mennyiség|Egységár|Nettó érték|ÁFA %|ÁFA érték|Bruttó érték"],
        "recap": ["ÁFA kulcs|Nettó|ÁFA|Bruttó"],
        "sum": ["Összesen"],
        "total": ["Fizetendő összesen", "Fizetendő"],
        "bank": ["Bankszámlaszám (IBAN)", "IBAN"],
    },
    "it": {
        "title": ["FATTURA N.", "Fattura n."],
        "credit": ["NOTA DI CREDITO N.", "Nota di credito n."],
        "refers": ["Rif. fattura n.", "Riferimento fattura"],
        "issue": ["Data fattura", "Data documento"],
        "delivery": ["Data consegna"],
        "due": ["Data scadenza", "Scadenza"],
        "method": ["Modalità di pagamento: bonifico bancario"],
        "supplier": ["Cedente / Prestatore", "Fornitore"],
        "customer": ["Cessionario / Committente", "Cliente"],
        "vat_id": ["P.IVA", "Partita IVA"],
        "domestic": ["C.F."],
        "customer_vat": ["P.IVA", "Partita IVA", "VAT"],
        "items": ["Descrizione|Quantità|Prezzo unitario|Importo|IVA %|Imposta|Totale"],
        "recap": ["Aliquota IVA|Imponibile|Imposta|Totale"],
        "sum": ["Totale"],
        "total": ["Totale documento", "Totale da pagare"],
        "bank": ["IBAN"],
    },
    "es": {
        "title": ["FACTURA Nº", "Factura n.º"],
        "credit": ["FACTURA RECTIFICATIVA Nº", "Factura rectificativa n.º"],
        "refers": ["Factura rectificada", "Rectifica a la factura"],
        "issue": ["Fecha de factura", "Fecha de emisión"],
        "delivery": ["Fecha de entrega", "Fecha de operación"],
        "due": ["Fecha de vencimiento", "Vencimiento"],
        "method": ["Forma de pago: transferencia bancaria"],
        "supplier": ["Emisor", "Proveedor"],
        "customer": ["Cliente", "Destinatario"],
        "vat_id": ["NIF-IVA", "NIF"],
        "domestic": ["CIF"],
        "customer_vat": ["NIF-IVA", "VAT"],
        "items": ["Concepto|Cantidad|Precio|Importe|% IVA|Cuota IVA|Total"],
        "recap": ["Tipo IVA|Base imponible|Cuota IVA|Total"],
        "sum": ["Total"],
        "total": ["Total factura", "Total a pagar"],
        "bank": ["IBAN", "Cuenta bancaria"],
    },
}


def make(seed: int) -> tuple[Doc, str, str, dict[str, int]]:
    """A supplier's document to the office's client, its country, domestic number and style."""
    rnd = random.Random(seed)
    country = rnd.choice(COUNTRIES)
    supplier, bank, domestic = _supplier(rnd, country)
    credit = rnd.random() < 0.12
    base = make_doc(seed, doc_type="credit_note" if credit else "invoice", supplier=supplier)
    rates = RATES[country]
    items = tuple(
        Item(
            rnd.choice(ITEMS[country]),
            Decimal(rnd.choice([1, 1, 2, 3, 5, 10])),
            Decimal(rnd.randint(500, 400000)) / 100,
            rates[1] if rnd.random() < 0.25 else rates[0],
        )
        for _ in range(rnd.randint(1, 4))
    )
    y, m = base.issue_date.year, base.issue_date.month
    number = {
        "pl": rnd.choice([f"FV/{rnd.randint(1, 300)}/{m:02d}/{y}", f"{rnd.randint(1, 999)}/{y}"]),
        "hu": rnd.choice([f"{y}/{rnd.randint(1, 99999):06d}", f"E-{y}-{rnd.randint(1, 9999)}"]),
        "it": rnd.choice([f"{rnd.randint(1, 999)}/{y}", f"{rnd.randint(1, 999)}/FE"]),
        "es": rnd.choice(
            [f"{y}-{rnd.randint(1, 9999):04d}", f"F{y % 100}/{rnd.randint(1, 999):03d}"]
        ),
    }[country]
    currency = {"pl": "PLN", "hu": "HUF"}.get(country, "EUR") if rnd.random() < 0.3 else "EUR"
    doc = replace(
        base,
        number=number,
        variable_symbol=None,
        items=items,
        currency=currency,
        iban=bank,
        due_date=base.issue_date + timedelta(days=rnd.choice([7, 14, 30, 60])),
        delivery_date=base.issue_date - timedelta(days=rnd.choice([0, 0, 1, 3])),
        refers_to=f"{rnd.randint(1, 999)}/{y}" if credit else None,
    )
    style = {"dates": rnd.randrange(2), "money": rnd.randrange(2), "borders": rnd.randrange(2)}
    return doc, country, domestic, style


def render(doc: Doc, country: str, domestic: str, style: dict[str, int], seed: int) -> str:
    rnd = random.Random(seed * 11 + 3)
    T = {k: rnd.choice(v) for k, v in L10N[country].items()}
    esc = html.escape
    credit = doc.doc_type == "credit_note"

    def d(x: date) -> str:
        return esc(_date(x, country, style["dates"]))

    def m(v: Decimal) -> str:
        return esc(_money(v, country, doc.currency, style["money"]))

    s, c = doc.supplier, doc.customer
    vat_rows = doc.vat_rows()
    gross_rows = [(r, Decimal(r["base"]) + Decimal(r["vat"])) for r in vat_rows]
    title_word = T["credit"] if credit else T["title"]

    def party(head: str, p: Party, lines: list[str]) -> str:
        body = "".join(f"<div>{esc(x)}</div>" for x in [p.name, p.street, p.city, *lines])
        return f"<div class='party'><div class='h'>{esc(head)}</div>{body}</div>"

    supplier_ids = [f"{T['vat_id']}: {s.ic_dph}"]
    if country in ("pl", "hu") and rnd.random() < 0.5:
        supplier_ids.insert(0, f"{T['domestic']}: {domestic}")
    customer_lines = [
        "Słowacja"
        if country == "pl"
        else "Szlovákia"
        if country == "hu"
        else "Slovacchia"
        if country == "it"
        else "Eslovaquia"
    ]
    customer_lines.append(f"{T['customer_vat']}: {c.ic_dph}")
    parties = (
        f"<div class='row'>{party(T['supplier'], s, supplier_ids)}"
        f"{party(T['customer'], c, customer_lines)}</div>"
    )
    facts: list[tuple[str, str]] = []
    dated_title = country == "it" and rnd.random() < 0.5  # "FATTURA N. 12/2025 del 15/03/2025"
    if country == "hu":
        facts.append((T["number"], esc(doc.number)))
        title = f"<h1>{esc(title_word)}</h1>"
    elif dated_title:
        title = f"<h1>{esc(title_word)} {esc(doc.number)} del {d(doc.issue_date)}</h1>"
    else:
        title = f"<h1>{esc(title_word)} {esc(doc.number)}</h1>"
    if not dated_title:
        facts.append((T["issue"], d(doc.issue_date)))
    if doc.delivery_date:
        facts.append((T["delivery"], d(doc.delivery_date)))
    if doc.due_date:
        facts.append((T["due"], d(doc.due_date)))
    if credit and doc.refers_to:
        facts.append((T["refers"], esc(doc.refers_to)))
    if country == "hu":  # a row of fact boxes, the labels over the values
        facts_html = (
            "<table class='boxes'><tr>"
            + "".join(f"<th>{esc(k)}</th>" for k, _ in facts)
            + "</tr><tr>"
            + "".join(f"<td>{v}</td>" for _, v in facts)
            + "</tr></table>"
        )
    elif country == "pl" and rnd.random() < 0.5:  # place and date of issue on one line
        first, *rest = facts
        facts_html = (
            f"<p class='place'>{esc(T['place'])}, {esc(first[0])}: {first[1]}</p>"
            + "".join(f"<p class='f'>{esc(k)}: {v}</p>" for k, v in rest)
        )
    else:
        facts_html = (
            "<table class='facts'>"
            + "".join(f"<tr><td>{esc(k)}:</td><td>{v}</td></tr>" for k, v in facts)
            + "</table>"
        )
    head = T["items"].split("|")
    lines = ""
    for i, item in enumerate(doc.items, 1):
        net = item.quantity * item.unit_price * doc.sign
        tax = (net * item.rate / 100).quantize(Decimal("0.01"))
        cells = [esc(item.text), f"{item.quantity}", m(item.unit_price * doc.sign), m(net)]
        cells += [f"{item.rate}%", m(tax), m(net + tax)]
        if country == "pl":
            cells.insert(0, f"{i}.")  # "Lp.", the line's number
        lines += "<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"
    items_html = (
        f"<table class='items{' b' if style['borders'] else ''}'><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + f"</tr>{lines}</table>"
    )
    recap_rows = "".join(
        f"<tr><td>{r['rate']}%</td><td>{m(Decimal(r['base']))}</td><td>{m(Decimal(r['vat']))}</td><td>{m(g)}</td></tr>"
        for r, g in gross_rows
    )
    net_sum = sum((Decimal(r["base"]) for r in vat_rows), Decimal(0))
    vat_sum = sum((Decimal(r["vat"]) for r in vat_rows), Decimal(0))
    if len(vat_rows) > 1 or rnd.random() < 0.5:
        recap_rows += f"<tr class='sum'><td>{esc(T['sum'])}</td><td>{m(net_sum)}</td><td>{m(vat_sum)}</td><td>{m(doc.total())}</td></tr>"
    recap_html = (
        "<table class='recap b'><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in T["recap"].split("|"))
        + f"</tr>{recap_rows}</table>"
    )
    iban = " ".join(doc.iban[i : i + 4] for i in range(0, len(doc.iban), 4)) if doc.iban else ""
    pay = (
        f"<p class='total'>{esc(T['total'])}: <b>{m(doc.total())}</b></p>"
        f"<p>{esc(T['method'])}</p><p>{esc(T['bank'])}: {esc(iban)}</p>"
    )
    signatures = {
        "pl": "Osoba upoważniona do odbioru | Osoba upoważniona do wystawienia",
        "hu": "Kiállító aláírása",
        "it": "Documento privo di valenza fiscale ai sensi dell'art. 21 DPR 633/72",
        "es": "Inscrita en el Registro Mercantil de Madrid, Tomo 1234, Folio 56, Hoja M-78901",
    }[country]
    font = rnd.choice(["DejaVu Sans", "Liberation Sans", "Liberation Serif"])
    size = rnd.choice([8, 9, 10])
    order = [title, facts_html, parties] if rnd.random() < 0.6 else [parties, title, facts_html]
    css = f"""
    body {{ font-family: '{font}'; font-size: {size}pt; margin: 0; }}
    h1 {{ font-size: {size + 7}pt; margin: 2mm 0; }}
    .row {{ display: flex; gap: 8mm; margin: 4mm 0; }} .party {{ flex: 1; border: 1px solid #bbb; padding: 2mm; }}
    .h {{ font-weight: bold; text-transform: uppercase; font-size: {size - 1}pt; color: #444; }}
    table {{ border-collapse: collapse; margin: 3mm 0; }} td, th {{ padding: 0.8mm 2mm; }}
    table.items {{ width: 100%; }} th {{ background: #eee; font-size: {size - 1}pt; }}
    table.b td, table.b th, table.boxes td, table.boxes th {{ border: 1px solid #999; }}
    table.items td:not(:nth-child(2)), table.recap td {{ text-align: right; }}
    table.recap {{ margin-left: auto; }} .total {{ font-size: {size + 3}pt; text-align: right; }}
    .sign {{ margin-top: 14mm; font-size: {size - 2}pt; color: #666; }}
    """
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body>"
        f"{''.join(order)}{items_html}{recap_html}{pay}<div class='sign'>{esc(signatures)}</div>"
        "</body></html>"
    )


def expected_of(doc: Doc) -> dict[str, object]:
    """What the page shows: the supplier's EU VAT id (a domestic number beside it is no
    Slovak DIČ), the Slovak customer's IČ DPH alone."""
    out = doc.expected()
    out["supplier"] = {**doc.supplier.expected(), "ico": None}
    out["customer"] = {**doc.customer.expected(), "ico": None, "dic": None}
    return out


def page_of(seed: int) -> tuple[Doc, str, dict[str, object]]:
    doc, country, domestic, style = make(seed)
    return doc, render(doc, country, domestic, style, seed), expected_of(doc)


def documents(n: int, first_seed: int = 110000) -> Iterator[tuple[Doc, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds, printed by one browser."""
    return printed_pages(page_of, n, first_seed)


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "east")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
