"""Links between documents: a credit note and its invoice, an advance chain by variable symbol.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("refers_to", sa.String(100)))
        batch.add_column(sa.Column("variable_symbol", sa.String(20)))
    op.create_index("ix_documents_refers_to", "documents", ["company", "issuer_ico", "refers_to"])
    op.create_index(
        "ix_documents_variable_symbol", "documents", ["company", "issuer_ico", "variable_symbol"]
    )
    op.create_table(
        "document_links",
        sa.Column("a", sa.String(32), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("b", sa.String(32), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("reason", sa.String(30), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_links")
    op.drop_index("ix_documents_variable_symbol", "documents")
    op.drop_index("ix_documents_refers_to", "documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("variable_symbol")
        batch.drop_column("refers_to")
