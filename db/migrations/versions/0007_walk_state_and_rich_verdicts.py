"""The forgiving walk and richer verdicts: a pending text and note on the walk, a lost card,
the number of claims an article held back, a verdict's second and third sources, and the
settlements waiting for their reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review_session") as batch:
        batch.add_column(sa.Column("pending_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pending_note", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("card_lost", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("editing", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("claims_found", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("not_claims_left_out", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("verdict") as batch:
        batch.add_column(sa.Column("more_sources", sa.Text(), nullable=True))
    op.create_table(
        "pending_settlement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"]),
        sa.ForeignKeyConstraint(["reviewer_id"], ["reviewer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat_id", "reviewer_id"),
    )


def downgrade() -> None:
    op.drop_table("pending_settlement")
    with op.batch_alter_table("verdict") as batch:
        batch.drop_column("more_sources")
    with op.batch_alter_table("article") as batch:
        batch.drop_column("not_claims_left_out")
        batch.drop_column("claims_found")
    with op.batch_alter_table("review_session") as batch:
        batch.drop_column("editing")
        batch.drop_column("card_lost")
        batch.drop_column("pending_note")
        batch.drop_column("pending_text")
