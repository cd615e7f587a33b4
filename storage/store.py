"""The office inbox: open (migrating the schema), write inside one transaction, read records.

Exceptions: `StorageError` wraps what the database or the disk refuses; `IntegrityError`
from SQLAlchemy escapes `transaction()` on purpose so the caller can decide again (a lost
race against another writer). Each edge translates them once (SMTP 451, CLI exit 1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from routing.decide import KnownDocument
from storage.blobs import BlobStore
from storage.models import (
    DeliveryRow,
    DocumentDeliveryRow,
    DocumentLinkRow,
    DocumentRow,
    EventRow,
    FlagRow,
    ImapProgressRow,
    ImapStatusRow,
    MessageRow,
)

MIGRATIONS = Path(__file__).parent / "migrations"


class StorageError(Exception):
    """The inbox cannot be opened or written."""


class ResolutionError(Exception):
    """A resolution that does not apply to the document (unknown, already resolved, wrong state)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
class ImapStatus:
    account: str
    last_success: datetime | None
    fetched: int
    errors: int
    last_error: str | None


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
        self, company: str, issuer_ico: str, doc_type: str, number: str
    ) -> KnownDocument | None:
        row = self.session.scalars(
            select(DocumentRow)
            .where(*_same_key(company, issuer_ico, doc_type, number))
            .order_by(DocumentRow.revision)
            .limit(1)
        ).first()
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
                created_at=self.now,
                updated_at=self.now,
            )
        )
        self.session.flush()
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


class Store:
    def __init__(
        self, engine: Engine, blobs: BlobStore, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.blobs = blobs
        self.clock = clock

    @classmethod
    def open(cls, database: str, files: Path, clock: Callable[[], datetime] = utcnow) -> Store:
        try:
            engine = _engine(database)
            blobs = BlobStore(files)
            blobs.ensure()
            migrate(engine)
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"cannot open the inbox at {_safe_url(database)}: {exc}") from exc
        return cls(engine, blobs, clock)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Inbox]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield Inbox(session, self.clock())

    # -- reading -----------------------------------------------------------------------------
    def documents(
        self,
        *,
        status: str | None = None,
        company: str | None = None,
        mailbox: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[DocumentRecord]:
        query = select(DocumentRow).order_by(DocumentRow.created_at, DocumentRow.id)
        if status:
            query = query.where(DocumentRow.status == status)
        if company:
            query = query.where(DocumentRow.company == company)
        if mailbox:
            query = query.where(DocumentRow.mailbox == mailbox)
        if ids is not None:
            query = query.where(DocumentRow.id.in_(list(ids)))
        with Session(self.engine) as session:
            rows = list(session.scalars(query))
            return _records(session, rows)

    def resolve(self, doc_id: str, action: str, note: str | None, by: str) -> DocumentRecord:
        """A person's decision on a document held for review (contract "Delivery rules"):
        resend → this version `accepted`, its original `superseded`; reject → this version
        `rejected`, the original untouched; accept → a `needs_review` item `accepted`."""
        with self.transaction() as inbox:
            row = inbox.session.get(DocumentRow, doc_id, with_for_update=True)
            if row is None:
                raise ResolutionError(f"no document with id {doc_id}")
            if row.resolution is not None:
                raise ResolutionError(
                    f"document {doc_id} was already resolved ({row.resolution.get('action')})"
                )
            edited = row.status == "edited_after_issue"
            if (
                action in ("resend", "reject")
                and not edited
                and not (action == "reject" and row.status == "needs_review")
            ):
                raise ResolutionError(
                    f"document {doc_id} is {row.status}: resend is for documents edited after issue"
                )
            if action == "accept" and row.status != "needs_review":
                hint = "; use resend or reject" if edited else ""
                raise ResolutionError(
                    f"document {doc_id} is {row.status}: accept is for needs_review items{hint}"
                )
            new_status = {"resend": "accepted", "accept": "accepted", "reject": "rejected"}[action]
            row.status = new_status
            row.resolution = {
                "action": action,
                "note": note,
                "at": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "by": by,
            }
            row.updated_at = inbox.now
            if action == "resend" and row.original_id:
                original = inbox.session.get(DocumentRow, row.original_id)
                if original is not None:
                    original.status = "superseded"
                    original.updated_at = inbox.now
                    inbox.event("document_superseded", document_id=original.id, by_document=doc_id)
            inbox.event(
                "document_resolved",
                document_id=doc_id,
                action=action,
                status=new_status,
                by=by,
                note=note,
            )
        found = self.document(doc_id)
        if found is None:  # deleted under our feet: nothing in this program deletes documents
            raise ResolutionError(f"document {doc_id} disappeared")
        return found

    def document(self, doc_id: str) -> DocumentRecord | None:
        found = self.documents(ids=[doc_id])
        return found[0] if found else None

    def imap_stored_uids(self, account: str, folder: str, uidvalidity: int) -> dict[int, bool]:
        """UID → left on the server (True) or to be moved (False), for the stored ones."""
        with Session(self.engine) as session:
            rows = session.execute(
                select(ImapProgressRow.uid, ImapProgressRow.left_on_server).where(
                    ImapProgressRow.account == account,
                    ImapProgressRow.folder == folder,
                    ImapProgressRow.uidvalidity == uidvalidity,
                )
            )
            return {int(uid): bool(left) for uid, left in rows}

    def imap_poll_result(self, account: str, *, fetched: int = 0, error: str | None = None) -> None:
        """Record one poll's outcome for monitoring."""
        now = self.clock()
        with self.transaction() as inbox:
            row = inbox.session.get(ImapStatusRow, account)
            if row is None:
                row = ImapStatusRow(account=account, fetched=0, errors=0)
                inbox.session.add(row)
            row.fetched = (row.fetched or 0) + fetched
            if error is None:
                row.last_success = now
            else:
                row.errors = (row.errors or 0) + 1
                row.last_error, row.last_error_at = error[:1000], now

    def imap_status(self) -> list[ImapStatus]:
        with Session(self.engine) as session:
            return [
                ImapStatus(
                    r.account,
                    as_utc(r.last_success) if r.last_success else None,
                    r.fetched,
                    r.errors,
                    r.last_error,
                )
                for r in session.scalars(select(ImapStatusRow))
            ]

    def message_count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(MessageRow)) or 0


def _records(session: Session, rows: list[DocumentRow]) -> list[DocumentRecord]:
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
        )
        for r in rows
    ]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _engine(database: str) -> Engine:
    url = make_url(database)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_conn.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=FULL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Take the write lock up front: two writers never deadlock upgrading read locks.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _safe_url(database: str) -> str:
    try:
        return make_url(database).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"
