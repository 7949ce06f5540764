"""/stats: the desk's figures for a period."""

from __future__ import annotations

from collections import Counter

from db.models import utcnow
from db.uow import Database, UnitOfWork
from domain.stats import PERIODS, Stats, VerdictFact, compute_stats


class StatsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def stats(self, period: str) -> Stats:
        if period not in PERIODS:
            raise ValueError(period)
        span = PERIODS[period]
        since = utcnow() - span if span is not None else None

        def work(tx: UnitOfWork) -> Stats:
            standing = tx.verdicts.standing_of_desk(since=since)
            names = _distinct_names(tx.reviewers.names(v.reviewer_id for v in standing))
            facts = [
                VerdictFact(
                    v.claim_id,
                    names.get(v.reviewer_id, "?") if v.reviewer_id is not None else "?",
                    v.rating,
                    v.kind,
                    v.created_at,
                    v.claim_status,
                    v.submitted_at,
                )
                for v in standing
            ]
            opinions = tx.verdicts.opinions(since)
            return compute_stats(period, facts, opinions, tx.claims.status_counts())

        return self._db.run(work, reads_only=True)


def _distinct_names(names: dict[int, str]) -> dict[int, str]:
    """Two reviewers with one name are told apart by their reviewer number."""
    seen = Counter(names.values())
    return {rid: name if seen[name] == 1 else f"{name} (#{rid})" for rid, name in names.items()}
