"""Checks that turn a routed document's fields into the contract's flags.

Each check is named after the flag it raises and returns that flag or None; `route()` runs
them in a fixed order and records every hit, then any flag of the parsers' that no check
named. A document with no flag is `accepted`, any flag makes it `needs_review`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from parsers.extract import ExtractedDocument
from parsers.fields import adds_up
from parsers.vocab import DocType, Flag, Mailbox, Status
from routing.addresses import Company
from routing.series import follows

RECEIPT_LIMIT = Decimal(
    "400.00"
)  # eKasa receipt as a simplified invoice: up to 400 € with VAT (from 2025)


@dataclass(frozen=True, slots=True)
class Facts:
    document: ExtractedDocument
    company: Company
    mailbox: Mailbox
    office: tuple[Company, ...] = ()  # every client of the office, for "belongs to another"


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    status: Status
    flags: tuple[Flag, ...]
    accounting_range: str | None
    belongs_to: tuple[str, Mailbox] | None = None  # where a misrouted document should have gone


Check = Callable[[Facts], Flag | None]


def read(flag: Flag) -> Check:
    """A fact the reading found and no field can show again (an unreadable file, an
    identifier whose check digits fail, an e-invoice or a payment QR that says otherwise than
    the print): raised as the parser reported it."""

    def check(f: Facts) -> Flag | None:
        return flag if flag in f.document.fields.flags else None

    check.__name__ = flag.value
    return check


def missing_fields(f: Facts) -> Flag | None:
    fields = f.document.fields
    unreadable = {Flag.UNREADABLE_PDF, Flag.NO_TEXT_LAYER} & set(fields.flags)
    return Flag.MISSING_FIELDS if fields.missing and not unreadable else None


def supplier_ico_mismatch(f: Facts) -> Flag | None:
    """An outgoing invoice is issued by the client itself."""
    ico = f.document.fields.supplier.ico
    if f.mailbox is Mailbox.OUTGOING_INVOICES and ico is not None and ico != f.company.ico:
        return Flag.SUPPLIER_ICO_MISMATCH
    return None


def customer_ico_mismatch(f: Facts) -> Flag | None:
    """An incoming invoice is addressed to the client."""
    ico = f.document.fields.customer.ico
    if f.mailbox is Mailbox.INCOMING_INVOICES and ico is not None and ico != f.company.ico:
        return Flag.CUSTOMER_ICO_MISMATCH
    return None


def belongs_elsewhere(f: Facts) -> tuple[str, Mailbox] | None:
    """The (company, mailbox) a document clearly belongs to, when it is not this one."""
    fields = f.document.fields
    me, supplier, customer = f.company.ico, fields.supplier.ico, fields.customer.ico
    if fields.doc_type is DocType.RECEIPT:
        return (me, Mailbox.RECEIPTS) if f.mailbox is not Mailbox.RECEIPTS else None
    if fields.doc_type is DocType.UNKNOWN:
        return None
    if f.mailbox is not Mailbox.OUTGOING_INVOICES and supplier == me and customer != me:
        return me, Mailbox.OUTGOING_INVOICES
    if f.mailbox is not Mailbox.INCOMING_INVOICES and customer == me and supplier != me:
        return me, Mailbox.INCOMING_INVOICES
    others = {c.ico for c in f.office if c.ico != me}
    if f.mailbox is Mailbox.INCOMING_INVOICES and customer in others and customer is not None:
        return customer, Mailbox.INCOMING_INVOICES
    if f.mailbox is Mailbox.OUTGOING_INVOICES and supplier in others and supplier is not None:
        return supplier, Mailbox.OUTGOING_INVOICES
    return None


def misrouted(f: Facts) -> Flag | None:
    return Flag.MISROUTED if belongs_elsewhere(f) is not None else None


def series_mismatch(f: Facts) -> Flag | None:
    """An outgoing document must follow its type's series; a type without a series of its own
    must not use another's (a credit note numbered in the invoice series)."""
    fields = f.document.fields
    if f.mailbox is not Mailbox.OUTGOING_INVOICES or not fields.number or not f.company.series:
        return None
    if fields.supplier.ico not in (None, f.company.ico):
        return None  # someone else's numbering: supplier_ico_mismatch says what is wrong
    year = fields.issue_date.year if fields.issue_date else None
    own = f.company.series.get(fields.doc_type)
    if own is not None:
        return None if follows(fields.number, own, year) else Flag.SERIES_MISMATCH
    for doc_type, pattern in f.company.series.items():
        if doc_type is not fields.doc_type and follows(fields.number, pattern):
            return Flag.SERIES_MISMATCH
    return None


