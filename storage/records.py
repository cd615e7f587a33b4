"""What `storage` hands out when reading: frozen records, never ORM rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    DeliveryRow,
    DocumentDeliveryRow,
    DocumentLinkRow,
    DocumentRow,
    FlagRow,
    MessageRow,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ImapStatus:
    account: str
    last_success: datetime | None
    fetched: int
    errors: int
    last_error: str | None
    last_error_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NodeStatus:
    node: str
    pending: int
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    channel: str
    message_id: str | None
    mail_from: str | None
    recipient: str | None
    received_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    id: str
    status: str
    company: str | None
    mailbox: str | None
    doc_type: str
    kind: str
    fields: dict[str, Any]
    flags: tuple[str, ...]
    accounting_range: str | None
    original_id: str | None
    related_ids: tuple[str, ...]
    filename: str | None
    sha256: str
    message_sha256: str
    deliveries: tuple[DeliveryRecord, ...]
    resolution: dict[str, Any] | None
    diff: dict[str, Any] | None
    problem: str | None
    created_at: datetime
    corrections: tuple[dict[str, Any], ...] = ()
    revision: int = 0
    read_by: str | None = None  # text | xml | ocr (None: stored before it was recorded)


def load_records(session: Session, rows: list[DocumentRow]) -> list[DocumentRecord]:
    ids = [r.id for r in rows]
    flags: dict[str, list[str]] = {i: [] for i in ids}
    deliveries: dict[str, list[DeliveryRecord]] = {i: [] for i in ids}
    related: dict[str, set[str]] = {i: set() for i in ids}
    for chunk in _chunks(ids, 500):
        for f in session.scalars(select(FlagRow).where(FlagRow.document_id.in_(chunk))):
            flags[f.document_id].append(f.flag)
        q = (
            select(DocumentDeliveryRow.document_id, DeliveryRow, MessageRow.message_id)
            .join(DeliveryRow, DeliveryRow.id == DocumentDeliveryRow.delivery_id)
            .join(MessageRow, MessageRow.sha256 == DeliveryRow.message_sha256)
            .where(DocumentDeliveryRow.document_id.in_(chunk))
            .order_by(DeliveryRow.received_at, DeliveryRow.id)
        )
        for doc_id, d, message_id in session.execute(q):
            deliveries[doc_id].append(
                DeliveryRecord(
                    d.channel, message_id, d.mail_from, d.recipient, as_utc(d.received_at)
                )
            )
        for doc_id, original in session.execute(
            select(DocumentRow.id, DocumentRow.original_id).where(
                DocumentRow.original_id.in_(chunk)
            )
        ):
            if original is not None:
                related[original].add(doc_id)
        for link in session.scalars(
            select(DocumentLinkRow).where(
                DocumentLinkRow.a.in_(chunk) | DocumentLinkRow.b.in_(chunk)
            )
        ):
            if link.a in related:
                related[link.a].add(link.b)
            if link.b in related:
                related[link.b].add(link.a)
    return [
        DocumentRecord(
            id=r.id,
            status=r.status,
            company=r.company,
            mailbox=r.mailbox,
            doc_type=r.doc_type,
            kind=r.kind,
            fields=dict(r.fields),
            flags=tuple(sorted(flags[r.id])),
            accounting_range=r.accounting_range,
            original_id=r.original_id,
            related_ids=tuple(
                sorted(related[r.id] | ({r.original_id} if r.original_id else set()))
            ),
            filename=r.filename,
            sha256=r.sha256,
            message_sha256=r.message_sha256,
            deliveries=tuple(deliveries[r.id]),
            resolution=r.resolution,
            diff=r.diff,
            problem=r.problem,
            created_at=as_utc(r.created_at),
            corrections=tuple(r.corrections or ()),
            revision=r.revision,
            read_by=r.read_by,
        )
        for r in rows
    ]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
