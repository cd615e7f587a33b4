"""One document in, its fields out: the unit of work a PDF worker runs.

A document is a PDF (possibly carrying an e-invoice inside: ISDOC.PDF, Factur-X, ZUGFeRD),
a PDF with an XML e-invoice beside it in the same message, or an XML e-invoice alone.
Structured data is read first and the print fills what the XML lacks; where both state the
number, a date or the total and disagree, the print's value is kept (it is what a person checks
and books) and the document is flagged `structured_mismatch`. An e-invoice whose number the page does not print
belongs to another document: then the print alone is read, and flagged the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from parsers.einvoice import read_einvoice
from parsers.fields import (
    ExtractedFields,
    Party,
    clean_name,
    extract_fields,
    finished,
    identifier_flags,
    missing_required,
    strict_for_ocr,
)
from parsers.grid import Grid
from parsers.mime import Attachment, AttachmentKind
from parsers.ocr import MIN_WORDS, OCR_MAX_PAGES, pdf_pictures, read_picture
from parsers.ocr import unavailable as ocr_unavailable
from parsers.paycode import decode_pay_by_square, decode_spayd, ekasa_receipt_id, read_codes
from parsers.pdftext import DEFAULT_MAX_PAGES, PdfText, read_pdf
from parsers.pictures import Picture, frame_count, open_pictures, too_small
from parsers.values import amounts_in, compact_id, date_readings
from parsers.vocab import DocType, Flag

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Job:
    """What a worker reads: one attachment, and the XML e-invoices sent beside it."""

    attachment: Attachment
    companions: tuple[Attachment, ...] = ()


def jobs_for(attachments: tuple[Attachment, ...]) -> list[Job]:
    """PDFs are the documents, with any XML of the message as possible structured twins;
    XML e-invoices are documents themselves only when no PDF came with them; every picture
    (a photo, a scan) is a document of its own."""
    pdfs = [a for a in attachments if a.kind is AttachmentKind.PDF]
    xmls = tuple(a for a in attachments if a.kind is AttachmentKind.XML)
    pictures = [Job(a) for a in attachments if a.kind is AttachmentKind.IMAGE]
    documents = [Job(pdf, xmls) for pdf in pdfs] if pdfs else [Job(xml) for xml in xmls]
    return documents + pictures


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    sha256: str
    filename: str | None
    kind: AttachmentKind
    fields: ExtractedFields
    pages: int
    problem: str | None  # why it could not be read, for people
    structured: str | None = None  # where structured data came from ("invoice.isdoc", "f.xml")
    read_by: str = "text"  # "text" layer, "xml" e-invoice (with the print), "ocr" of a picture


def extract_document(
    attachment: Attachment,
    max_pages: int = DEFAULT_MAX_PAGES,
    companions: tuple[Attachment, ...] = (),
) -> ExtractedDocument:
    """Read one attachment; `companions` are XML e-invoices from the same message."""
    if attachment.kind is AttachmentKind.IMAGE:
        return _by_ocr(
            attachment,
            lambda: open_pictures(attachment.data, OCR_MAX_PAGES),
            frame_count(attachment.data),
        )
    if attachment.kind is AttachmentKind.XML:
        fields = read_einvoice(attachment.data)
        if fields is None:
            return ExtractedDocument(
                attachment.sha256,
                attachment.filename,
                attachment.kind,
                ExtractedFields(missing=("structured_reader",)),
                0,
                "XML attachment in a format not read automatically",
            )
        return ExtractedDocument(
            attachment.sha256,
            attachment.filename,
            attachment.kind,
            fields,
            0,
            None,
            attachment.filename or "xml",
            "xml",
        )
    pdf = read_pdf(attachment.data, max_pages)
    grid = Grid.from_pdf(pdf) if not pdf.flags else None
    printed = extract_fields(grid) if grid is not None else None
    candidates = [(name, data) for name, data in pdf.embedded] + [
        (c.filename or "xml", c.data) for c in companions
    ]
    structured, source = _structured(candidates, printed)
    if (
        structured is not None
        and printed is not None
        and not _same_document(structured, printed, grid)
    ):
        # An e-invoice that shares neither number nor total with the page is another
        # document's (generators embed samples; programs re-use a stale XML): the print is
        # what a person checks and books.
        flags = (*printed.flags, Flag.STRUCTURED_MISMATCH)
        return ExtractedDocument(
            attachment.sha256,
            attachment.filename,
            attachment.kind,
            replace(printed, flags=flags),
            pdf.page_count,
            f"the embedded e-invoice ({source}) is another document: neither its number "
            f"{structured.number} nor its total is printed",
        )
    if structured is not None:
        fields = merge(structured, printed, grid)
        return ExtractedDocument(
            attachment.sha256,
            attachment.filename,
            attachment.kind,
            fields,
            pdf.page_count,
            None,
            source,
            "xml",
        )
    if Flag.NO_TEXT_LAYER in pdf.flags:  # a scan: its pages are pictures
        return _by_ocr(
            attachment,
            lambda: pdf_pictures(attachment.data, OCR_MAX_PAGES),
            pdf.page_count,
            pdf.problem,
        )
    fields = printed if printed is not None else ExtractedFields(flags=pdf.flags, missing=("text",))
    if _wants_codes(fields, Flag.UNREADABLE_PDF not in pdf.flags, pdf.code_like):
        fields = with_codes(fields, read_codes(attachment.data))
    return ExtractedDocument(
        attachment.sha256, attachment.filename, attachment.kind, fields, pdf.page_count, pdf.problem
    )


def _wants_codes(f: ExtractedFields, readable: bool, code_like: bool) -> bool:
    """Render and read QR codes whenever the page may carry one (a payment QR must agree with
    the print: `payment_qr_mismatch`), and for pages with no text at all. A page with neither
    a square image nor a dense drawing costs nothing more."""
    if not readable:
        return False
    return code_like or Flag.NO_TEXT_LAYER in f.flags


def with_codes(f: ExtractedFields, codes: list[str]) -> ExtractedFields:
    """Fill what the print lacks from payment / eKasa QR codes; flag disagreement."""
    payment = next(
        (p for c in codes if (p := decode_pay_by_square(c) or decode_spayd(c)) is not None), None
    )
    receipt_id = next((r for c in codes if (r := ekasa_receipt_id(c)) is not None), None)
    if receipt_id:  # the code is the registration itself; printed text may be misread
        f = replace(f, receipt_id=receipt_id)
    if payment is None:
        return f
    pairs: list[tuple[object, object]] = [
        (f.iban, payment.iban),
        (f.variable_symbol, payment.variable_symbol),
        (abs(f.total) if f.total is not None else None, payment.amount),
        (f.due_date, payment.due_date),
    ]
    mismatch = any(a is not None and b is not None and a != b for a, b in pairs)
    f = replace(
        f,
        iban=f.iban or payment.iban,
        variable_symbol=f.variable_symbol or payment.variable_symbol,
        total=f.total if f.total is not None else payment.amount,
        due_date=f.due_date or payment.due_date,
        currency=f.currency or payment.currency,
    )
    flags = [*f.flags, *identifier_flags(f)]
    if mismatch:
        flags.append(Flag.PAYMENT_QR_MISMATCH)
    f = replace(f, flags=tuple(dict.fromkeys(flags)))
    return replace(f, missing=f.missing if Flag.NO_TEXT_LAYER in f.flags else missing_required(f))


def _by_ocr(
    attachment: Attachment,
    pictures: Callable[[], list[Picture] | str],
    page_count: int,
    why_pictures: str | None = None,
) -> ExtractedDocument:
    """A photo, a scan or a PDF of page images: OCR words through the same field reader.
    Stricter than a text layer: VAT rows that do not add up to the total are not kept."""

    def unread(flag: Flag, problem: str, pages: int = 0) -> ExtractedDocument:
        fields = ExtractedFields(flags=(flag,), missing=("text",))
        return ExtractedDocument(
            attachment.sha256, attachment.filename, attachment.kind, fields, pages, problem
        )

    if (why := ocr_unavailable()) is not None:
        return unread(Flag.NO_TEXT_LAYER, f"not read: OCR is not available here ({why})")
    opened = pictures()
    if isinstance(opened, str):
        return unread(Flag.UNREADABLE_PDF, opened)
    count = max(page_count, len(opened))
    if opened and (small := too_small(opened[0].width, opened[0].height)):
        return unread(Flag.NO_TEXT_LAYER, f"not a document: {small}", count)
    pages = [read_picture(p) for p in opened]
    words = sum(p.words for p in pages)
    if words < MIN_WORDS:
        problem = "read by OCR: no text found (blurred, too dark, or not a document)"
        return unread(Flag.NO_TEXT_LAYER, problem, count)
    grid = Grid.from_pdf(PdfText(tuple(p.page for p in pages), count, (), None))
    fields = with_codes(extract_fields(grid), [c for p in pages for c in p.codes])
    confidence = sum(p.confidence * p.words for p in pages) / words
    unsure = frozenset().union(*(p.unsure for p in pages))
    fields, left_out = strict_for_ocr(fields, unsure, tuple(c.text for c in grid.cells()))
    notes = [f"read by OCR ({confidence:.0f} % confidence)", *left_out]
    if why_pictures:
        notes.insert(0, why_pictures)  # a PDF's: no text layer, or one of glyph numbers
    if count > len(pages):
        notes.append(f"only the first {len(pages)} of {count} pages were read")
    return ExtractedDocument(
        attachment.sha256,
        attachment.filename,
        attachment.kind,
        fields,
        count,
        "; ".join(notes),
        read_by="ocr",
    )


def _same_document(
    structured: ExtractedFields, printed: ExtractedFields, grid: Grid | None
) -> bool:
    """Does the page print the e-invoice's number or its total (or has it no text to tell)?"""
    if grid is None or not grid.rows or not structured.number:
        return True
    if compact_id(structured.number) in compact_id(" ".join(grid.lines)):
        return True
    totals = (structured.total, printed.total)
    return None not in totals and abs(totals[0] or 0) == abs(totals[1] or 0)


