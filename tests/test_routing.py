"""Routing: address table, the checks table-driven over hand-built values, and decide()."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parsers.extract import ExtractedDocument
from parsers.fields import ExtractedFields, Party, VatRow
from parsers.mime import AttachmentKind
from parsers.vocab import DocType, Flag, Mailbox, Status
from routing.addresses import AddressBook, Company, normalize_address
from routing.checks import Facts, accounting_range, route
from routing.decide import EditedAfterIssue, KnownDocument, New, Redelivery, decide

FIRMA = Company(
    "Firma s.r.o.",
    "35790326",
    "2020104735",
    "SK2020104735",
    {
        Mailbox.RECEIPTS: "firma.blocky@doklady.example.sk",
        Mailbox.INCOMING_INVOICES: "firma.dosle@doklady.example.sk",
        Mailbox.OUTGOING_INVOICES: "firma.odoslane@doklady.example.sk",
    },
)
OTHER = Company(
    "Iná a.s.", "36582221", None, None, {Mailbox.INCOMING_INVOICES: "ina@doklady.example.sk"}
)
BOOK = AddressBook.of([FIRMA, OTHER])


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("firma.dosle@doklady.example.sk", ("35790326", Mailbox.INCOMING_INVOICES)),
        ("Firma.Dosle@Doklady.Example.SK", ("35790326", Mailbox.INCOMING_INVOICES)),
        ("firma.dosle+jan2025@doklady.example.sk", ("35790326", Mailbox.INCOMING_INVOICES)),
        ("<firma.blocky@doklady.example.sk>", ("35790326", Mailbox.RECEIPTS)),
        ("ina+x+y@doklady.example.sk", ("36582221", Mailbox.INCOMING_INVOICES)),
        ("firma.dosle@doklady.example.com", None),
        ("firma.dosle", None),
        ("", None),
    ],
)
def test_address_lookup(address: str, expected: tuple[str, Mailbox] | None) -> None:
    route_ = BOOK.lookup(address)
    assert (route_ and (route_.company, route_.mailbox)) == expected


def test_normalize_address() -> None:
    assert normalize_address(" Local+Tag@Domain.SK ") == "local@domain.sk"


def test_resolve_one_route_per_company_and_mailbox() -> None:
    routes, unknown = BOOK.resolve(
        [
            "firma.dosle@doklady.example.sk",
            "FIRMA.DOSLE+a@doklady.example.sk",
            "ina@doklady.example.sk",
            "nobody@example.sk",
        ]
    )
    assert [(r.company, r.mailbox) for r in routes] == [
        ("35790326", Mailbox.INCOMING_INVOICES),
        ("36582221", Mailbox.INCOMING_INVOICES),
    ]
    assert unknown == ("nobody@example.sk",)


def _doc(**kw: object) -> ExtractedDocument:
    base: dict[str, object] = {
        "doc_type": DocType.INVOICE,
        "number": "2025001",
        "issue_date": None,
        "total": Decimal("123.00"),
        "supplier": Party("Dodávateľ", "36582221"),
        "customer": Party("Firma", "35790326"),
        "vat": (VatRow("23", Decimal("100.00"), Decimal("23.00")),),
    }
    base.update(kw)
    return ExtractedDocument(
        "0" * 64, "f.pdf", AttachmentKind.PDF, ExtractedFields(**base), 1, None
    )  # type: ignore[arg-type]


CASES = [
    (
        "rounding line explains the total",
        Mailbox.INCOMING_INVOICES,
        {"total": Decimal("123.50"), "rounding": Decimal("0.50")},
        (),
    ),
    (
        "deducted advance explains the total",
        Mailbox.INCOMING_INVOICES,
        {"total": Decimal("23.00"), "advances": Decimal("100.00")},
        (),
    ),
    (
        "an advance that does not explain it",
        Mailbox.INCOMING_INVOICES,
        {"total": Decimal("50.00"), "advances": Decimal("100.00")},
        (Flag.TOTALS_INCONSISTENT,),
    ),
    ("clean incoming invoice", Mailbox.INCOMING_INVOICES, {}, ()),
    (
        "incoming for another customer",
        Mailbox.INCOMING_INVOICES,
        {"customer": Party("Niekto", "36661414")},
        (Flag.CUSTOMER_ICO_MISMATCH,),
    ),
    (
        "outgoing issued by someone else, addressed to the client",
        Mailbox.OUTGOING_INVOICES,
        {},
        (Flag.SUPPLIER_ICO_MISMATCH, Flag.MISROUTED),
    ),
    (
        "outgoing issued by a stranger to a stranger",
        Mailbox.OUTGOING_INVOICES,
        {"supplier": Party("Z", "36740608"), "customer": Party("X", "36661414")},
        (Flag.SUPPLIER_ICO_MISMATCH,),
    ),
    (
        "own invoice sent to the incoming address",
        Mailbox.INCOMING_INVOICES,
        {"supplier": Party("Firma", "35790326"), "customer": Party("X", "36582221")},
        (Flag.CUSTOMER_ICO_MISMATCH, Flag.MISROUTED),
    ),
    (
        "incoming invoice of another client of the office",
        Mailbox.INCOMING_INVOICES,
        {"supplier": Party("Y", "36661414"), "customer": Party("Iná", "36582221")},
        (Flag.CUSTOMER_ICO_MISMATCH, Flag.MISROUTED),
    ),
    (
        "receipt at the invoice address",
        Mailbox.INCOMING_INVOICES,
        {"doc_type": DocType.RECEIPT, "customer": Party()},
        (Flag.MISROUTED,),
    ),
    ("invoice at the receipts address", Mailbox.RECEIPTS, {}, (Flag.MISROUTED,)),
    (
        "outgoing issued by the client",
        Mailbox.OUTGOING_INVOICES,
        {"supplier": Party("Firma", "35790326"), "customer": Party("X", "36582221")},
        (),
    ),
    (
        "totals off by more than rounding",
        Mailbox.INCOMING_INVOICES,
        {"total": Decimal("130.00")},
        (Flag.TOTALS_INCONSISTENT,),
    ),
    ("rounding is fine", Mailbox.INCOMING_INVOICES, {"total": Decimal("123.03")}, ()),
    ("missing fields", Mailbox.INCOMING_INVOICES, {"missing": ("number",)}, (Flag.MISSING_FIELDS,)),
    (
        "parser flags pass through",
        Mailbox.INCOMING_INVOICES,
        {"flags": (Flag.INVALID_ICO, Flag.INVALID_IBAN)},
        (Flag.INVALID_ICO, Flag.INVALID_IBAN),
    ),
    (
        "a parser flag no check names is kept, after the checks' own, once",
        Mailbox.INCOMING_INVOICES,
        {"flags": (Flag.MESSAGE_TOO_LARGE, Flag.INVALID_IBAN, Flag.MESSAGE_TOO_LARGE)},
        (Flag.INVALID_IBAN, Flag.MESSAGE_TOO_LARGE),
    ),
    (
        "unreadable is not also missing_fields",
        Mailbox.INCOMING_INVOICES,
        {"flags": (Flag.UNREADABLE_PDF,), "missing": ("text",)},
        (Flag.UNREADABLE_PDF,),
    ),
    (
        "receipt over 400 €",
        Mailbox.RECEIPTS,
        {
            "doc_type": DocType.RECEIPT,
            "total": Decimal("492.00"),
            "vat": (VatRow("23", Decimal("400.00"), Decimal("92.00")),),
        },
        (Flag.RECEIPT_OVER_LIMIT,),
    ),
]


@pytest.mark.parametrize(("name", "mailbox", "changes", "flags"), CASES, ids=[c[0] for c in CASES])
def test_checks(
    name: str, mailbox: Mailbox, changes: dict[str, object], flags: tuple[Flag, ...]
) -> None:
    decision = route(Facts(_doc(**changes), FIRMA, mailbox, (FIRMA, OTHER)))
    assert decision.flags == flags
    assert decision.status == (Status.NEEDS_REVIEW if flags else Status.ACCEPTED)


@pytest.mark.parametrize(
    ("mailbox", "doc_type", "expected"),
    [
        (Mailbox.OUTGOING_INVOICES, DocType.INVOICE, "OF"),
        (Mailbox.OUTGOING_INVOICES, DocType.PROFORMA_INVOICE, "OPF"),
        (Mailbox.OUTGOING_INVOICES, DocType.CREDIT_NOTE, "OD"),
        (Mailbox.OUTGOING_INVOICES, DocType.ADVANCE_TAX_DOCUMENT, "OF"),
        (Mailbox.INCOMING_INVOICES, DocType.INVOICE, "DF"),
        (Mailbox.INCOMING_INVOICES, DocType.PROFORMA_INVOICE, "DPF"),
        (Mailbox.INCOMING_INVOICES, DocType.DEBIT_NOTE, "DD"),
        (Mailbox.RECEIPTS, DocType.RECEIPT, "P"),
        (Mailbox.INCOMING_INVOICES, DocType.UNKNOWN, None),
    ],
)
def test_accounting_range(mailbox: Mailbox, doc_type: DocType, expected: str | None) -> None:
    assert accounting_range(mailbox, doc_type) == expected


def test_decide() -> None:
    a = KnownDocument("doc-a", "a" * 64)
    assert decide("a" * 64, a, a) == Redelivery("doc-a")
    assert decide("b" * 64, None, a) == EditedAfterIssue("doc-a")
    assert decide("b" * 64, None, None) == New()
    # the same bytes in another mailbox are not an edit of themselves
    assert decide("a" * 64, None, a) == New()


def test_misrouted_says_where_it_belongs() -> None:
    doc = _doc(supplier=Party("Y", "36661414"), customer=Party("Iná", "36582221"))
    decision = route(Facts(doc, FIRMA, Mailbox.INCOMING_INVOICES, (FIRMA, OTHER)))
    assert decision.belongs_to == ("36582221", Mailbox.INCOMING_INVOICES)


SERIES = Company(
    "Firma s.r.o.",
    "35790326",
    None,
    None,
    {},
    {
        DocType.INVOICE: "OF{YYYY}{NNNN}",
        DocType.CREDIT_NOTE: "OD{YY}-{N}",
    },
)


@pytest.mark.parametrize(
    ("doc_type", "number", "issued", "flagged"),
    [
        (DocType.INVOICE, "OF20250012", date(2025, 3, 1), False),
        (DocType.INVOICE, "of20250012", date(2025, 3, 1), False),
        (DocType.INVOICE, "OF2025012", date(2025, 3, 1), True),  # three digits, not four
        (DocType.INVOICE, "OF20240012", date(2025, 3, 1), True),  # last year's series
        (DocType.INVOICE, "2025001", date(2025, 3, 1), True),
        (DocType.CREDIT_NOTE, "OD25-7", date(2025, 3, 1), False),
        (
            DocType.CREDIT_NOTE,
            "OF20250013",
            date(2025, 3, 1),
            True,
        ),  # a credit note in the invoice series
        (
            DocType.PROFORMA_INVOICE,
            "OF20250014",
            date(2025, 3, 1),
            True,
        ),  # no series of its own, uses another's
        (DocType.PROFORMA_INVOICE, "ZF-1", date(2025, 3, 1), False),
    ],
)
def test_series_mismatch(doc_type: DocType, number: str, issued: date, flagged: bool) -> None:
    doc = _doc(
        doc_type=doc_type,
        number=number,
        issue_date=issued,
        supplier=Party("Firma", "35790326"),
        customer=Party("X", "36582221"),
    )
    decision = route(Facts(doc, SERIES, Mailbox.OUTGOING_INVOICES))
    assert (Flag.SERIES_MISMATCH in decision.flags) == flagged


def test_series_is_not_checked_on_incoming_documents() -> None:
    doc = _doc(number="whatever-1")
    assert Flag.SERIES_MISMATCH not in route(Facts(doc, SERIES, Mailbox.INCOMING_INVOICES)).flags


def test_series_numbers_parse_format_and_gaps() -> None:
    from routing.series import format_number, gaps_and_reuse, parse_number

    assert parse_number("OF20250012", "OF{YYYY}{NNNN}") == (2025, 12)
    assert parse_number("OD25-7", "OD{YY}-{N}") == (2025, 7)
    assert parse_number("2025012", "OF{YYYY}{NNNN}") is None
    assert format_number("OF{YYYY}{NNNN}", 2025, 3) == "OF20250003"
    numbers = ["OF20250001", "OF20250002", "OF20250005", "OF20250005", "OF20260001", "foreign-1"]
    assert gaps_and_reuse(numbers, "OF{YYYY}{NNNN}") == {
        "2025": {"missing": ["OF20250003", "OF20250004"], "reused": ["OF20250005"]}
    }
