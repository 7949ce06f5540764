"""processed_update: Telegram update ids whose effect is stored, so a redelivery changes nothing

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        "ix_processed_update_processed_at", "processed_update", ["processed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_processed_update_processed_at", table_name="processed_update")
    op.drop_table("processed_update")
