"""How a document's fields were read: its text layer, an e-invoice, or OCR of a picture.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("read_by", sa.String(10)))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("read_by")
