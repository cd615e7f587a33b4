"""Invoices made by @h1dd3nsn1p3r/pdf-invoice, a Node.js invoicing library over pdfmake and
pdfkit, not by the project's generators: a held-out family from another language's PDF
writer, whose layout nobody here chose.

What a web shop or a small SaaS on Node.js sends: the supplier's lines at the left, the spaced
title "I N V O I C E" with "Ref no: #…", "Date", "Due Date" and "Status" at the right, a "Bill
To" block of the customer's contact person over the company, an item table whose line totals
include the tax, then "Subtotal", "Total Tax" and "Grand Total", amounts in the browser's
Intl forms ("€1,234.56", "1.234,56 €", "1 234,56 Kč"). Its own English words, or the
translations a programmer gives it (its strings are configurable); the supplier's VAT id and
IBAN lines are the programmer's, as the library takes them. Drawn here: the data.

    python -m tests.nodegen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from parsers import labels
from tests.appgen import _company, _iban
from tests.docgen import FONT_DIR
from tests.htmlgen import write_samples

NODE_DIR = Path(__file__).resolve().parent / "node"
CENT = Decimal("0.01")

STRINGS = {
    "en": {},  # the library's own
    "de": {
        "invoice": "RECHNUNG",
        "refNumber": "Rechnung Nr.",
        "date": "Datum",
        "dueDate": "Fällig am",
        "status": "Status",
        "billTo": "Rechnung an",
        "item": "Artikel",
        "quantity": "Anz.",
        "price": "Preis",
        "discount": "Rabatt",
        "tax": "MwSt.",
        "total": "Gesamt",
        "subTotal": "Summe",
        "totalTax": "MwSt.",
        "grandTotal": "Gesamt",
    },
    "sk": {
        "invoice": "F A K T Ú R A",
        "refNumber": "Číslo",
        "date": "Dátum vystavenia",
        "dueDate": "Dátum splatnosti",
        "status": "Stav",
        "billTo": "Odberateľ",
        "item": "Položka",
        "quantity": "Ks",
        "price": "Cena",
        "discount": "Zľava",
        "tax": "DPH",
        "total": "Spolu",
        "subTotal": "Medzisúčet",
        "totalTax": "DPH spolu",
        "grandTotal": "K úhrade",
    },
    "cs": {
        "invoice": "F A K T U R A",
        "refNumber": "Číslo",
        "date": "Datum vystavení",
        "dueDate": "Datum splatnosti",
        "status": "Stav",
        "billTo": "Odběratel",
        "item": "Položka",
        "quantity": "Ks",
        "price": "Cena",
        "discount": "Sleva",
        "tax": "DPH",
        "total": "Celkem",
        "subTotal": "Mezisoučet",
        "totalTax": "DPH celkem",
        "grandTotal": "K úhradě",
    },
}
DEFAULT_STRINGS = {
    "invoice": "I N V O I C E",
    "refNumber": "Ref no",
    "date": "Date",
    "dueDate": "Due Date",
    "status": "Status",
    "billTo": "Bill To",
    "item": "Item",
    "quantity": "Qty",
    "price": "Price",
    "discount": "Discount",
    "tax": "Tax",
    "total": "Total",
    "subTotal": "Subtotal",
    "totalTax": "Total Tax",
    "totalDiscount": "Total Discount",
    "fee": "Total Fee",
    "grandTotal": "Grand Total",
}
GOODS = {
    "en": [
        "Cloud VPS Server - Starter Plan",
        "Domain Registration",
        "Maintenance, yearly",
        "Consulting",
    ],
    "de": ["Webhosting Paket M", "Domainregistrierung", "Wartungsvertrag", "Beratung"],
    "sk": ["Webhosting - balík M", "Registrácia domény", "Servisná zmluva", "Konzultácie"],
    "cs": ["Webhosting - balíček M", "Registrace domény", "Servisní smlouva", "Konzultace"],
}
WORDS = {  # the label the programmer writes before the VAT id, and the status
    "en": ("VAT ID", "Unpaid"),
    "de": ("USt-IdNr.", "Offen"),
    "sk": ("IČ DPH", "Neuhradená"),
    "cs": ("DIČ", "Neuhrazeno"),
}
LOCALES = {
    "en": ["en-US", "en-IE", "en-GB"],
    "de": ["de-DE", "de-AT"],
    "sk": ["sk-SK"],
    "cs": ["cs-CZ"],
}
RATES = {"en": [23, 20], "de": [19, 7], "sk": [23, 19], "cs": [21, 12]}


@dataclass(frozen=True)
class Drawn:
    number: str
    job: dict[str, object]  # the library's payload and configuration
    path: Path  # where the library writes the PDF
    expected: dict[str, object]


def _cents(x: float) -> Decimal:
    """JavaScript's toFixed(2) of a double: its exact value, a tie rounded up."""
    return Decimal(x).quantize(CENT, ROUND_HALF_UP)


