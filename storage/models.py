"""The inbox schema. Alembic migrations (storage/migrations) create and change it; a test
checks that the migrated database matches these models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class MessageRow(Base):
    """Every raw message ever received, once per distinct bytes (the file is in the blob store)."""

    __tablename__ = "messages"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(String(500))  # RFC 5322 Message-ID
    subject: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(500))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One arrival of a message for one recipient route (or for none: unknown recipient)."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_sha256: Mapped[str] = mapped_column(ForeignKey("messages.sha256"), index=True)
    intake_key: Mapped[str | None] = mapped_column(String(300), unique=True)  # replay guard
    channel: Mapped[str] = mapped_column(String(10))
    mail_from: Mapped[str | None] = mapped_column(String(500))
    recipient: Mapped[str | None] = mapped_column(String(500))
    company: Mapped[str | None] = mapped_column(String(20))
    mailbox: Mapped[str | None] = mapped_column(String(30))
    account: Mapped[str | None] = mapped_column(String(100))  # IMAP account name
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DocumentRow(Base):
    """A document in a company's mailbox: one per distinct file bytes, company and mailbox."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    company: Mapped[str | None] = mapped_column(String(20))
    mailbox: Mapped[str | None] = mapped_column(String(30))
    sha256: Mapped[str] = mapped_column(String(64))
    message_sha256: Mapped[str] = mapped_column(ForeignKey("messages.sha256"))
    kind: Mapped[str] = mapped_column(String(10))  # pdf | xml | image | message
    read_by: Mapped[str | None] = mapped_column(String(10))  # text | xml | ocr
    filename: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), index=True)
    doc_type: Mapped[str] = mapped_column(String(30))
    number: Mapped[str | None] = mapped_column(String(100))
    issuer_ico: Mapped[str | None] = mapped_column(String(20))
    refers_to: Mapped[str | None] = mapped_column(String(100))
    variable_symbol: Mapped[str | None] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    original_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"))
    accounting_range: Mapped[str | None] = mapped_column(String(5))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    problem: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    corrections: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("company", "mailbox", "sha256", name="uq_documents_bytes"),
        # Two writers storing different versions of one issued document cannot both be first.
        UniqueConstraint(
            "company",
            "issuer_ico",
            "doc_type",
            "number",
            "revision",
            name="uq_documents_business_key",
        ),
        Index("ix_documents_company_mailbox", "company", "mailbox"),
        Index("ix_documents_refers_to", "company", "issuer_ico", "refers_to"),
        Index("ix_documents_variable_symbol", "company", "issuer_ico", "variable_symbol"),
    )


class DocumentDeliveryRow(Base):
    __tablename__ = "document_deliveries"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), primary_key=True)


class DocumentLinkRow(Base):
    """Two related documents (stored once, a < b): `refers_to` (a credit note and its invoice)
    or `variable_symbol` (proforma, advance tax document, final invoice of one payment)."""

    __tablename__ = "document_links"
    a: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    b: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(30))


class FlagRow(Base):
    __tablename__ = "flags"
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    flag: Mapped[str] = mapped_column(String(40), primary_key=True)


class EventRow(Base):
    """Append-only trail of what happened to messages and documents."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    event: Mapped[str] = mapped_column(String(60))
    message_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ImapProgressRow(Base):
    """Which IMAP messages are durably stored: (account, folder, UIDVALIDITY, UID).
    Written in the same transaction as the message, so a crash before the MOVE refetches it
    and the intake key turns that into a no-op."""

    __tablename__ = "imap_progress"
    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    folder: Mapped[str] = mapped_column(String(300), primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    uid: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_sha256: Mapped[str | None] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    left_on_server: Mapped[bool] = mapped_column(Boolean, default=False)  # too large: never moved


class ImapStatusRow(Base):
    """Per account: what monitoring and `report` show."""

    __tablename__ = "imap_status"
    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_success: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)


class NodeRow(Base):
    """One `serve` process sharing this database: its spool backlog as it last recorded it."""

    __tablename__ = "nodes"
    node: Mapped[str] = mapped_column(String(200), primary_key=True)
    pending: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    """A person who may use the review page; the password only as a slow salted hash."""

    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