def _structured(
    candidates: list[tuple[str, bytes]], printed: ExtractedFields | None
) -> tuple[ExtractedFields | None, str | None]:
    """The e-invoice among `candidates`: the one with the printed number, else the only one."""
    found = [(name, f) for name, data in candidates if (f := read_einvoice(data)) is not None]
    if printed is not None and printed.number:
        for name, f in found:
            if f.number and compact_id(f.number) == compact_id(printed.number):
                return f, name
    if len(found) == 1:
        return found[0][1], found[0][0]
    return None, None


def merge(
    structured: ExtractedFields, printed: ExtractedFields | None, grid: Grid | None
) -> ExtractedFields:
    """Structured data first; the print fills gaps; disagreements are flagged."""
    if printed is None or grid is None:
        return structured
    text = compact_id(" ".join(grid.lines))
    page = _Page.of(grid)
    merged = replace(
        structured,
        doc_type=_doc_type_of(structured.doc_type, printed.doc_type),
        number=page.pick(structured.number, printed.number),
        variable_symbol=structured.variable_symbol or printed.variable_symbol,
        issue_date=page.pick(structured.issue_date, printed.issue_date),
        delivery_date=page.pick(structured.delivery_date, printed.delivery_date),
        due_date=page.pick(structured.due_date, printed.due_date),
        supplier=_merge_party(structured.supplier, printed.supplier, text),
        customer=_merge_party(structured.customer, printed.customer, text),
        currency=structured.currency or printed.currency,
        total=page.pick(structured.total, printed.total),
        vat=structured.vat or printed.vat,
        vat_printed=structured.vat_printed or printed.vat_printed,
        iban=structured.iban or printed.iban,
        receipt_id=structured.receipt_id or printed.receipt_id,
        refers_to=structured.refers_to or printed.refers_to,
    )
    unreadable_iban = Flag.INVALID_IBAN in structured.flags or (
        merged.iban is None and Flag.INVALID_IBAN in printed.flags
    )
    also = (Flag.STRUCTURED_MISMATCH,) if _disagree(structured, printed, page) else ()
    return finished(merged, unreadable_iban, also)


