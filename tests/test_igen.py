"""Invoices printed by InvoiceGenerator, a Czech invoicing library nobody here wrote
(tests/igen.py): its own layout, words and money forms, read on seeds no fix was made on."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from parsers.extract import extract_document
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.pdftext import read_pdf
from tests.docgen import Tally

ROOT = Path(__file__).resolve().parent.parent


def test_invoices_of_a_czech_invoicing_library_are_read() -> None:
    from tests.igen import documents

    tally = Tally.of(documents(16, first_seed=183000))
    assert tally.wrong == 0, tally.bad
    assert tally.ratio >= 0.99, tally.bad
    assert tally.accepted >= 15, tally.bad


# The library translates its contact lines in the language of the process that imported it
# first: a shop running in English prints "Vat in" and "IR", and "Taxable invoice num." over
# its "Provider".
_ENGLISH = """
import sys
from datetime import date
from decimal import Decimal
from InvoiceGenerator.api import Client, Creator, Invoice, Item, Provider
from InvoiceGenerator.pdf import SimpleInvoice
client = Client("Beta Obchod s.r.o.", address="Dlouhá 2", city="Brno", zip_code="602 00",
                ir="27082440", vat_id="CZ27082440")
provider = Provider("Alfa Stav s.r.o.", address="Hlavní 1", city="Praha 1", zip_code="110 00",
                    bank_account="2600088888", bank_code="2010", ir="25596641",
                    vat_id="CZ25596641", bank_name="Fio banka")
invoice = Invoice(client, provider, Creator("Jan Novák"))
invoice.number, invoice.variable_symbol, invoice.use_tax = "2026-0042", "20260042", True
invoice.date, invoice.payback = date(2026, 11, 24), date(2026, 12, 8)
invoice.taxable_date = date(2026, 11, 23)
invoice.add_item(Item(32, 600, description="Installation", unit="h", tax=Decimal(21)))
SimpleInvoice(invoice).gen(sys.argv[1])
"""


def test_the_library_printing_in_english(tmp_path: Path) -> None:
    out = tmp_path / "en.pdf"
    env = {**os.environ, "INVOICE_LANG": "en", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", _ENGLISH, str(out)], check=True, env=env, timeout=60)
    pdf = out.read_bytes()
    text = "\n".join(s.text for p in read_pdf(pdf).pages for s in p.segments)
    assert "Vat in: CZ25596641" in text and "Provider" in text  # the labels read below
    f = extract_document(
        Attachment(AttachmentKind.PDF, pdf, sha256_hex(pdf), "en.pdf", "application/pdf", "2")
    ).fields
    assert f.number == "2026-0042"
    assert (str(f.issue_date), str(f.delivery_date), str(f.due_date)) == (
        "2026-11-24",
        "2026-11-23",
        "2026-12-08",
    )
    assert (f.supplier.name, f.supplier.ico, f.supplier.ic_dph) == (
        "Alfa Stav s.r.o.",
        "25596641",
        "CZ25596641",
    )
    assert (f.customer.name, f.customer.ico, f.customer.ic_dph) == (
        "Beta Obchod s.r.o.",
        "27082440",
        "CZ27082440",
    )
    assert f.total == Decimal("23232.00")
