"""Writes of one transaction: `Inbox`, obtained from `Store.transaction()`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from routing.decide import KnownDocument
from storage.database import lock_issuers, translated
from storage.models import (
    DeliveryRow,
    DocumentDeliveryRow,
    DocumentLinkRow,
    DocumentRow,
    EventRow,
    FlagRow,
    ImapProgressRow,
    MessageRow,
)


def document_id(company: str | None, mailbox: str | None, sha256: str) -> str:
    """Stable id: the same file in the same mailbox is the same document on every node."""
    return hashlib.sha256(f"{company or '-'}|{mailbox or '-'}|{sha256}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ImapRef:
    """Where an IMAP message came from; its identity for progress, never for documents."""

    account: str
    folder: str
    uidvalidity: int
    uid: int
    left_on_server: bool = False  # too large to fetch: a person deals with it in the mailbox


@dataclass(frozen=True, slots=True)
class NewDocument:
    id: str
    company: str | None
    mailbox: str | None
    sha256: str
    message_sha256: str
    kind: str
    filename: str | None
    status: str
    doc_type: str
    number: str | None
    issuer_ico: str | None
    fields: dict[str, Any]
    flags: tuple[str, ...]
    accounting_range: str | None
    original_id: str | None = None
    refers_to: str | None = None
    variable_symbol: str | None = None
    revision: int = 0
    diff: dict[str, Any] | None = None
    problem: str | None = None
    read_by: str | None = None  # text | xml | ocr


def _same_key(company: str, issuer_ico: str, doc_type: str, number: str) -> tuple[Any, ...]:
    """Documents with one business key: same client, issuer, type and number."""
    return (
        DocumentRow.company == company,
        DocumentRow.issuer_ico == issuer_ico,
        DocumentRow.doc_type == doc_type,
        DocumentRow.number == number,
    )


class Inbox:
    """Writes of one transaction. Obtained from `Store.transaction()`."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.events: list[dict[str, Any]] = []

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One message's writes within a batch: on any error they (and their events) are
        undone and the error raised (`StorageConflict` for a unique constraint); the
        transaction and the other messages' writes carry on."""
        mark = len(self.events)
        try:
            with translated(), self.session.begin_nested():
                yield
        except BaseException:
            del self.events[mark:]
            raise

    def lock_issuers(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Serialise this transaction's decisions about these (company, issuer) pairs with every
        other writer's (storage.database). Call before the first read the decision rests on."""
        lock_issuers(self.session.connection(), pairs)

    def add_message(
        self,
        sha256: str,
        size: int,
        message_id: str | None,
        subject: str | None,
        sender: str | None,
    ) -> bool:
        """Record the message; False if these bytes were seen before."""
        if self.session.get(MessageRow, sha256) is not None:
            return False
        self.session.add(
            MessageRow(
                sha256=sha256,
                size=size,
                message_id=message_id,
                subject=subject,
                sender=sender,
                first_seen=self.now,
            )
        )
        self.session.flush()
        return True

    def add_delivery(
        self,
        *,
        message_sha256: str,
        intake_key: str | None,
        channel: str,
        mail_from: str | None,
        recipient: str | None,
        company: str | None,
        mailbox: str | None,
        account: str | None,
        received_at: datetime,
    ) -> int | None:
        """A new delivery's id, or None when `intake_key` was recorded already (a replay)."""
        if intake_key is not None:
            seen = self.session.scalar(
                select(DeliveryRow.id).where(DeliveryRow.intake_key == intake_key)
            )
            if seen is not None:
                return None
        row = DeliveryRow(
            message_sha256=message_sha256,
            intake_key=intake_key,
            channel=channel,
            mail_from=mail_from,
            recipient=recipient,
            company=company,
            mailbox=mailbox,
            account=account,
            received_at=received_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def same_bytes(
        self, company: str | None, mailbox: str | None, sha256: str
    ) -> KnownDocument | None:
        row = self.session.get(DocumentRow, document_id(company, mailbox, sha256))
        return KnownDocument(row.id, row.sha256) if row is not None else None

    def same_number(
        self, company: str, issuer_ico: str, doc_type: str, number: str, exclude: str | None = None
    ) -> KnownDocument | None:
        """The earliest document with this business key (other than `exclude`)."""
        query = select(DocumentRow).where(*_same_key(company, issuer_ico, doc_type, number))
        if exclude is not None:
            query = query.where(DocumentRow.id != exclude)
        row = self.session.scalars(query.order_by(DocumentRow.revision).limit(1)).first()
        return KnownDocument(row.id, row.sha256) if row is not None else None

    def next_revision(self, company: str, issuer_ico: str, doc_type: str, number: str) -> int:
        top = self.session.scalar(
            select(func.max(DocumentRow.revision)).where(
                *_same_key(company, issuer_ico, doc_type, number)
            )
        )
        return 0 if top is None else top + 1

    def fields_of(self, doc_id: str) -> dict[str, Any]:
        row = self.session.get(DocumentRow, doc_id)
        return dict(row.fields) if row is not None else {}

    def add_document(self, doc: NewDocument) -> None:
        self.session.add(
            DocumentRow(
                id=doc.id,
                company=doc.company,
                mailbox=doc.mailbox,
                sha256=doc.sha256,
                message_sha256=doc.message_sha256,
                kind=doc.kind,
                filename=doc.filename,
                status=doc.status,
                doc_type=doc.doc_type,
                number=doc.number,
                issuer_ico=doc.issuer_ico,
                revision=doc.revision,
                original_id=doc.original_id,
                refers_to=doc.refers_to,
                variable_symbol=doc.variable_symbol,
                accounting_range=doc.accounting_range,
                fields=doc.fields,
                diff=doc.diff,
                problem=doc.problem,
                read_by=doc.read_by,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        self.session.flush()
        self.session.add_all(FlagRow(document_id=doc.id, flag=f) for f in dict.fromkeys(doc.flags))
        self.session.flush()

    def replace_document(self, doc: NewDocument, corrections: list[dict[str, Any]]) -> None:
        """A corrected document: its fields, flags and everything derived from them anew, the
        corrections appended. Status and links are the caller's decision, as at intake."""
        row = self.session.get(DocumentRow, doc.id, with_for_update=True)
        if row is None:
            raise LookupError(doc.id)
        row.status, row.doc_type, row.number = doc.status, doc.doc_type, doc.number
        row.issuer_ico, row.revision, row.original_id = (
            doc.issuer_ico,
            doc.revision,
            doc.original_id,
        )
        row.refers_to, row.variable_symbol = doc.refers_to, doc.variable_symbol
        row.accounting_range, row.fields, row.problem = (
            doc.accounting_range,
            doc.fields,
            doc.problem,
        )
        row.diff = doc.diff if doc.original_id else row.diff
        row.corrections = [*(row.corrections or []), *corrections]
        if doc.status in ("needs_review", "edited_after_issue"):
            row.resolution = None  # back with a person: it waits for a decision again
        row.updated_at = self.now
        self.session.execute(delete(FlagRow).where(FlagRow.document_id == doc.id))
        self.session.add_all(FlagRow(document_id=doc.id, flag=f) for f in dict.fromkeys(doc.flags))
        self.session.flush()

    def link_related(self, doc: NewDocument) -> list[str]:
        """Link `doc` to the documents it refers to, that refer to it, or that share its
        variable symbol (same client, same issuer); returns the linked ids."""
        if not doc.company or not doc.issuer_ico:
            return []
        same_party = (
            DocumentRow.company == doc.company,
            DocumentRow.issuer_ico == doc.issuer_ico,
            DocumentRow.id != doc.id,
        )
        found: dict[str, str] = {}
        if doc.refers_to:
            for other in self.session.scalars(
                select(DocumentRow.id).where(*same_party, DocumentRow.number == doc.refers_to)
            ):
                found[other] = "refers_to"
        if doc.number:
            for other in self.session.scalars(
                select(DocumentRow.id).where(*same_party, DocumentRow.refers_to == doc.number)
            ):
                found[other] = "refers_to"
        if doc.variable_symbol:
            for other in self.session.scalars(
                select(DocumentRow.id).where(
                    *same_party, DocumentRow.variable_symbol == doc.variable_symbol
                )
            ):
                found.setdefault(other, "variable_symbol")
        for other, reason in found.items():
            a, b = sorted((doc.id, other))
            if self.session.get(DocumentLinkRow, (a, b)) is None:
                self.session.add(DocumentLinkRow(a=a, b=b, reason=reason))
        self.session.flush()
        return sorted(found)

    def link(self, doc_id: str, delivery_id: int) -> None:
        self.session.add(DocumentDeliveryRow(document_id=doc_id, delivery_id=delivery_id))
        self.session.flush()

    def mark_imap(self, ref: ImapRef, message_sha256: str) -> None:
        """Record an IMAP message as durably stored (the poller moves only such messages)."""
        key = (ref.account, ref.folder, ref.uidvalidity, ref.uid)
        if self.session.get(ImapProgressRow, key) is None:
            self.session.add(
                ImapProgressRow(
                    account=ref.account,
                    folder=ref.folder,
                    uidvalidity=ref.uidvalidity,
                    uid=ref.uid,
                    message_sha256=message_sha256,
                    stored_at=self.now,
                    left_on_server=ref.left_on_server,
                )
            )
            self.session.flush()

    def event(
        self,
        name: str,
        *,
        message_sha256: str | None = None,
        document_id: str | None = None,
        **data: Any,
    ) -> None:
        self.session.add(
            EventRow(
                at=self.now,
                event=name,
                message_sha256=message_sha256,
                document_id=document_id,
                data=data or None,
            )
        )
        self.events.append(
            {"event": name, "message_sha256": message_sha256, "document_id": document_id, **data}
        )
