"""Writing a verdict act and everything that follows from it, inside the caller's unit of work.

Every path that adds a verdict row (a review, a settlement, a retraction) goes through
`record_act`, so the claim's standing verdicts and status are recomputed by the domain's rules in
the same transaction, every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from db.models import Claim, utcnow
from db.repositories.verdicts import StandingVerdict
from db.uow import UnitOfWork
from domain.queue import AssignmentOutcome
from domain.tally import ClaimState, Tally, tally
from domain.verdicts import ClaimStatus, Rating, VerdictKind, decide_status, standing
from domain.walk import ArticleSummary, Notice, notify_submitter

_OUTCOMES = {
    VerdictKind.REVIEW: AssignmentOutcome.REVIEWED,
    VerdictKind.SETTLEMENT: AssignmentOutcome.SETTLED,
}


@dataclass(frozen=True, slots=True)
class Change:
    """A verdict row written and what it did to its claim."""

    verdict_id: int
    claim_id: int
    article_id: int | None
    before: ClaimStatus
    after: ClaimStatus

    @property
    def became_final(self) -> bool:
        return self.after.is_final and not self.before.is_final


def record_act(
    tx: UnitOfWork,
    claim: Claim,
    *,
    reviewer_id: int,
    rating: Rating,
    kind: VerdictKind,
    required: int,
    source_url: str | None = None,
    more_sources: tuple[str, ...] = (),
    note: str | None = None,
    reused_from_id: int | None = None,
    retracts_id: int | None = None,
    message_id: int | None = None,
    ends_assignment: bool = False,
) -> Change:
    """Write one verdict row, then re-decide which rows stand and the claim's status."""
    assert claim.id is not None
    before = claim.status
    verdict = tx.verdicts.add(
        claim_id=claim.id,
        reviewer_id=reviewer_id,
        rating=rating,
        kind=kind,
        source_url=source_url,
        more_sources=more_sources,
        note=note,
        reused_from_id=reused_from_id,
        retracts_id=retracts_id,
        message_id=message_id,
    )
    acts = tx.verdicts.acts(claim.id)
    tx.verdicts.mark_standing(claim.id, (act.id for act in standing(acts, required)))
    after = decide_status(acts, required)
    if after is not before:
        tx.claims.set_status(claim.id, after)
    if ends_assignment:
        outcome = _OUTCOMES.get(kind, AssignmentOutcome.RELEASED)
        tx.assignments.end(
            claim_id=claim.id, reviewer_id=reviewer_id, outcome=outcome, now=utcnow()
        )
        tx.claims.unlock(claim.id, reviewer_id)
    assert verdict.id is not None
    return Change(verdict.id, claim.id, claim.article_id, before, after)


def claim_states(claims: list[Claim], verdicts: list[StandingVerdict]) -> list[ClaimState]:
    """Each claim with its final rating and standing reviews, for `domain.tally`."""
    newest: dict[int, StandingVerdict] = {}
    reviews: dict[int, int] = {}
    for verdict in verdicts:
        newest[verdict.claim_id] = verdict
        if verdict.kind is VerdictKind.REVIEW:
            reviews[verdict.claim_id] = reviews.get(verdict.claim_id, 0) + 1
    states = []
    for claim in claims:
        assert claim.id is not None
        final = newest.get(claim.id) if claim.status.is_final else None
        states.append(
            ClaimState(claim.status, final.rating if final else None, reviews.get(claim.id, 0))
        )
    return states


def article_tally(tx: UnitOfWork, article_id: int) -> Tally:
    claims = tx.claims.of_article(article_id)
    return tally(claim_states(claims, tx.verdicts.standing_of_desk(article_id=article_id)))


def article_summary(tx: UnitOfWork, article_id: int) -> ArticleSummary:
    article = tx.articles.get(article_id)
    return ArticleSummary(
        article_id,
        article.title if article else None,
        article_tally(tx, article_id),
        article.not_claims_left_out if article else 0,
    )


def notices_for(
    tx: UnitOfWork, change: Change | None, summarised_for: int | None
) -> tuple[Notice, ...]:
    """The submitter's notice when this change finished their article (once: only the change
    that made its last open claim final can finish it)."""
    if change is None or change.article_id is None or not change.became_final:
        return ()
    article_id = change.article_id
    article = tx.articles.get(article_id)
    if article is None:
        return ()
    summary = cache(lambda: article_summary(tx, article_id))
    if not notify_submitter(
        became_final=True,
        article_done=lambda: summary().tally.done,
        submitter_id=article.submitted_by_id,
        summarised_for=summarised_for,
    ):
        return ()
    return (Notice(article.chat_id, summary()),)
