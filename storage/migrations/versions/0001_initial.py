"""Initial inbox schema: messages, deliveries, documents, flags, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(500)),
        sa.Column("subject", sa.Text()),
        sa.Column("sender", sa.String(500)),
        sa.Column("first_seen", TS, nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "message_sha256", sa.String(64), sa.ForeignKey("messages.sha256"), nullable=False
        ),
        sa.Column("intake_key", sa.String(300), unique=True),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("mail_from", sa.String(500)),
        sa.Column("recipient", sa.String(500)),
        sa.Column("company", sa.String(20)),
        sa.Column("mailbox", sa.String(30)),
        sa.Column("account", sa.String(100)),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_index("ix_deliveries_message_sha256", "deliveries", ["message_sha256"])
    op.create_index("ix_deliveries_received_at", "deliveries", ["received_at"])
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("company", sa.String(20)),
        sa.Column("mailbox", sa.String(30)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column(
            "message_sha256", sa.String(64), sa.ForeignKey("messages.sha256"), nullable=False
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("filename", sa.String(300)),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("doc_type", sa.String(30), nullable=False),
        sa.Column("number", sa.String(100)),
        sa.Column("issuer_ico", sa.String(20)),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.String(32), sa.ForeignKey("documents.id")),
        sa.Column("accounting_range", sa.String(5)),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON()),
        sa.Column("problem", sa.Text()),
        sa.Column("resolution", sa.JSON()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("company", "mailbox", "sha256", name="uq_documents_bytes"),
        sa.UniqueConstraint(
            "company",
            "issuer_ico",
            "doc_type",
            "number",
            "revision",
            name="uq_documents_business_key",
        ),
    )
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_index("ix_documents_created_at", "documents", ["created_at"])
    op.create_index("ix_documents_company_mailbox", "documents", ["company", "mailbox"])
    op.create_table(
        "document_deliveries",
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("deliveries.id"), primary_key=True),
    )
    op.create_table(
        "flags",
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("flag", sa.String(40), primary_key=True),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("event", sa.String(60), nullable=False),
        sa.Column("message_sha256", sa.String(64)),
        sa.Column("document_id", sa.String(32)),
        sa.Column("data", sa.JSON()),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_message_sha256", "events", ["message_sha256"])
    op.create_index("ix_events_document_id", "events", ["document_id"])


def downgrade() -> None:
    for table in ("events", "flags", "document_deliveries", "documents", "deliveries", "messages"):
        op.drop_table(table)
