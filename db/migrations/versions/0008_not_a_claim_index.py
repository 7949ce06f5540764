"""A small index of the sentences marked "Not a claim", by their normalised text

Every new article asks which of its sentences the desk marked "Not a claim" before. Without
this index SQLite scanned the whole claim table for it (about 0.1 s per article at a million
archived claims); a partial index holds only those rows, so it costs next to nothing to keep.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHERE = sa.text("status = 'not_a_claim'")


def upgrade() -> None:
    op.create_index(
        "ix_claim_not_a_claim_text",
        "claim",
        ["normalized_text"],
        sqlite_where=_WHERE,
        postgresql_where=_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_claim_not_a_claim_text", table_name="claim")
