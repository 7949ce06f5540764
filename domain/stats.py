"""Desk statistics for /stats: throughput, verdict mix, reviewers, speed, queue, agreement.

Counted from standing verdicts only (`domain.verdicts.standing`), through the same tally as every
other view. The chart is a PNG drawn with matplotlib's non-interactive backend (no display).
"""

from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.tally import ClaimState, Tally, tally
from domain.verdicts import ClaimStatus, Rating, VerdictKind

PERIODS = {"week": timedelta(days=7), "month": timedelta(days=30), "all": None}


@dataclass(frozen=True, slots=True)
class Stats:
    period: str
    decided: Tally  # claims that became final in the period, by verdict
    by_reviewer: dict[str, int]  # standing verdicts given in the period
    median_time: timedelta | None
    queue: int
    disputed: int
    agreement: float | None  # share of multiply-reviewed claims whose reviewers agreed
    compared: int


@dataclass(frozen=True, slots=True)
class VerdictFact:
    """A standing verdict with what statistics need of its claim."""

    claim_id: int
    reviewer: str  # the name the desk knows them by (unique among the facts)
    rating: Rating
    kind: VerdictKind
    created_at: datetime
    claim_status: ClaimStatus
    submitted_at: datetime | None


def compute_stats(
    period: str,
    facts: Iterable[VerdictFact],
    opinions: Iterable[tuple[int, int, Rating]],
    statuses: Mapping[ClaimStatus, int],
) -> Stats:
    """`facts`: the standing verdicts given in the period, oldest first; `opinions`: (claim,
    reviewer, rating) of the reviews given in the period and not retracted, settled ones
    included; `statuses`: every desk claim by status now (the queue ignores the period)."""
    facts = list(facts)
    newest = {f.claim_id: f for f in facts}  # the claim's newest standing verdict
    final = [f for f in newest.values() if f.claim_status.is_final]
    said: dict[int, dict[int, Rating]] = defaultdict(dict)
    for claim_id, reviewer_id, rating in opinions:
        said[claim_id][reviewer_id] = rating  # each reviewer's newest opinion
    compared = [set(by.values()) for by in said.values() if len(by) >= 2]
    seconds = [
        (f.created_at - f.submitted_at).total_seconds() for f in final if f.submitted_at is not None
    ]
    return Stats(
        period=period,
        decided=tally(ClaimState(f.claim_status, f.rating) for f in final),
        by_reviewer=dict(Counter(f.reviewer for f in facts).most_common()),
        median_time=timedelta(seconds=statistics.median(seconds)) if seconds else None,
        queue=statuses.get(ClaimStatus.PENDING, 0),
        disputed=statuses.get(ClaimStatus.DISPUTED, 0),
        agreement=sum(len(s) == 1 for s in compared) / len(compared) if compared else None,
        compared=len(compared),
    )


def chart_png(stats: Stats) -> bytes | None:
    """Verdicts and reviewers as two bar charts; None when there is nothing to draw."""
    if not stats.decided.by_rating and not stats.by_reviewer:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    labels = [r.label for r in stats.decided.by_rating]
    left.bar(labels, list(stats.decided.by_rating.values()), color="#4a7ab7")
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
