"""A person's corrections, checked again like a new arrival (CONTRACT "Corrections").

The corrected values go through the same review as intake (routing checks in the mailbox)
and the same business-key decision under the same per-issuer lock: a corrected number can
make the document an edit of an earlier one, clear a `series_mismatch` or link a credit note
to its invoice. Correcting does not accept: a document waiting for a person keeps waiting
until it is resolved, and a resolved document that a correction sends back to review is
waiting again (its earlier resolution is replaced by the next one). `by` is the OS user on the
CLI, the logged-in user on the web.
"""

from __future__ import annotations

from typing import Any

from daemon.config import Settings
from daemon.intake import business_key, field_diff, review_for
from parsers.corrections import corrected, fields_from_contract
from parsers.extract import ExtractedDocument
from parsers.mime import AttachmentKind
from parsers.vocab import Flag, Mailbox, Status
from routing.addresses import Route
from storage.store import DocumentRecord, Inbox, NewDocument, ResolutionError, Store

FINAL = (Status.REJECTED.value, Status.SUPERSEDED.value)


def correct(
    store: Store,
    settings: Settings,
    doc_id: str,
    changes: dict[str, str],
    note: str | None,
    by: str,
) -> DocumentRecord:
    """Apply `changes` (FIELD → printed value) to one document; `InvalidCorrection` for a
    bad value (nothing changed), `ResolutionError` for an unknown or final document."""
    record = store.document(doc_id)
    if record is None:
        raise ResolutionError(f"no document with id {doc_id}")
    if record.status in FINAL:
        raise ResolutionError(f"document {doc_id} is {record.status}: nothing to correct")
    values, changed = corrected(record.fields, changes)
    if not changed:
        return record
    fields = fields_from_contract(values, record.flags)
    try:
        kind = AttachmentKind(record.kind)
    except ValueError:  # "message": a message with no document, its checks are a PDF's
        kind = AttachmentKind.PDF
    doc = ExtractedDocument(record.sha256, record.filename, kind, fields, 0, None)
    target = (
        Route(record.company, Mailbox(record.mailbox), "")
        if record.company and record.mailbox
        else None
    )
    review = review_for(settings, target, doc, record.kind == "message")
    key = business_key(record.company, fields)
    at = store.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    entries = [
        {"field": c.field, "old": c.old, "new": c.new, "by": by, "at": at, "note": note}
        for c in changed
    ]
    with store.transaction() as inbox:
        if key:
            inbox.lock_issuers([(key[0], key[1])])
        original_id, revision, diff = _decide(inbox, record, key, values)
        flags = [f.value for f in review.flags]
        if original_id:
            flags.append(Flag.EDITED_AFTER_ISSUE.value)
        new = NewDocument(
            id=record.id,
            company=record.company,
            mailbox=record.mailbox,
            sha256=record.sha256,
            message_sha256=record.message_sha256,
            kind=record.kind,
            filename=record.filename,
            status=_status(record, flags, original_id),
            doc_type=fields.doc_type.value,
            number=fields.number,
            issuer_ico=key[1] if key else None,
            fields=values,
            flags=tuple(dict.fromkeys(flags)),
            accounting_range=review.accounting_range,
            original_id=original_id,
            refers_to=fields.refers_to if key else None,
            variable_symbol=fields.variable_symbol if key else None,
            revision=revision,
            diff=diff,
            problem=review.problem,
        )
        inbox.replace_document(new, entries)
        linked = inbox.link_related(new)
        inbox.event(
            "document_corrected",
            document_id=record.id,
            company=record.company,
            mailbox=record.mailbox,
            fields=[c.field for c in changed],
            status=new.status,
            flags=list(new.flags),
            linked=linked,
            by=by,
        )
    found = store.document(doc_id)
    if found is None:  # nothing in this program deletes documents
        raise ResolutionError(f"document {doc_id} disappeared")
    return found


def _decide(
    inbox: Inbox,
    record: DocumentRecord,
    key: tuple[str, str, str, str] | None,
    values: dict[str, Any],
) -> tuple[str | None, int, dict[str, Any] | None]:
    """(original_id, revision, diff): unchanged business key, unchanged standing; a new key
    that an earlier document holds makes this an edit of that one."""
    if key is None:
        return None, 0, None
    stored = record.fields
    before = (
        (stored.get("supplier") or {}).get("ico")
        or (stored.get("supplier") or {}).get("ic_dph")
        or (stored.get("supplier") or {}).get("dic"),
        record.doc_type,
        stored.get("number"),
    )
    if before == key[1:] and (record.original_id or record.revision == 0):
        return record.original_id, record.revision, record.diff
    same = inbox.same_number(*key, exclude=record.id)
    if same is None:
        return None, 0, None
    diff = field_diff(inbox.fields_of(same.id), values)
    return same.id, inbox.next_revision(*key), diff


def _status(record: DocumentRecord, flags: list[str], original_id: str | None) -> str:
    if original_id:
        return Status.EDITED_AFTER_ISSUE.value
    waiting = (Status.NEEDS_REVIEW.value, Status.EDITED_AFTER_ISSUE.value)
    if flags or record.status in waiting:
        return Status.NEEDS_REVIEW.value  # correcting does not accept
    return record.status
