"""How verdict rows become a claim's status: reviews, blind second review, settlements, retractions.

Every function works inside the caller's unit of work. A claim's status is recomputed from its
standing verdicts each time one is added or retracted, so the status never drifts from the
record it is derived from.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from db import queries, queue_queries, verdict_queries
from db.models import Verdict, utcnow
from domain.verdicts import ClaimStatus, Rating, VerdictKind, decide_status

_OUTCOMES = {VerdictKind.REVIEW: "reviewed", VerdictKind.SETTLEMENT: "settled"}


@dataclass(frozen=True, slots=True)
class Change:
    """A verdict row written and what it did to its claim."""

    verdict: Verdict
    article_id: int | None
    before: ClaimStatus
    after: ClaimStatus

    @property
    def became_final(self) -> bool:
        return self.after.is_final and not self.before.is_final


def record(
    session: Session,
    *,
    claim_id: int,
    reviewer_id: int,
    rating: Rating,
    kind: VerdictKind,
    required: int,
    source_url: str | None = None,
    reused_from_id: int | None = None,
    retracts_id: int | None = None,
) -> Change:
    """Write one verdict row, recompute the claim's status and end the reviewer's assignment."""
    claim = queries.get_claim(session=session, claim_id=claim_id)
    if claim is None:
        raise LookupError(f"claim {claim_id} does not exist")
    before = ClaimStatus(claim.status)
    verdict = verdict_queries.add_act(
        session=session,
        claim_id=claim_id,
        reviewer_id=reviewer_id,
        rating=rating,
        kind=kind,
        source_url=source_url,
        reused_from_id=reused_from_id,
        retracts_id=retracts_id,
    )
    after = restate(session, claim_id=claim_id, required=required)
    queue_queries.end_assignments(
        session=session,
        claim_id=claim_id,
        reviewer_id=reviewer_id,
        outcome=_OUTCOMES.get(kind, kind.value),
        now=utcnow(),
    )
    return Change(verdict, claim.article_id, before, after)


def restate(session: Session, *, claim_id: int, required: int) -> ClaimStatus:
    acts = [
        (v.reviewer_id, Rating(v.rating), VerdictKind(v.kind))
        for v in verdict_queries.standing_verdicts(session=session, claim_id=claim_id)
    ]
    status = decide_status(acts, required)
    queries.set_claim_status(session=session, claim_id=claim_id, status=status)
    return status


def article_finished(session: Session, article_id: int) -> bool:
    """Every claim of the article has a final verdict."""
    return queries.count_open(session=session, article_id=article_id) == 0