def _printed_date(d: date, locale: str, style: int) -> str:
    if locale == "en-US":
        return [f"{d.month}/{d.day}/{d.year}", d.isoformat(), d.strftime("%B %-d, %Y")][style % 3]
    if locale.startswith("en"):
        return [f"{d.day:02d}/{d.month:02d}/{d.year}", d.isoformat(), d.strftime("%-d %B %Y")][
            style % 3
        ]
    return [f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}. {d.month}. {d.year}"][style % 2]


def make(seed: int, out: Path) -> Drawn:
    rnd = random.Random(seed)
    lang = rnd.choice(["en", "en", "de", "sk", "cs"])
    home = {"en": rnd.choice(["de", "sk"]), "de": "de", "sk": "sk", "cs": "cs"}[lang]
    supplier, _ = _company(rnd, home)
    buyer, _ = _company(rnd, "sk")
    locale = rnd.choice(LOCALES[lang])
    currency = "CZK" if lang == "cs" else "EUR"
    vat_label, status = WORDS[lang]
    vat_id = supplier.dic if lang == "cs" else supplier.ic_dph
    issued = date(2025, 1, 1) + timedelta(days=rnd.randrange(700))
    due = issued + timedelta(days=rnd.choice([7, 14, 30]))
    style = rnd.randrange(6)
    year = issued.year
    number = rnd.choice(
        [
            f"{year}-{rnd.randint(1, 9999):04d}",
            f"INV-{year}{rnd.randint(1, 999):03d}",
            str(rnd.randint(1000, 99999)),
        ]
    )
    iban = (
        _iban(
            rnd,
            home,
            {
                "de": ["10070000", "37040044"],
                "sk": ["1100", "0900", "0200"],
                "cs": ["0800", "2010"],
            }[home],
        )
        if rnd.random() < 0.8
        else None
    )
    rates = rnd.sample(RATES[lang], k=rnd.choice([1, 1, 1, 2]))
    items = []
    for _ in range(rnd.choice([1, 2, 3, 5])):
        price = rnd.randint(100, 500000) / 100
        items.append(
            {
                "name": rnd.choice(GOODS[lang]),
                "quantity": rnd.choice([1, 1, 2, 3, 12]),
                "price": price,
                "tax": rnd.choice(rates),
            }
        )
    # the library's own arithmetic, in doubles as JavaScript does it
    subtotal = _cents(sum(i["quantity"] * i["price"] * (1 + i["tax"] / 100) for i in items))
    tax = _cents(sum(i["price"] * i["quantity"] * i["tax"] / 100 for i in items))
    used = sorted({i["tax"] for i in items})
    vat: list[dict[str, str]] = []
    if (
        len(used) == 1
    ):  # one rate: the page says base = total - tax; with two, the split is not printed
        vat = [{"rate": str(used[0]), "base": f"{subtotal - tax:.2f}", "vat": f"{tax:.2f}"}]
    else:
        for rate in sorted(used, reverse=True):
            base = Decimal(
                str(sum(i["quantity"] * i["price"] for i in items if i["tax"] == rate))
            ).quantize(CENT)
            vat.append(
                {
                    "rate": str(rate),
                    "base": f"{base:.2f}",
                    "vat": f"{(base * rate / 100).quantize(CENT, ROUND_HALF_UP):.2f}",
                }
            )
    company = {
        "name": supplier.name,
        "address": f"{supplier.street}, {supplier.city}",
        "email": f"billing@{supplier.name.split()[0].lower().strip(',&-')}.example",
        "taxId": f"{vat_label}: {vat_id}",
    }
    if rnd.random() < 0.6:
        company["phone"] = (
            f"Tel: +{rnd.choice(['421', '49', '420'])} {rnd.randint(100, 999)} {rnd.randint(100000, 999999)}"
        )
    if iban:
        company["bank"] = f"IBAN: {iban}"
    person = rnd.choice(["Ján Novák", "Petra Kováčová", "Martin Horváth", "Eva Szabó"])
    # a contact person over the company, as a shop's account holds them; a sole trader alone
    with_company = labels.LEGAL_FORM.search(buyer.name) is not None and rnd.random() < 0.85
    customer = {
        "name": person if with_company else buyer.name,
        "address": f"{buyer.street}, {buyer.city}",
    }
    if with_company:
        customer["company"] = buyer.name
    customer_vat = rnd.random() < 0.6
    if customer_vat:
        customer["taxId"] = f"{'IČ DPH' if lang in ('sk', 'cs') else vat_label}: {buyer.ic_dph}"
    path = out / f"{seed}.pdf"
    fonts = {
        "DejaVu": {
            "normal": str(FONT_DIR / "DejaVuSans.ttf"),
            "bold": str(FONT_DIR / "DejaVuSans-Bold.ttf"),
            "italics": str(FONT_DIR / "DejaVuSans.ttf"),
            "bolditalics": str(FONT_DIR / "DejaVuSans-Bold.ttf"),
        }
    }
    # drawn before the note, as the seeds' first runs drew them
    qr = {"data": f"https://pay.example/{number}", "width": 50} if rnd.random() < 0.3 else None
    payload: dict[str, object] = {
        "company": company,
        "customer": customer,
        "invoice": {
            "number": number,
            "date": _printed_date(issued, locale, style),
            "dueDate": _printed_date(due, locale, style),
            "status": status,
            "locale": locale,
            "currency": currency,
            "path": str(path),
        },
        "items": items,
        "note": rnd.choice(
            [
                "Thank you for your business.",
                "Ďakujeme za nákup.",
                "Vielen Dank für Ihren Auftrag.",
                "",
            ]
        ),
    }
    if qr is not None:
        payload["qr"] = qr
    job = {
        "payload": payload,
        # a programmer printing Slovak or Czech gives it a font that has the letters
        "config": {
            "font": fonts,
            "style": {"font": "DejaVu"},
            "string": {**DEFAULT_STRINGS, **STRINGS[lang]},
        },
    }
    expected: dict[str, object] = {
        "doc_type": "invoice",
        "number": number,
        "variable_symbol": None,
        "issue_date": issued.isoformat(),
        "delivery_date": None,
        "due_date": due.isoformat(),
        "supplier": {
            "name": supplier.name,
            "ico": None,
            "dic": vat_id if lang == "cs" else None,
            "ic_dph": None if lang == "cs" else vat_id,
        },
        "customer": {
            "name": buyer.name,
            "ico": None,
            "dic": None,
            "ic_dph": buyer.ic_dph if customer_vat else None,
        },
        "currency": currency,
        "total": f"{subtotal:.2f}",
        "vat": vat,
        "iban": iban,
        "refers_to": None,
    }
    return Drawn(number, job, path, expected)


def available() -> bool:
    return (
        shutil.which("node") is not None and (NODE_DIR / "node_modules" / "@h1dd3nsn1p3r").is_dir()
    )


def documents(n: int, first_seed: int = 200000) -> Iterator[tuple[Drawn, bytes, dict[str, object]]]:
    """(document, PDF, expected fields) for n seeds: one Node.js process prints them all."""
    with tempfile.TemporaryDirectory() as tmp:
        drawn = [make(seed, Path(tmp)) for seed in range(first_seed, first_seed + n)]
        subprocess.run(
            ["node", str(NODE_DIR / "pdf_invoice.js")],
            input=json.dumps([d.job for d in drawn]).encode(),
            check=True,
            timeout=300,
        )
        for d in drawn:
            yield d, d.path.read_bytes(), d.expected


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "nodegen")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
