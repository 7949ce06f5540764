"""Disagreements and second thoughts: admins settle disputed claims; reviewers undo a verdict.

Neither deletes anything. A settlement is a verdict row of kind 'settlement' naming the admin;
an undo is a row of kind 'retraction' pointing at the verdict it takes back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, queue_queries, verdict_queries
from db.engine import transaction
from db.models import utcnow
from domain import consensus
from domain.access import Member
from domain.review import Notice, finished_notices
from domain.verdicts import ClaimStatus, Rating, VerdictKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Opinion:
    reviewer: str
    rating: Rating
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Dispute:
    claim_id: int
    article_id: int | None
    text: str
    opinions: list[Opinion]


@dataclass(frozen=True, slots=True)
class Settled:
    claim_id: int
    text: str
    rating: Rating
    notices: tuple[Notice, ...]


@dataclass(frozen=True, slots=True)
class Undone:
    claim_id: int
    text: str
    rating: Rating
    status: ClaimStatus


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


class DisputeService:
    def __init__(self, engine: Engine, *, reviews_required: int, undo_minutes: float) -> None:
        self._engine = engine
        self._required = reviews_required
        self._undo = timedelta(minutes=undo_minutes)

    def disputed(self, member: Member, *, limit: int = 10) -> list[Dispute] | Refused:
        if not member.is_admin:
            return Refused("Only the desk's admins settle disputes.")

        def work(session: Session) -> list[Dispute]:
            found = []
            for claim in queue_queries.claims_with_status(
                session=session, status=ClaimStatus.DISPUTED, limit=limit
            ):
                assert claim.id is not None
                found.append(
                    Dispute(claim.id, claim.article_id, claim.text, _opinions(session, claim.id))
                )
            return found

        return transaction(self._engine, work)

    def settle(self, member: Member, claim_id: int, rating: Rating) -> Settled | Refused:
        """The admin's verdict ends the dispute; it is recorded with the admin's name."""
        if not member.is_admin:
            logger.warning("reviewer %s tried to settle claim %s", member.reviewer_id, claim_id)
            return Refused("Only the desk's admins settle disputes.")

        def work(session: Session) -> Settled | Refused:
            claim = queries.get_claim(session=session, claim_id=claim_id)
            if claim is None:
                logger.warning("settlement of nonexistent claim %s refused", claim_id)
                return Refused("There is no such claim.")
            if claim.status != ClaimStatus.DISPUTED:
                return Refused("This claim is not disputed (any more).")
            change = consensus.record(
                session,
                claim_id=claim_id,
                reviewer_id=member.reviewer_id,
                rating=rating,
                kind=VerdictKind.SETTLEMENT,
                required=self._required,
            )
            notices = finished_notices(session, change, summarised_for=None)
            return Settled(claim_id, claim.text, rating, notices)

        return transaction(self._engine, work)

    def undo(self, member: Member) -> Undone | Refused:
        """Retract the caller's newest verdict if it is recent enough; the claim is re-decided
        from what stands (back to pending when nothing else does)."""

        def work(session: Session) -> Undone | Refused:
            since = utcnow() - self._undo
            verdict = verdict_queries.last_own_verdict(
                session=session, reviewer_id=member.reviewer_id, since=since
            )
            if verdict is None or verdict.id is None:
                minutes = self._undo.total_seconds() / 60
                return Refused(f"You have no verdict from the last {minutes:g} minutes to undo.")
            change = consensus.record(
                session,
                claim_id=verdict.claim_id,
                reviewer_id=member.reviewer_id,
                rating=Rating(verdict.rating),
                kind=VerdictKind.RETRACTION,
                required=self._required,
                retracts_id=verdict.id,
            )
            claim = queries.get_claim(session=session, claim_id=verdict.claim_id)
            text = claim.text if claim else ""
            return Undone(verdict.claim_id, text, Rating(verdict.rating), change.after)

        return transaction(self._engine, work)


def _opinions(session: Session, claim_id: int) -> list[Opinion]:
    standing = verdict_queries.standing_verdicts(session=session, claim_id=claim_id)
    names = queries.reviewer_names(
        session=session, ids=(v.reviewer_id for v in standing if v.reviewer_id is not None)
    )
    return [
        Opinion(names.get(v.reviewer_id or 0, "?"), Rating(v.rating), v.source_url)
        for v in standing
    ]


__all__ = ["Dispute", "DisputeService", "Opinion", "Refused", "Settled", "Undone"]
