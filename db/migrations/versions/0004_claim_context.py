"""claim.sentence, claim.claimant, claim.context: the original sentence behind a standalone
claim, who it quotes, and the paragraph it came from

All three are nullable: claims stored before this revision and imported claims have none.
SQLite adds the columns through a batch (copy-and-move) operation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("sentence", "claimant", "context")


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
