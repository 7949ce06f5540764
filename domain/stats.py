"""Desk statistics for /stats: throughput, verdict mix, reviewers, speed, queue, agreement.

Counted from verdict rows, so retracted verdicts do not count and settlements do. The chart is
a PNG drawn with matplotlib's non-interactive backend (no display needed).
"""

from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, record_queries
from db.engine import transaction
from db.models import utcnow
from domain.verdicts import RATING_ORDER, ClaimStatus, Rating

PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}


@dataclass(frozen=True, slots=True)
class Stats:
    period: str
    checked: int
    by_rating: dict[Rating, int]
    by_reviewer: dict[str, int]
    median_hours: float | None
    queue: int
    disputed: int
    agreement: float | None  # share of multiply-reviewed claims whose reviewers agreed
    compared: int


class StatsService:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stats(self, period: str) -> Stats:
        if period not in PERIODS:
            raise ValueError(period)
        span = PERIODS[period]
        since = utcnow() - span if span is not None else None
        return transaction(self._engine, lambda s: _stats(s, period, since))


def _stats(session: Session, period: str, since: datetime | None) -> Stats:
    facts = record_queries.verdict_facts(session=session, since=since)
    standing = [f for f in facts if not f.retracted]
    final_by_claim = {
        f.claim_id: f for f in standing if ClaimStatus(f.claim_status).is_final
    }  # newest standing verdict of each claim that is final
    by_rating = Counter(Rating(f.rating) for f in final_by_claim.values())
    ids = {f.reviewer_id for f in standing if f.reviewer_id is not None}
    names = queries.reviewer_names(session=session, ids=ids)
    by_reviewer = Counter(names.get(f.reviewer_id or 0, "?") for f in standing)
    hours = [
        (f.created_at - f.submitted_at).total_seconds() / 3600
        for f in final_by_claim.values()
        if f.submitted_at is not None
    ]
    reviews: dict[int, dict[int | None, str]] = defaultdict(dict)
    for f in standing:
        if f.kind == "review":
            reviews[f.claim_id][f.reviewer_id] = f.rating
    compared = [set(r.values()) for r in reviews.values() if len(r) >= 2]
    counts = record_queries.status_counts(session=session)
    return Stats(
        period=period,
        checked=len(final_by_claim),
        by_rating={r: by_rating[r] for r in RATING_ORDER if by_rating[r]},
        by_reviewer=dict(by_reviewer.most_common()),
        median_hours=statistics.median(hours) if hours else None,
        queue=counts.get(ClaimStatus.PENDING, 0),
        disputed=counts.get(ClaimStatus.DISPUTED, 0),
        agreement=sum(len(s) == 1 for s in compared) / len(compared) if compared else None,
        compared=len(compared),
    )


def chart_png(stats: Stats) -> bytes | None:
    """Verdicts and reviewers as two bar charts; None when there is nothing to draw."""
    if not stats.by_rating and not stats.by_reviewer:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    labels = [r.label for r in stats.by_rating]
    left.bar(labels, list(stats.by_rating.values()), color="#4a7ab7")
    left.set_title("Claims by verdict")
    left.tick_params(axis="x", labelrotation=30)
    right.barh(list(stats.by_reviewer), list(stats.by_reviewer.values()), color="#7ab74a")
    right.set_title("Verdicts by reviewer")
    figure.suptitle(f"Factdesk — {stats.period}")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()
