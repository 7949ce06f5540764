"""verdict.standing (whether a row counts now) and verdict.message_id (the claim's chat message)

Retractions, the verdicts they retract and superseded verdicts stay in the table as history; the
flag is computed for existing rows by the domain's one rule (`domain.verdicts.standing`) with the
review count the desk used by default (one).

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 22:30:00
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.verdicts import Act, Rating, VerdictKind, standing

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verdict") as batch:
        batch.add_column(
            sa.Column("standing", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.create_index("ix_verdict_standing", ["standing"], unique=False)
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
    _compute_standing()


def _compute_standing() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, claim_id, reviewer_id, rating, kind, retracts_id FROM verdict "
            "WHERE claim_id IN (SELECT claim_id FROM verdict WHERE kind <> 'import') "
            "ORDER BY id"
        )
    )
    acts: dict[int, list[Act]] = defaultdict(list)
    for vid, claim_id, reviewer_id, rating, kind, retracts_id in rows:
        acts[claim_id].append(Act(vid, reviewer_id, Rating(rating), VerdictKind(kind), retracts_id))
    history: list[int] = []
    for claim_acts in acts.values():
        counted = {act.id for act in standing(claim_acts, 1)}
        history += [act.id for act in claim_acts if act.id not in counted]
    for start in range(0, len(history), 500):
        connection.execute(
            sa.text("UPDATE verdict SET standing = false WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": history[start : start + 500]},
        )


def downgrade() -> None:
    with op.batch_alter_table("verdict") as batch:
        batch.drop_column("message_id")
        batch.drop_index("ix_verdict_standing")
        batch.drop_column("standing")
