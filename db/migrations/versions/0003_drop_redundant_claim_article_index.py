"""drop the index on claim.article_id: the unique (article_id, position) index covers it

Every lookup of an article's claims filters on article_id and orders by position, which the
unique constraint's index serves on its own; the single-column index only cost a write per claim
(a tenth of an archive import's loading time).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 23:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_claim_article_id", table_name="claim")


def downgrade() -> None:
    op.create_index("ix_claim_article_id", "claim", ["article_id"], unique=False)
