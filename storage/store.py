"""The office inbox: open (migrating the schema), write inside one transaction, read records.

Exceptions are `storage.database`'s (`StorageError`, `StorageUnavailable`, `StorageConflict`),
never SQLAlchemy's: each edge translates them once (the runner waits for the database, intake
decides again after a conflict, the CLI exits 1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from storage.blobs import BlobStore
from storage.database import (
    StorageConflict,
    StorageError,
    StorageUnavailable,
    make_engine,
    migrate,
    ping,
    safe_url,
    translated,
)
from storage.inbox import ImapRef, Inbox, NewDocument, document_id
from storage.models import (
    DocumentRow,
    ImapProgressRow,
    ImapStatusRow,
    MessageRow,
    NodeRow,
    UserRow,
)
from storage.records import (
    DeliveryRecord,
    DocumentRecord,
    ImapStatus,
    NodeStatus,
    as_utc,
    load_records,
    utcnow,
)

__all__ = [  # what the other packages use, all from here
    "DeliveryRecord",
    "DocumentRecord",
    "ImapRef",
    "ImapStatus",
    "Inbox",
    "NewDocument",
    "NodeStatus",
    "ResolutionError",
    "StorageConflict",
    "StorageError",
    "StorageUnavailable",
    "Store",
    "as_utc",
    "document_id",
    "utcnow",
]


class ResolutionError(Exception):
    """A resolution that does not apply to the document (unknown, already resolved, wrong state)."""


class Store:
    def __init__(
        self, engine: Engine, blobs: BlobStore, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.engine = engine
        self.blobs = blobs
        self.clock = clock

    @classmethod
    def connect(cls, database: str, files: Path, clock: Callable[[], datetime] = utcnow) -> Store:
        """The store without touching the database (it may be down): `serve` starts with this
        and calls `migrate` once the database answers. A bad URL or files folder raises."""
        try:
            engine = make_engine(database)
            blobs = BlobStore(files)
            blobs.ensure()
        except Exception as exc:
            raise StorageError(f"cannot open the inbox at {safe_url(database)}: {exc}") from exc
        return cls(engine, blobs, clock)

    @classmethod
    def open(cls, database: str, files: Path, clock: Callable[[], datetime] = utcnow) -> Store:
        """The store with its schema up to date: what every command but `serve` uses."""
        store = cls.connect(database, files, clock)
        try:
            store.migrate()
        except StorageError as exc:
            store.close()
            raise type(exc)(f"cannot open the inbox at {safe_url(database)}: {exc}") from exc
        return store

    def migrate(self) -> None:
        migrate(self.engine)

    def ping(self) -> None:
        """Raises `StorageUnavailable` unless the database answers."""
        ping(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Inbox]:
        with (
            translated(),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            inbox = Inbox(session, self.clock())
            yield inbox
            inbox.write_events()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with translated(), Session(self.engine) as session:
            yield session

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
        with self._reading() as session:
            rows = list(session.scalars(query))
            return load_records(session, rows)

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
        with self._reading() as session:
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
        with self._reading() as session:
            return [
                ImapStatus(
                    r.account,
                    as_utc(r.last_success) if r.last_success else None,
                    r.fetched,
                    r.errors,
                    r.last_error,
                    as_utc(r.last_error_at) if r.last_error_at else None,
                )
                for r in session.scalars(select(ImapStatusRow))
            ]

    def message_count(self) -> int:
        with self._reading() as session:
            return session.scalar(select(func.count()).select_from(MessageRow)) or 0

    def set_user(self, name: str, password_hash: str) -> bool:
        """Create the user, or replace its password hash; True when it is new."""
        with self.transaction() as inbox:
            row = inbox.session.get(UserRow, name)
            if row is None:
                inbox.session.add(
                    UserRow(name=name, password_hash=password_hash, created_at=inbox.now)
                )
            else:
                row.password_hash = password_hash
            inbox.event("user_saved", user=name, new=row is None)
            return row is None

    def password_hash(self, name: str) -> str | None:
        with self._reading() as session:
            row = session.get(UserRow, name)
            return row.password_hash if row is not None else None

    def node_seen(self, node: str, pending: int, started_at: datetime) -> None:
        """A `serve` node's heartbeat: its spool backlog now (`report`'s `nodes`)."""
        with self.transaction() as inbox:
            row = inbox.session.get(NodeRow, node)
            if row is None:
                inbox.session.add(
                    NodeRow(node=node, pending=pending, started_at=started_at, last_seen=inbox.now)
                )
            else:
                row.pending, row.last_seen = pending, inbox.now

    def nodes(self) -> list[NodeStatus]:
        with self._reading() as session:
            return [
                NodeStatus(r.node, r.pending, as_utc(r.last_seen))
                for r in session.scalars(select(NodeRow).order_by(NodeRow.node))
            ]