def totals_inconsistent(f: Facts) -> Flag | None:
    return Flag.TOTALS_INCONSISTENT if adds_up(f.document.fields) is False else None


def receipt_over_limit(f: Facts) -> Flag | None:
    fields = f.document.fields
    if (
        fields.doc_type is DocType.RECEIPT
        and fields.total is not None
        and fields.total > RECEIPT_LIMIT
    ):
        return Flag.RECEIPT_OVER_LIMIT
    return None


CHECKS: tuple[Check, ...] = (
    read(Flag.UNREADABLE_PDF),
    read(Flag.NO_TEXT_LAYER),
    missing_fields,
    supplier_ico_mismatch,
    customer_ico_mismatch,
    misrouted,
    series_mismatch,
    totals_inconsistent,
    read(Flag.INVALID_ICO),
    read(Flag.INVALID_IC_DPH),
    read(Flag.INVALID_IBAN),
    read(Flag.STRUCTURED_MISMATCH),  # the e-invoice inside or beside the PDF says otherwise
    read(Flag.PAYMENT_QR_MISMATCH),  # PAY by square / QR Platba: another IBAN, VS, amount, date
    receipt_over_limit,
)

_RANGES: dict[tuple[Mailbox, DocType], str] = {
    (Mailbox.OUTGOING_INVOICES, DocType.INVOICE): "OF",
    (Mailbox.OUTGOING_INVOICES, DocType.ADVANCE_TAX_DOCUMENT): "OF",
    (Mailbox.OUTGOING_INVOICES, DocType.PROFORMA_INVOICE): "OPF",
    (Mailbox.OUTGOING_INVOICES, DocType.CREDIT_NOTE): "OD",
    (Mailbox.OUTGOING_INVOICES, DocType.DEBIT_NOTE): "OD",
    (Mailbox.INCOMING_INVOICES, DocType.INVOICE): "DF",
    (Mailbox.INCOMING_INVOICES, DocType.ADVANCE_TAX_DOCUMENT): "DF",
    (Mailbox.INCOMING_INVOICES, DocType.PROFORMA_INVOICE): "DPF",
    (Mailbox.INCOMING_INVOICES, DocType.CREDIT_NOTE): "DD",
    (Mailbox.INCOMING_INVOICES, DocType.DEBIT_NOTE): "DD",
}


def accounting_range(mailbox: Mailbox, doc_type: DocType) -> str | None:
    """The KROS range a document is booked in; receipts all go to `P`."""
    if mailbox is Mailbox.RECEIPTS:
        return "P"
    return _RANGES.get((mailbox, doc_type))


def route(facts: Facts, checks: tuple[Check, ...] = CHECKS) -> RoutingDecision:
    raised = [flag for check in checks if (flag := check(facts)) is not None]
    # A flag the parsers report that no check above names is kept all the same, last:
    # nothing the reading found is dropped on the way to the inbox.
    flags = tuple(dict.fromkeys((*raised, *facts.document.fields.flags)))
    status = Status.NEEDS_REVIEW if flags else Status.ACCEPTED
    range_ = accounting_range(facts.mailbox, facts.document.fields.doc_type)
    belongs_to = belongs_elsewhere(facts) if Flag.MISROUTED in flags else None
    return RoutingDecision(status, flags, range_, belongs_to)
