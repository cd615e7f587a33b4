"""German letter invoices made by dinbrief, a library for DIN 5008 / DIN 676 letters and
invoices (reportlab), not by the project's generators: a held-out family whose page nobody
here laid out.

What a German supplier's own software sends a Slovak company: a letter for a window envelope,
the sender line above the recipient's address ("Firma · Straße 1 · 12345 Ort"), an info box
at the right, the letter's date on a line of its own with no label, a subject line with the
invoice's number, the library's item table ("# | Description | Unit Price | Quantity | Line
Total") and its total table ("Sum (net)", "+19% VAT", "Sum (gross)"), in the English the
library prints outside a Django project, amounts as "1234.56 €". Drawn here: only the data
and the few lines a programmer writes around the library (subject, info box, a payment line,
the library's bank transfer form with its SEPA QR code or not).

    python -m tests.dingen OUT_DIR [N]     # write N samples (PDF + expected JSON)
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from tests.appgen import _company, _iban
from tests.htmlgen import write_samples

CENT = Decimal("0.01")
GOODS = [
    ("Wartung Heizungsanlage", "Std."),
    ("Ersatzteile laut Liste", "Stk."),
    ("Montage vor Ort", "Std."),
    ("Softwarelizenz, 12 Monate", ""),
    ("Anfahrtspauschale", ""),
    ("Druckerpatronen XL", "Stk."),
    ("Beratung", "Std."),
]


@dataclass(frozen=True)
class Drawn:
    number: str
    build: Any  # a function writing the PDF into a file object
    expected: dict[str, object]


def make(seed: int) -> Drawn:
    from dinbrief.document import Document
    from dinbrief.invoice import BankTransferForm, Invoice, Item, ItemTable, TotalTable
    from dinbrief.styles import styles
    from dinbrief.template import BriefTemplate
    from reportlab.platypus import Paragraph, Spacer

    rnd = random.Random(seed)
    supplier, city = _company(rnd, "de")
    customer, _ = _company(rnd, "de")
    german = rnd.random() < 0.7  # the programmer's own words around the library
    year = 2025 + rnd.randrange(2)
    number = rnd.choice(
        [
            f"RE-{year}-{rnd.randint(1, 9999):04d}",
            f"{year}{rnd.randint(1, 99999):05d}",
            f"R{rnd.randint(10**5, 10**7)}",
        ]
    )
    issued = date(2025, 1, 1) + timedelta(days=rnd.randrange(700))
    due = issued + timedelta(days=rnd.choice([10, 14, 30]))
    delivered = issued - timedelta(days=rnd.choice([0, 1, 2, 5]))
    rates = rnd.sample([Decimal("0.19"), Decimal("0.07")], k=rnd.choice([1, 1, 2]))
    words = (
        {
            "subject": "Rechnung Nr. {n}",
            "no": "Rechnungsnummer",
            "date": "Rechnungsdatum",
            "cust": "Kundennummer",
            "vat": "USt-IdNr.",
            "delivery": "Lieferdatum",
            "pay": "Bitte überweisen Sie den Betrag bis zum {d} auf unser Konto.",
            "month": "Leistung",
        }
        if german
        else {
            "subject": "Invoice {n}",
            "no": "Invoice number",
            "date": "Invoice date",
            "cust": "Customer number",
            "vat": "VAT ID",
            "delivery": "Delivery date",
            "pay": "Please pay by {d}.",
            "month": "Service",
        }
    )
    # the library's table wants a date or a period column (with neither, reportlab 5 refuses
    # its zero-width column): the day each line was delivered, or the month it covers
    period = rnd.random() < 0.4
    month = f"{delivered.month:02d}/{delivered.year}"
    items = []
    for pos in range(1, rnd.choice([2, 3, 4, 6, 10]) + 1):
        text, unit = rnd.choice(GOODS)
        price = Decimal(rnd.randint(500, 250000)) / 100
        quantity = Decimal(rnd.choice([1, 1, 2, 3, 5, 8, 10]))
        discount = rnd.choice([Decimal(0)] * 4 + [Decimal("0.05"), Decimal("0.10")])
        items.append(
            Item(
                pos,
                text,
                period=f"{words['month']} {month}" if period else "",
                date=None if period else delivered - timedelta(days=rnd.randrange(3)),
                price=price,
                unit=unit,
                quantity=quantity,
                discount=discount,
                vat_rate=rnd.choice(rates),
            )
        )
    invoice = Invoice(items=items, currency="€")
    # what the library prints, each amount with two places (its own formatting rounds half even)
    rows = [
        {
            "rate": f"{v.rate * 100:.0f}",
            "base": f"{sum((i.total for i in items if i.vat_rate == v.rate), Decimal(0)).quantize(CENT):.2f}",
            "vat": f"{v.amount.quantize(CENT):.2f}",
        }
        for v in invoice.vat_items
    ]
    gross = invoice.gross
    iban = _iban(rnd, "de", ["10070000", "20050550", "37040044", "50010517"])
    day = f"{issued.day:02d}.{issued.month:02d}.{issued.year}"
    letter_date = rnd.choice([day, f"{city}, {day}", f"{city}, den {day}"])
    due_text = f"{due.day:02d}.{due.month:02d}.{due.year}"
    infobox = [Paragraph(f"{words['no']}: {number}", styles["Text"])]
    if rnd.random() < 0.6:
        infobox.append(Paragraph(f"{words['date']}: {day}", styles["Text"]))
    infobox.append(Paragraph(f"{words['cust']}: {rnd.randint(10000, 99999)}", styles["Text"]))
    infobox.append(
        Paragraph(
            f"{words['delivery']}: {delivered.day:02d}.{delivered.month:02d}.{delivered.year}",
            styles["Text"],
        )
    )
    infobox.append(Paragraph(f"{words['vat']}: {supplier.ic_dph}", styles["Text"]))
    content: list[Any] = [
        Paragraph(words["subject"].format(n=number), styles["Subject"]),
        ItemTable(BriefTemplate(), invoice),
        TotalTable(BriefTemplate(), invoice),
        Spacer(0, 20),
        Paragraph(words["pay"].format(d=due_text), styles["Text"]),
    ]
    form = rnd.random() < 0.7  # the IBAN is printed only in the library's transfer form
    if form:
        content += [
            Spacer(0, 10),
            BankTransferForm(
                account_holder=supplier.name,
                iban=" ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
                bic=rnd.choice(["DEUTDEDBXXX", "COBADEFFXXX", "GENODEF1S04"]),
                reference=number,
                amount=gross.quantize(CENT),
                show_qrcode=rnd.random() < 0.7,
            ),
        ]
    sender = [supplier.name, supplier.street, supplier.city]
    document = Document(
        sender=sender,
        recipient=[customer.name, customer.street, customer.city],
        date=letter_date,
        infobox=infobox,
        content=content,
    )

    def build(out: Any) -> None:
        BriefTemplate().render(document, out)

    expected: dict[str, object] = {
        "doc_type": "invoice",
        "number": number,
        "variable_symbol": None,
        "issue_date": issued.isoformat(),
        "delivery_date": delivered.isoformat(),
        "due_date": due.isoformat(),
        "supplier": {"name": supplier.name, "ico": None, "dic": None, "ic_dph": supplier.ic_dph},
        "customer": {"name": customer.name, "ico": None, "dic": None, "ic_dph": None},
        "currency": "EUR",
        "total": f"{gross.quantize(CENT):.2f}",
        "vat": rows,
        "iban": iban if form else None,
        "refers_to": None,
    }
    return Drawn(number, build, expected)


def documents(n: int, first_seed: int = 190000) -> Iterator[tuple[Drawn, bytes, dict[str, object]]]:
    for seed in range(first_seed, first_seed + n):
        drawn = make(seed)
        out = io.BytesIO()
        drawn.build(out)
        yield drawn, out.getvalue(), drawn.expected


def main(argv: list[str]) -> int:
    return write_samples(argv, documents, "dingen")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