@dataclass(frozen=True, slots=True)
class _Page:
    """What the page prints, to tell whether an XML value is shown on it."""

    cells: tuple[str, ...]  # compacted
    dates: frozenset[date]
    amounts: frozenset[Decimal]

    @classmethod
    def of(cls, grid: Grid) -> _Page:
        cells = [c.text for c in grid.cells()]
        return cls(
            tuple(compact_id(t) for t in cells),
            frozenset(d for t in cells for d in date_readings(t)),
            frozenset(abs(a) for t in cells for a in amounts_in(t)),
        )

    def shows(self, value: object) -> bool:
        if isinstance(value, str):
            key = compact_id(value)
            return any(key in cell for cell in self.cells)
        if isinstance(value, date):
            return value in self.dates
        if isinstance(value, Decimal):
            return abs(value) in self.amounts
        return False

    def pick(self, structured: T | None, printed: T | None) -> T | None:
        """The XML's value when the page shows it (or there is no other), else the value the
        print states under its label: what a person checks and books. Disagreement is
        flagged `structured_mismatch` by the caller."""
        if structured is None or printed is None or self.shows(structured):
            return structured if structured is not None else printed
        return printed


def _doc_type_of(structured: DocType, printed: DocType) -> DocType:
    """The XML's type, but a print titled as a correction ("Rechnungskorrektur", "Dobropis")
    over an XML that calls it an invoice is the correction it says it is."""
    if structured is DocType.UNKNOWN:
        return printed
    correction = (DocType.CREDIT_NOTE, DocType.DEBIT_NOTE)
    return printed if structured is DocType.INVOICE and printed in correction else structured


