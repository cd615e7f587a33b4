"""Invoices made by InvoiceGenerator, a Czech invoicing library of its own (reportlab), not
by the project's generators: a held-out family whose layout, words and number forms nobody
here chose.

The library is what Czech web shops and small Django apps print their invoices with: a boxed
head with "Poskytovatel" / "Odběratel" (or its English "Provider" / "Customer"), the dates in
the right column, payment information under the supplier, an item table with a VAT recap, and
babel's money and date forms ("26 592,- Kč", "Nov 24, 2026"). What is drawn here is only the
data: companies, items, rates, symbols, the language and currency, a proforma now and then.
The expected fields are the values as the library prints them (its own sums and rounding).

    python -m tests.igen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import io
import os
import random
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from tests.appgen import _company, _iban
from tests.htmlgen import write_samples

CENT = Decimal("0.01")
ITEMS = {
    "cs": [
        ("Montáž", "h"),
        ("Materiál", "ks"),
        ("Konzultace", "h"),
        ("Doprava", "km"),
        ("Licence software na 1 rok", "ks"),
        ("Tvorba webových stránek podle zadání", ""),
        ("Servisní prohlídka", "ks"),
        ("Kancelářský papír A4", "bal"),
    ],
    "en": [
        ("Installation", "h"),
        ("Consulting services", "h"),
        ("Hosting, yearly plan", "pcs"),
        ("Travel costs", "km"),
        ("Software licence", "pcs"),
        ("Website development as agreed", ""),
    ],
}
TITLES = {
    "invoice": {"cs": ["Faktura", "Faktura - daňový doklad", ""], "en": ["Invoice", "", "INVOICE"]},
    "proforma_invoice": {
        "cs": ["Zálohová faktura", "Proforma faktura"],
        "en": ["Proforma invoice"],
    },
}


@dataclass(frozen=True)
class Drawn:
    number: str
    invoice: Any  # InvoiceGenerator.api.Invoice
    lang: str
    kind: str
    expected: dict[str, object]


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_EVEN):.2f}"


def make(seed: int) -> Drawn:
    from InvoiceGenerator.api import Client, Creator, Invoice, Item, Provider

    rnd = random.Random(seed)
    lang = rnd.choice(["cs", "cs", "cs", "en"])
    kind = rnd.choice(["invoice"] * 5 + ["proforma_invoice"])
    home = rnd.choice(["cs", "cs", "sk"])
    supplier, _ = _company(rnd, home)
    buyer, _ = _company(rnd, rnd.choice(["cs", "sk"]))

    def party(cls: Any, p: Any, vat_id: str | None) -> Any:
        zip_code, _, city = p.city.partition(" ")
        if zip_code[-1:].isdigit() and city[:1].isdigit():  # "110 00 Praha 1"
            more, _, city = city.partition(" ")
            zip_code = f"{zip_code} {more}"
        return cls(
            p.name, address=p.street, city=city, zip_code=zip_code, ir=p.ico, vat_id=vat_id or ""
        )

    # what the library prints as "DIČ" / "Vat in": a Czech company's CZ number, a Slovak one's
    # IČ DPH (or its DIČ, when it is no VAT payer)
    def vat_id(p: Any) -> str | None:
        return p.dic if p.dic and p.dic.startswith("CZ") else (p.ic_dph or p.dic)

    provider = party(Provider, supplier, vat_id(supplier))
    provider.bank_name = rnd.choice(["Fio banka", "Komerční banka", "ČSOB", "Tatra banka"])
    # one account, printed as the Czech "prefix-number/bank" and as its IBAN (the QR payment
    # the library draws is made from the first)
    iban = _iban(rnd, "cs", ["0800", "2010", "0300", "0100"])
    prefix, account = iban[8:14].lstrip("0"), iban[14:].lstrip("0")
    provider.bank_account = f"{prefix}-{account}" if prefix else account
    provider.bank_code = iban[4:8]
    client = party(Client, buyer, vat_id(buyer))
    inv = Invoice(client, provider, Creator(rnd.choice(["Jan Novák", "Petra Svobodová", "Admin"])))
    year = 2025 + rnd.randrange(2)
    seq = rnd.randint(1, 999)
    inv.number = rnd.choice(
        [f"{year}-{seq:04d}", f"FV{year}{seq:04d}", f"{year}{seq:05d}", f"{seq}/{year}"]
    )
    inv.variable_symbol = (
        "".join(ch for ch in inv.number if ch.isdigit())[-10:] if rnd.random() < 0.85 else ""
    )
    if rnd.random() < 0.2:
        inv.specific_symbol = str(rnd.randint(100, 99999))
    inv.use_tax = kind == "invoice" and rnd.random() < 0.8
    issued = date(2025, 1, 1) + timedelta(days=rnd.randrange(700))
    inv.date = issued
    inv.payback = issued + timedelta(days=rnd.choice([7, 14, 14, 30]))
    inv.taxable_date = issued - timedelta(days=rnd.choice([0, 0, 1, 3])) if inv.use_tax else None
    inv.paytype = rnd.choice(
        ["", "Převodem", "Bankovní převod" if lang == "cs" else "Bank transfer"]
    )
    iban = iban if rnd.random() < 0.8 else None
    inv.iban = iban or ""
    if iban and rnd.random() < 0.5:
        inv.swift = rnd.choice(["GIBACZPX", "FIOBCZPP", "KOMBCZPP"])
    euro = rnd.random() < 0.25
    inv.currency, inv.currency_locale = (
        ("EUR", rnd.choice(["sk_SK", "cs_CZ", "de_DE"])) if euro else ("Kč", "cs_CZ.UTF-8")
    )
    inv.rounding_result = not euro and rnd.random() < 0.3
    inv.title = rnd.choice(TITLES[kind][lang])
    rates = [Decimal(r) for r in rnd.sample(["21", "12", "0"], k=rnd.choice([1, 1, 2]))]
    for _ in range(rnd.choice([1, 2, 3, 4, 6, 9, 25])):
        text, unit = rnd.choice(ITEMS[lang])
        count = (
            Decimal(rnd.choice([1, 1, 2, 3, 5, 10, 12, 32]))
            if unit != "km"
            else Decimal(rnd.randint(10, 400))
        )
        price = Decimal(rnd.randint(100, 2000000)) / (100 if rnd.random() < 0.6 else 1) / 100
        inv.add_item(
            Item(count, price.quantize(CENT), description=text, unit=unit, tax=rnd.choice(rates))
        )
    payer = inv.use_tax
    rows = [
        {"rate": f"{rate:.0f}", "base": _money(row["total"]), "vat": _money(row["tax"])}
        for rate, row in inv.generate_breakdown_vat().items()
    ]
    total = inv.price_tax if payer else inv.price

    def truth(p: Any, printed_vat: str | None) -> dict[str, str | None]:
        # the contact lines are "DIČ" / "IČ" in either language: the library translates them
        # in the language of the process that first imported it, Czech unless told otherwise
        return {"name": p.name, "ico": p.ico, "dic": printed_vat, "ic_dph": None}

    currency = "EUR" if euro else "CZK"
    expected: dict[str, object] = {
        "doc_type": kind,
        "number": inv.number,
        "variable_symbol": inv.variable_symbol or None,
        "issue_date": issued.isoformat(),
        "delivery_date": inv.taxable_date.isoformat() if inv.taxable_date else None,
        "due_date": inv.payback.isoformat(),
        "supplier": truth(supplier, vat_id(supplier)),
        "customer": truth(buyer, vat_id(buyer)),
        "currency": currency,
        "total": _money(total),
        "vat": rows if payer else [],  # in the order printed
        "iban": iban,
        "refers_to": None,
    }
    return Drawn(inv.number, inv, lang, kind, expected)


def print_pdf(drawn: Drawn) -> bytes:
    """The library's own PDF of `drawn` (its language is read from INVOICE_LANG)."""
    from InvoiceGenerator.pdf import ProformaInvoice, SimpleInvoice

    before = os.environ.get("INVOICE_LANG")
    os.environ["INVOICE_LANG"] = drawn.lang
    try:
        out = io.BytesIO()
        with warnings.catch_warnings():
            # its Invoice.currency defaults to "Kč", and every print warns it is deprecated;
            # it opens its QR picture to measure it and leaves the file to the collector
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", ResourceWarning)
            if drawn.kind == "proforma_invoice":
                ProformaInvoice(drawn.invoice).gen(out)
            else:
                SimpleInvoice(drawn.invoice).gen(out, generate_qr_code=bool(drawn.invoice.iban))
        return out.getvalue()
    finally:
        if before is None:
            os.environ.pop("INVOICE_LANG", None)
        else:
            os.environ["INVOICE_LANG"] = before


def documents(n: int, first_seed: int = 180000) -> Iterator[tuple[Drawn, bytes, dict[str, object]]]:
    for seed in range(first_seed, first_seed + n):
        drawn = make(seed)
        yield drawn, print_pdf(drawn), drawn.expected


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "igen")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
