"""Payment and receipt QR codes: PAY by square, QR Platba (SPAYD), eKasa - decoded from strings
and found on rendered PDF pages (zxing-cpp), filling what the print lacks."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from parsers.extract import extract_document
from parsers.fields import as_contract
from parsers.mime import Attachment, AttachmentKind, sha256_hex
from parsers.paycode import decode_pay_by_square, decode_spayd, ekasa_receipt_id
from parsers.vocab import Flag
from tests.docgen import (
    LAYOUTS,
    curves_only_pdf,
    make_doc,
    make_receipt,
    pay_by_square,
    render_receipt,
)

# A public PAY by square test vector (from the README of an open-source PHP decoder).
PUBLIC_VECTOR = (
    "0006Q0000UAT63HVES6GL5A5A0O9NSPEEHUHIEP70EG9LM6LU6EBNQ8KG6RB2N2LUIHMVTV51KQ77DGFC25KM2S9V46EQSN5GSD9J1N"
    "4BKT1L9ASVOOT1LPOMAO66IS2BHJDCNA4D9LFKG9MTFLISBD36O5CQQNJIBB2TJILQVVN684000"
)


def _pdf(data: bytes) -> Attachment:
    return Attachment(AttachmentKind.PDF, data, sha256_hex(data), "f.pdf", "application/pdf", "2")


def test_public_pay_by_square_vector() -> None:
    p = decode_pay_by_square(PUBLIC_VECTOR)
    assert p is not None
    assert (p.amount, p.currency, p.due_date, p.variable_symbol, p.iban) == (
        Decimal("100.00"),
        "EUR",
        date(2020, 3, 16),
        "789",
        "CZ5530300000001325090010",
    )


def test_round_trip_and_garbage() -> None:
    encoded = pay_by_square(
        Decimal("1234.50"), "SK3112000000198742637541", "2025001", date(2025, 2, 28)
    )
    p = decode_pay_by_square(encoded)
    assert p is not None and (p.amount, p.iban, p.variable_symbol) == (
        Decimal("1234.50"),
        "SK3112000000198742637541",
        "2025001",
    )
    for junk in ("", "HELLO", "0000000000", encoded[:-6], "O-" + "A" * 32):
        assert decode_pay_by_square(junk) is None


def test_spayd_and_ekasa() -> None:
    p = decode_spayd(
        "SPD*1.0*ACC:CZ6508000000192000145399+GIBACZPX*AM:480.50*CC:CZK*X-VS:1234567*DT:20250131*MSG:FAKTURA"
    )
    assert p is not None and (p.iban, p.amount, p.currency, p.variable_symbol, p.due_date) == (
        "CZ6508000000192000145399",
        Decimal("480.50"),
        "CZK",
        "1234567",
        date(2025, 1, 31),
    )
    assert (
        ekasa_receipt_id("o-6ff27e7b194f490db27e7b194fe4a1b2")
        == "O-6FF27E7B194F490DB27E7B194FE4A1B2"
    )
    assert ekasa_receipt_id("https://example.com") is None


def test_qr_fills_what_the_print_lacks() -> None:
    doc = make_doc(401)
    qr = pay_by_square(doc.total(), doc.iban or "", doc.variable_symbol, doc.due_date)
    printed = dataclasses.replace(doc, qr=qr, hide=("iban", "vs"))
    result = extract_document(_pdf(LAYOUTS["sk_columns"](printed)))
    got = as_contract(result.fields)
    for key, value in doc.expected().items():
        assert got[key] == value, key
    assert result.fields.flags == ()


def test_qr_disagreeing_with_the_print_is_flagged() -> None:
    doc = make_doc(402)
    qr = pay_by_square(doc.total(), doc.iban or "", "999999", doc.due_date)  # another VS
    result = extract_document(
        _pdf(LAYOUTS["sk_columns"](dataclasses.replace(doc, qr=qr, hide=("iban",))))
    )
    assert Flag.PAYMENT_QR_MISMATCH in result.fields.flags
    assert (
        result.fields.variable_symbol == doc.variable_symbol
    )  # the print is kept; a person decides


def test_a_qr_asking_for_another_amount_is_flagged_even_when_the_print_is_complete() -> None:
    """The print gives IBAN, VS, total and due date; the QR a bank app would pay asks for
    1.00 to another account: a person must see it (CONTRACT flags: payment_qr_mismatch)."""
    doc = make_doc(403)
    wrong = pay_by_square(Decimal("1.00"), "SK3112000000198742637541", "1", doc.due_date)
    result = extract_document(_pdf(LAYOUTS["sk_columns"](dataclasses.replace(doc, qr=wrong))))
    assert Flag.PAYMENT_QR_MISMATCH in result.fields.flags
    assert f"{result.fields.total:.2f}" == doc.expected()["total"]  # the print is kept


def test_a_page_without_anything_like_a_code_is_not_rendered() -> None:
    from parsers.pdftext import read_pdf

    plain = LAYOUTS["sk_columns"](make_doc(405))
    coded = LAYOUTS["sk_columns"](dataclasses.replace(make_doc(405), qr="anything"))
    assert (read_pdf(plain).code_like, read_pdf(coded).code_like) == (False, True)


def test_ekasa_qr_gives_the_receipt_id() -> None:
    receipt = make_receipt(404)
    printed = dataclasses.replace(receipt, qr=receipt.receipt_id, hide=("uid",))
    result = extract_document(_pdf(render_receipt(printed)))
    assert result.fields.receipt_id == receipt.receipt_id


def test_scan_with_only_a_qr_keeps_no_text_layer() -> None:
    result = extract_document(_pdf(curves_only_pdf()))
    assert result.fields.flags == (Flag.NO_TEXT_LAYER,)
