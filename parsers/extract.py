"""One attachment in, one extracted document out: the unit of work a PDF worker runs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from parsers.fields import ExtractedFields, extract_fields
from parsers.grid import Grid
from parsers.mime import Attachment, AttachmentKind
from parsers.pdftext import DEFAULT_MAX_PAGES, read_pdf
from parsers.vocab import Flag


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    sha256: str
    filename: str | None
    kind: AttachmentKind
    fields: ExtractedFields
    pages: int
    problem: str | None  # why it could not be read, for people


def extract_document(
    attachment: Attachment, max_pages: int = DEFAULT_MAX_PAGES
) -> ExtractedDocument:
    if attachment.kind is AttachmentKind.PDF:
        pdf = read_pdf(attachment.data, max_pages)
        if pdf.flags:
            fields = replace(ExtractedFields(), flags=pdf.flags, missing=("text",))
        else:
            fields = extract_fields(Grid.from_pdf(pdf))
        return ExtractedDocument(
            attachment.sha256,
            attachment.filename,
            attachment.kind,
            fields,
            pdf.page_count,
            pdf.problem,
        )
    # Structured e-invoices (UBL, ISDOC, CII) get their own reader; until then a person reads them.
    fields = ExtractedFields(missing=("structured_reader",))
    return ExtractedDocument(
        attachment.sha256,
        attachment.filename,
        attachment.kind,
        fields,
        0,
        "structured e-invoice: not read automatically yet",
    )


def failed_document(attachment: Attachment, problem: str) -> ExtractedDocument:
    """What a worker that crashed or ran out of time or memory leaves behind."""
    fields = ExtractedFields(flags=(Flag.UNREADABLE_PDF,), missing=("text",))
    return ExtractedDocument(
        attachment.sha256, attachment.filename, attachment.kind, fields, 0, problem
    )
