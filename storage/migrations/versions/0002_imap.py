"""IMAP progress per (account, folder, UIDVALIDITY, UID) and per-account status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imap_progress",
        sa.Column("account", sa.String(100), primary_key=True),
        sa.Column("folder", sa.String(300), primary_key=True),
        sa.Column("uidvalidity", sa.BigInteger(), primary_key=True),
        sa.Column("uid", sa.BigInteger(), primary_key=True),
        sa.Column("message_sha256", sa.String(64)),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_on_server", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "imap_status",
        sa.Column("account", sa.String(100), primary_key=True),
        sa.Column("last_success", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_error_at", sa.DateTime(timezone=True)),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("imap_status")
    op.drop_table("imap_progress")
