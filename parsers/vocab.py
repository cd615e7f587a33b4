"""The contract's words (../shared/CONTRACT.md), spelled exactly as users and scripts see them.

Shared by every package, so it lives in the innermost one. Glossary of the Slovak terms:

- IČO: identifikačné číslo organizácie, the 8-digit company registration number (mod-11 check
  digit, the same algorithm in Slovakia and Czechia).
- DIČ: daňové identifikačné číslo, the tax number (SK: 10 digits; CZ: "CZ" + IČO or birth number).
- IČ DPH: identifikačné číslo pre DPH, the EU VAT id ("SK" + 10 digits).
- DPH: VAT. DUZP: datum uskutečnění zdanitelného plnění, the Czech date of supply.
- VS: variabilný symbol, the payment reference banks carry to the payee.
"""

from __future__ import annotations

from enum import StrEnum


class DocType(StrEnum):
    INVOICE = "invoice"
    PROFORMA_INVOICE = "proforma_invoice"
    CREDIT_NOTE = "credit_note"
    DEBIT_NOTE = "debit_note"
    ADVANCE_TAX_DOCUMENT = "advance_tax_document"
    RECEIPT = "receipt"
    UNKNOWN = "unknown"


class Mailbox(StrEnum):
    RECEIPTS = "receipts"
    INCOMING_INVOICES = "incoming_invoices"
    OUTGOING_INVOICES = "outgoing_invoices"


class Status(StrEnum):
    ACCEPTED = "accepted"
    EDITED_AFTER_ISSUE = "edited_after_issue"
    NEEDS_REVIEW = "needs_review"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"


class Channel(StrEnum):
    SMTP = "smtp"
    IMAP = "imap"
    FILE = "file"


class Flag(StrEnum):
    """Reasons for review. A document with any flag is not `accepted`."""

    SUPPLIER_ICO_MISMATCH = "supplier_ico_mismatch"
    CUSTOMER_ICO_MISMATCH = "customer_ico_mismatch"
    MISROUTED = "misrouted"
    SERIES_MISMATCH = "series_mismatch"
    TOTALS_INCONSISTENT = "totals_inconsistent"
    MISSING_FIELDS = "missing_fields"
    INVALID_ICO = "invalid_ico"
    INVALID_IC_DPH = "invalid_ic_dph"
    INVALID_IBAN = "invalid_iban"
    RECEIPT_OVER_LIMIT = "receipt_over_limit"
    NO_DOCUMENT = "no_document"
    UNREADABLE_PDF = "unreadable_pdf"
    NO_TEXT_LAYER = "no_text_layer"
    UNKNOWN_RECIPIENT = "unknown_recipient"
    EDITED_AFTER_ISSUE = "edited_after_issue"
    PROCESSING_FAILED = "processing_failed"
    MESSAGE_TOO_LARGE = "message_too_large"
    STRUCTURED_MISMATCH = "structured_mismatch"
    PAYMENT_QR_MISMATCH = "payment_qr_mismatch"


# The document fields of the contract's JSON, in its order ("A document, as inbox list prints it").
FIELD_KEYS = (
    "doc_type",
    "number",
    "variable_symbol",
    "issue_date",
    "delivery_date",
    "due_date",
    "supplier",
    "customer",
    "currency",
    "total",
    "vat",
    "iban",
    "receipt_id",
    "refers_to",
)
PARTY_KEYS = ("name", "ico", "dic", "ic_dph")
