"""Structured e-invoices: UBL 2.1 / Peppol BIS Billing 3.0 (Invoice, CreditNote), ISDOC 6
(Czech), UN/CEFACT CII (Factur-X, ZUGFeRD 1.0 and 2.x, XRechnung CII). When a document carries
structured data, reading it beats reading printed text.

Parsed with lxml (there is no maintained ISDOC parser; factur-x only finds Factur-X XML by its
reserved file names) with a hardened parser: no entities, no DTD, no network, no huge trees.
Elements are matched by local name, so namespace versions (ISDOC 5/6, ZUGFeRD 1 vs CII D16B)
read alike. `read_einvoice` returns None for XML it does not recognise.

Identifiers follow the contract: an 8-digit legal-entity id is the IČO; a VAT id goes to
`ic_dph`, except a Czech one (CZ…), which is the DIČ; Peppol endpoint scheme 0245 is the
Slovak DIČ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from parsers.fields import ExtractedFields, Party, VatRow, finished
from parsers.values import compact_id, is_valid_iban
from parsers.vocab import DocType

MAX_XML_BYTES = 10 * 1024 * 1024
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)

UBL_TYPES = {
    "380": DocType.INVOICE,
    "381": DocType.CREDIT_NOTE,
    "383": DocType.DEBIT_NOTE,
    "384": DocType.CREDIT_NOTE,
    "386": DocType.ADVANCE_TAX_DOCUMENT,
    "389": DocType.INVOICE,
    "393": DocType.INVOICE,
    "82": DocType.INVOICE,
    "325": DocType.PROFORMA_INVOICE,
}
# ISDOC DocumentType: 1 faktura, 2 dobropis, 3 vrubopis, 4 zálohová faktura (nedaňová),
# 5 daňový doklad k přijaté záloze, 6 dobropis daňového dokladu k záloze, 7 zjednodušený doklad
ISDOC_TYPES = {
    "1": DocType.INVOICE,
    "2": DocType.CREDIT_NOTE,
    "3": DocType.DEBIT_NOTE,
    "4": DocType.PROFORMA_INVOICE,
    "5": DocType.ADVANCE_TAX_DOCUMENT,
    "6": DocType.CREDIT_NOTE,
    "7": DocType.INVOICE,
}


def read_einvoice(data: bytes) -> ExtractedFields | None:
    if len(data) > MAX_XML_BYTES:
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    name, ns = etree.QName(root).localname, etree.QName(root).namespace or ""
    if name in ("Invoice", "CreditNote") and "ubl" in ns:
        fields = _ubl(root, name)
    elif name == "Invoice" and "isdoc" in ns:
        fields = _isdoc(root)
    elif name in ("CrossIndustryInvoice", "CrossIndustryDocument"):
        fields = _cii(root)
    else:
        return None
    return _finish(fields)


# ---- namespace-agnostic navigation -------------------------------------------------------------


def _kids(el: Any, name: str) -> Iterator[Any]:
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            yield child


def _find(el: Any, path: str) -> Any:
    for part in path.split("/"):
        if el is None:
            return None
        el = next(_kids(el, part), None)
    return el


def _first(el: Any, *paths: str) -> Any:
    """The first of `paths` present (never truth-test lxml elements: that counts children)."""
    for path in paths:
        found = _find(el, path) if el is not None else None
        if found is not None:
            return found
    return None


def _all(el: Any, path: str) -> list[Any]:
    *parents, last = path.split("/")
    base = _find(el, "/".join(parents)) if parents else el
    return list(_kids(base, last)) if base is not None else []


def _text(el: Any, path: str) -> str | None:
    found = _find(el, path)
    text = " ".join((found.text or "").split()) if found is not None else ""
    return text or None


def _amount(el: Any, path: str) -> Decimal | None:
    text = _text(el, path)
    try:
        return Decimal(text).quantize(Decimal("0.01")) if text else None
    except InvalidOperation:
        return None


def _first_amount(el: Any, *paths: str) -> Decimal | None:
    return next((a for p in paths if (a := _amount(el, p)) is not None), None)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    digits = text.replace("-", "")[:8]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _rate(value: Decimal | None) -> str:
    return f"{value.normalize():f}" if value is not None else "0"


def _vs(text: str | None) -> str | None:
    """A variable symbol: up to 10 digits, possibly written "VS 123"."""
    if not text:
        return None
    digits = text.upper().removeprefix("VS").strip(" :")
    return digits if digits.isdigit() and len(digits) <= 10 else None


def _ids(
    legal_id: str | None, vat_id: str | None, tax_number: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """(ico, dic, ic_dph) from what a party declares, each from its own element (CONTRACT
    "Conventions": nothing is copied from one key to another). An IČO has 8 digits; a DIČ
    10 digits or a country prefix with 8 to 10."""
    ico = legal_id if legal_id and legal_id.isdigit() and len(legal_id) == 8 else None
    dic = compact_id(tax_number) if tax_number else None
    if dic and not re.fullmatch(r"(?:[A-Z]{2})?\d{8,10}", dic):
        dic = None
    return ico, dic, compact_id(vat_id) if vat_id else None


# ---- the three formats ---------------------------------------------------------------------------


def _ubl(root: Any, name: str) -> ExtractedFields:
    credit = name == "CreditNote"
    code = _text(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode")
    doc_type = (
        DocType.CREDIT_NOTE
        if credit and code in (None, "381")
        else UBL_TYPES.get(code or "", DocType.INVOICE)
    )
    means = _find(root, "PaymentMeans")
    # An advance tax document documents a payment received: its amount is the VAT-inclusive
    # total, whatever is left to pay (CONTRACT "Conventions").
    total_path = (
        "LegalMonetaryTotal/TaxInclusiveAmount"
        if doc_type is DocType.ADVANCE_TAX_DOCUMENT
        else "LegalMonetaryTotal/PayableAmount"
    )
    return ExtractedFields(
        doc_type=doc_type,
        number=_text(root, "ID"),
        variable_symbol=_vs(_text(means, "PaymentID")) if means is not None else None,
        issue_date=_date(_text(root, "IssueDate")),
        delivery_date=_date(
            _text(root, "Delivery/ActualDeliveryDate") or _text(root, "TaxPointDate")
        ),
        due_date=_date(_text(root, "DueDate") or _text(root, "PaymentMeans/PaymentDueDate")),
        supplier=_ubl_party(_find(root, "AccountingSupplierParty/Party")),
        customer=_ubl_party(_find(root, "AccountingCustomerParty/Party")),
        currency=_text(root, "DocumentCurrencyCode"),
        total=_amount(root, total_path) or _amount(root, "LegalMonetaryTotal/PayableAmount"),
        vat=_tax_subtotals(root, "TaxTotal/TaxSubtotal"),
        iban=_text(root, "PaymentMeans/PayeeFinancialAccount/ID"),
        refers_to=_text(root, "BillingReference/InvoiceDocumentReference/ID"),
    )


def _tax_subtotals(root: Any, path: str) -> tuple[VatRow, ...]:
    """UBL TaxSubtotal / ISDOC TaxSubTotal: one VAT row per rate."""
    return tuple(
        VatRow(
            _rate(_amount(s, "TaxCategory/Percent")),
            _amount(s, "TaxableAmount") or Decimal(0),
            _amount(s, "TaxAmount") or Decimal(0),
        )
        for s in _all(root, path)
    )


def _ubl_party(party: Any) -> Party:
    if party is None:
        return Party()
    endpoint = _find(party, "EndpointID")
    dic = (
        endpoint.text.strip()
        if endpoint is not None and endpoint.get("schemeID") == "0245" and endpoint.text
        else None
    )
    schemes = {
        (_text(t, "TaxScheme/ID") or "VAT").upper(): _text(t, "CompanyID")
        for t in _kids(party, "PartyTaxScheme")
    }
    # EN 16931 BT-32, the seller's tax registration: TaxScheme "TAX" is the DIČ
    tax = schemes.get("TAX")
    dic = dic or (compact_id(tax) if tax else None)
    ico, dic2, ic_dph = _ids(_text(party, "PartyLegalEntity/CompanyID"), schemes.get("VAT"), dic)
    return Party(
        _text(party, "PartyLegalEntity/RegistrationName") or _text(party, "PartyName/Name"),
        ico,
        dic2,
        ic_dph,
    )


def _isdoc(root: Any) -> ExtractedFields:
    details = _find(root, "PaymentMeans/Payment/Details")
    doc_type = ISDOC_TYPES.get(_text(root, "DocumentType") or "", DocType.INVOICE)
    total = _amount(root, "LegalMonetaryTotal/PayableAmount")
    if doc_type is DocType.ADVANCE_TAX_DOCUMENT:  # the payment it documents
        total = _amount(root, "LegalMonetaryTotal/TaxInclusiveAmount") or total
    return ExtractedFields(
        doc_type=doc_type,
        number=_text(root, "ID"),
        variable_symbol=_vs(_text(details, "VariableSymbol")) if details is not None else None,
        issue_date=_date(_text(root, "IssueDate")),
        delivery_date=_date(_text(root, "TaxPointDate")),
        due_date=_date(_text(details, "PaymentDueDate")) if details is not None else None,
        supplier=_isdoc_party(_find(root, "AccountingSupplierParty/Party")),
        customer=_isdoc_party(_find(root, "AccountingCustomerParty/Party")),
        currency=_text(root, "LocalCurrencyCode"),
        total=total,
        vat=_tax_subtotals(root, "TaxTotal/TaxSubTotal"),
        iban=_text(details, "IBAN") if details is not None else None,
        refers_to=_text(root, "OriginalDocumentReferences/OriginalDocumentReference/ID"),
    )


def _isdoc_party(party: Any) -> Party:
    if party is None:
        return Party()
    # ISDOC is Czech: its PartyTaxScheme (CZ…, SK…) is the DIČ as a Czech print shows it
    # (CONTRACT "Conventions"); it carries no separate VAT id.
    ico, _, _ = _ids(_text(party, "PartyIdentification/ID"), None)
    tax = _text(party, "PartyTaxScheme/CompanyID")
    return Party(_text(party, "PartyName/Name"), ico, compact_id(tax) if tax else None, None)


def _cii(root: Any) -> ExtractedFields:
    # CII D16B (Factur-X, ZUGFeRD 2) names first, then ZUGFeRD 1.0's
    document = _first(root, "ExchangedDocument", "HeaderExchangedDocument")
    trade = _first(root, "SupplyChainTradeTransaction", "SpecifiedSupplyChainTradeTransaction")
    agreement = _first(
        trade, "ApplicableHeaderTradeAgreement", "ApplicableSupplyChainTradeAgreement"
    )
    delivery = _first(trade, "ApplicableHeaderTradeDelivery", "ApplicableSupplyChainTradeDelivery")
    settlement = _first(
        trade, "ApplicableHeaderTradeSettlement", "ApplicableSupplyChainTradeSettlement"
    )
    summation = _first(
        settlement,
        "SpecifiedTradeSettlementHeaderMonetarySummation",
        "SpecifiedTradeSettlementMonetarySummation",
    )
    total = _amount(summation, "DuePayableAmount") if summation is not None else None
    if total is None and summation is not None:  # ZUGFeRD 1 BASIC states no amount due
        grand = _amount(summation, "GrandTotalAmount")
        prepaid = _amount(summation, "TotalPrepaidAmount") or Decimal(0)
        total = grand - prepaid if grand is not None else None
    code = _text(document, "TypeCode") if document is not None else None
    doc_type = UBL_TYPES.get(code or "", DocType.INVOICE)
    if doc_type is DocType.ADVANCE_TAX_DOCUMENT and summation is not None:  # the payment
        total = _amount(summation, "GrandTotalAmount") or total
    if doc_type is DocType.INVOICE and total is not None and total < 0:
        doc_type = (
            DocType.CREDIT_NOTE
        )  # an invoice with negative amounts is a credit note (Factur-X "avoir")
    vat = tuple(
        VatRow(
            _rate(_first_amount(t, "RateApplicablePercent", "ApplicablePercent")),
            _amount(t, "BasisAmount") or Decimal(0),
            _amount(t, "CalculatedAmount") or Decimal(0),
        )
        for t in (_all(settlement, "ApplicableTradeTax") if settlement is not None else [])
    )
    return ExtractedFields(
        doc_type=doc_type,
        number=_text(document, "ID") if document is not None else None,
        variable_symbol=None,
        issue_date=_date(_text(document, "IssueDateTime/DateTimeString"))
        if document is not None
        else None,
        delivery_date=_date(
            _text(delivery, "ActualDeliverySupplyChainEvent/OccurrenceDateTime/DateTimeString")
        )
        if delivery is not None
        else None,
        due_date=_date(
            _text(settlement, "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString")
        )
        if settlement is not None
        else None,
        supplier=_cii_party(
            _find(agreement, "SellerTradeParty") if agreement is not None else None
        ),
        customer=_cii_party(_find(agreement, "BuyerTradeParty") if agreement is not None else None),
        currency=_text(settlement, "InvoiceCurrencyCode") if settlement is not None else None,
        total=total,
        vat=vat,
        iban=_text(
            settlement,
            "SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/IBANID",
        )
        if settlement is not None
        else None,
        refers_to=_text(settlement, "InvoiceReferencedDocument/IssuerAssignedID")
        if settlement is not None
        else None,
    )


def _cii_party(party: Any) -> Party:
    if party is None:
        return Party()
    registrations = {
        r.get("schemeID"): (r.text or "").strip()
        for r in (_find(t, "ID") for t in _kids(party, "SpecifiedTaxRegistration"))
        if r is not None
    }
    ico, dic, ic_dph = _ids(
        _text(party, "SpecifiedLegalOrganization/ID"),
        registrations.get("VA"),
        registrations.get("FC"),
    )
    return Party(_text(party, "Name"), ico, dic, ic_dph)


def _finish(f: ExtractedFields) -> ExtractedFields:
    """Contract conventions and checks, as for printed documents."""
    iban = compact_id(f.iban) if f.iban else None
    unreadable_iban = iban is not None and not is_valid_iban(iban)
    if f.doc_type is DocType.CREDIT_NOTE:
        f = replace(
            f,
            total=-abs(f.total) if f.total is not None else None,
            vat=tuple(VatRow(r.rate, -abs(r.base), -abs(r.vat)) for r in f.vat),
        )
    return finished(replace(f, iban=iban), unreadable_iban)  # flagged when it fails its check