def _merge_party(structured: Party, printed: Party, text: str) -> Party:
    def shown(value: str | None) -> str | None:
        # An identifier the printed document does not show is not taken from the XML: what a
        # person checks is the print (e-invoice generators fill dummies into unprinted fields).
        return value if value and compact_id(value) in text else None

    return Party(
        name=clean_name(structured.name or printed.name),
        # identifiers are what the print shows under their labels (CONTRACT "Conventions");
        # the XML's only where the print has none under that label but shows the value
        ico=printed.ico or shown(structured.ico),
        dic=printed.dic or shown(structured.dic),
        ic_dph=printed.ic_dph or shown(structured.ic_dph),
    )


def _disagree(structured: ExtractedFields, printed: ExtractedFields, page: _Page) -> bool:
    """The print states a number, total or party IČO other than the XML's, and the page does
    not show the XML's anywhere (else the print reader merely took another printed value)."""
    pairs: list[tuple[object, object, object]] = [
        (
            structured.number and compact_id(structured.number),
            printed.number and compact_id(printed.number),
            structured.number,
        ),
        (
            structured.total and abs(structured.total),
            printed.total and abs(printed.total),
            structured.total,
        ),
        (structured.supplier.ico, printed.supplier.ico, structured.supplier.ico),
        (structured.customer.ico, printed.customer.ico, structured.customer.ico),
    ]
    return any(
        a is not None and b is not None and a != b and not page.shows(shown)
        for a, b, shown in pairs
    )


def failed_document(attachment: Attachment, problem: str) -> ExtractedDocument:
    """What a worker that crashed or ran out of time or memory leaves behind."""
    fields = ExtractedFields(flags=(Flag.UNREADABLE_PDF,), missing=("text",))
    return ExtractedDocument(
        attachment.sha256, attachment.filename, attachment.kind, fields, 0, problem
    )
