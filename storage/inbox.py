"""Writes of one transaction: `Inbox`, obtained from `Store.transaction()`.

The intake's writes (one message: its row, deliveries, documents, flags, links, events) are
Core statements on the transaction's connection, not ORM objects: a unit-of-work flush per
row cost ~1 ms, which made the ORM most of the daemon's own CPU per message. Events are
written together, one executemany per message. Rarer writes (resolutions, corrections) stay
ORM.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
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

_T: dict[str, Table] = {
    name: cast(Table, row.__table__)
    for name, row in (
        ("messages", MessageRow),
        ("deliveries", DeliveryRow),
        ("documents", DocumentRow),
        ("flags", FlagRow),
        ("links", DocumentLinkRow),
        ("document_deliveries", DocumentDeliveryRow),
        ("events", EventRow),
        ("imap", ImapProgressRow),
    )
}
# Statements without values, so they are compiled once and the values go as parameters.
_INSERT = {name: insert(table) for name, table in _T.items()}
_INSERT_NEW = {
    (dialect, name): make(table).on_conflict_do_nothing()
    for dialect, make in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
    for name, table in _T.items()
}
_INSERT_DELIVERY = {  # a delivery unless its intake key is known (a replay): its id or nothing
    dialect: statement.returning(_T["deliveries"].c.id)
    for (dialect, name), statement in _INSERT_NEW.items()
    if name == "deliveries"
}


_D = _T["documents"].c
_SAME_KEY = (
    _D.company == bindparam("company"),
    _D.issuer_ico == bindparam("issuer"),
    _D.doc_type == bindparam("doc_type"),
    _D.number == bindparam("number"),
)
_SAME_PARTY = (
    _D.company == bindparam("company"),
    _D.issuer_ico == bindparam("issuer"),
    _D.id != bindparam("id"),
)
_DOCUMENT = select(_D.id, _D.sha256).where(_D.id == bindparam("id"))
_FIELDS = select(_D.fields).where(_D.id == bindparam("id"))
_FIRST_OF_KEY = select(_D.id, _D.sha256).where(*_SAME_KEY).order_by(_D.revision).limit(1)
_FIRST_OF_KEY_BUT = (
    select(_D.id, _D.sha256)
    .where(*_SAME_KEY, _D.id != bindparam("exclude"))
    .order_by(_D.revision)
    .limit(1)
)
_TOP_REVISION = select(func.max(_D.revision)).where(*_SAME_KEY)
_RELATED = select(_D.id, _D.number, _D.refers_to, _D.variable_symbol).where(
    *_SAME_PARTY,
    (_D.number == bindparam("refers_to"))
    | (_D.refers_to == bindparam("number"))
    | (_D.variable_symbol == bindparam("variable_symbol")),
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


def _dialect(conn: Connection) -> str:
    return "postgresql" if conn.dialect.name == "postgresql" else "sqlite"


class Inbox:
    """Writes of one transaction. Obtained from `Store.transaction()`."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.events: list[dict[str, Any]] = []
        self._written = 0  # events[:_written] are in the database

    @cached_property
    def conn(self) -> Connection:
        """The transaction's connection, for the Core statements."""
        return self.session.connection()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One message's writes within a batch: on any error they (and their events) are
        undone and the error raised (`StorageConflict` for a unique constraint); the
        transaction and the other messages' writes carry on."""
        mark = len(self.events)
        try:
            with translated(), self.conn.begin_nested():
                yield
                self.write_events()
        except BaseException:
            del self.events[mark:]
            self._written = min(self._written, mark)
            raise

    def write_events(self) -> None:
        """The events recorded since the last call, in one statement (before the commit)."""
        rows = [
            {
                "at": self.now,
                "event": ev["event"],
                "message_sha256": ev["message_sha256"],
                "document_id": ev["document_id"],
                "data": {
                    k: v
                    for k, v in ev.items()
                    if k not in ("event", "message_sha256", "document_id")
                }
                or None,
            }
            for ev in self.events[self._written :]
        ]
        if rows:
            self.conn.execute(_INSERT["events"], rows)
        self._written = len(self.events)

    def _new(self, table: str, **values: Any) -> bool:
        """Insert one row unless its key is there already; True when it was inserted."""
        conn = self.conn
        return bool(conn.execute(_INSERT_NEW[_dialect(conn), table], values).rowcount)

    def lock_issuers(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Serialise this transaction's decisions about these (company, issuer) pairs with every
        other writer's (storage.database). Call before the first read the decision rests on."""
        lock_issuers(self.conn, pairs)

    def add_message(
        self,
        sha256: str,
        size: int,
        message_id: str | None,
        subject: str | None,
        sender: str | None,
    ) -> bool:
        """Record the message; False if these bytes were seen before."""
        return self._new(
            "messages",
            sha256=sha256,
            size=size,
            message_id=message_id,
            subject=subject,
            sender=sender,
            first_seen=self.now,
        )

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
        row = {
            "message_sha256": message_sha256,
            "intake_key": intake_key,
            "channel": channel,
            "mail_from": mail_from,
            "recipient": recipient,
            "company": company,
            "mailbox": mailbox,
            "account": account,
            "received_at": received_at,
        }
        conn = self.conn
        found = conn.execute(_INSERT_DELIVERY[_dialect(conn)], row).scalar()
        return None if found is None else int(found)

    def same_bytes(
        self, company: str | None, mailbox: str | None, sha256: str
    ) -> KnownDocument | None:
        doc_id = document_id(company, mailbox, sha256)
        row = self.conn.execute(_DOCUMENT, {"id": doc_id}).first()
        return KnownDocument(row.id, row.sha256) if row is not None else None

    def same_number(
        self, company: str, issuer_ico: str, doc_type: str, number: str, exclude: str | None = None
    ) -> KnownDocument | None:
        """The earliest document with this business key (other than `exclude`)."""
        key = {"company": company, "issuer": issuer_ico, "doc_type": doc_type, "number": number}
        conn = self.conn
        if exclude is None:
            row = conn.execute(_FIRST_OF_KEY, key).first()
        else:
            row = conn.execute(_FIRST_OF_KEY_BUT, {**key, "exclude": exclude}).first()
        return KnownDocument(row.id, row.sha256) if row is not None else None

    def next_revision(self, company: str, issuer_ico: str, doc_type: str, number: str) -> int:
        key = {"company": company, "issuer": issuer_ico, "doc_type": doc_type, "number": number}
        top = self.conn.execute(_TOP_REVISION, key).scalar()
        return 0 if top is None else int(top) + 1

    def fields_of(self, doc_id: str) -> dict[str, Any]:
        found = self.conn.execute(_FIELDS, {"id": doc_id}).scalar()
        return dict(found) if found is not None else {}

    def add_document(self, doc: NewDocument) -> None:
        conn = self.conn
        row = {
            "id": doc.id,
            "company": doc.company,
            "mailbox": doc.mailbox,
            "sha256": doc.sha256,
            "message_sha256": doc.message_sha256,
            "kind": doc.kind,
            "filename": doc.filename,
            "status": doc.status,
            "doc_type": doc.doc_type,
            "number": doc.number,
            "issuer_ico": doc.issuer_ico,
            "revision": doc.revision,
            "original_id": doc.original_id,
            "refers_to": doc.refers_to,
            "variable_symbol": doc.variable_symbol,
            "accounting_range": doc.accounting_range,
            "fields": doc.fields,
            "diff": doc.diff,
            "problem": doc.problem,
            "read_by": doc.read_by,
            "created_at": self.now,
            "updated_at": self.now,
        }
        conn.execute(_INSERT["documents"], row)
        if doc.flags:
            flags = [{"document_id": doc.id, "flag": f} for f in dict.fromkeys(doc.flags)]
            conn.execute(_INSERT["flags"], flags)

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
        if not (doc.refers_to or doc.number or doc.variable_symbol):
            return []
        found: dict[str, str] = {}
        query = {
            "company": doc.company,
            "issuer": doc.issuer_ico,
            "id": doc.id,
            # None matches nothing: "x = NULL" is never true
            "refers_to": doc.refers_to or None,
            "number": doc.number or None,
            "variable_symbol": doc.variable_symbol or None,
        }
        for row in self.conn.execute(_RELATED, query):
            refers = bool(doc.refers_to) and row.number == doc.refers_to
            referred = bool(doc.number) and row.refers_to == doc.number
            found[row.id] = "refers_to" if refers or referred else "variable_symbol"
        for other, reason in found.items():
            a, b = sorted((doc.id, other))
            self._new("links", a=a, b=b, reason=reason)
        return sorted(found)

    def link(self, doc_id: str, delivery_id: int) -> None:
        self.conn.execute(
            _INSERT["document_deliveries"], {"document_id": doc_id, "delivery_id": delivery_id}
        )

    def mark_imap(self, ref: ImapRef, message_sha256: str) -> None:
        """Record an IMAP message as durably stored (the poller moves only such messages)."""
        self._new(
            "imap",
            account=ref.account,
            folder=ref.folder,
            uidvalidity=ref.uidvalidity,
            uid=ref.uid,
            message_sha256=message_sha256,
            stored_at=self.now,
            left_on_server=ref.left_on_server,
        )

    def event(
        self,
        name: str,
        *,
        message_sha256: str | None = None,
        document_id: str | None = None,
        **data: Any,
    ) -> None:
        """Record an event; written with the others at `write_events` (savepoint or commit)."""
        self.events.append(
            {"event": name, "message_sha256": message_sha256, "document_id": document_id, **data}
        )
