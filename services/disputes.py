"""Admins settle disputed claims; reviewers undo a recent verdict."""

from __future__ import annotations

import logging
from datetime import timedelta

from db.models import utcnow
from db.uow import Database, UnitOfWork
from domain.access import Member
from domain.disputes import (
    ADMINS_ONLY,
    NO_SUCH_CLAIM,
    NOT_DISPUTED,
    Dispute,
    Opinion,
    Refused,
    Settled,
    Undone,
    undo_refusal,
)
from domain.verdicts import ClaimStatus, Rating, VerdictKind
from services.verdicts import notices_for, record_act

logger = logging.getLogger(__name__)


class DisputeService:
    def __init__(self, db: Database, *, reviews_required: int, undo_minutes: float) -> None:
        self._db = db
        self._required = reviews_required
        self._undo = timedelta(minutes=undo_minutes)

    def disputed(self, member: Member, *, limit: int = 10) -> list[Dispute] | Refused:
        if not member.is_admin:
            return Refused(ADMINS_ONLY)

        def work(tx: UnitOfWork) -> list[Dispute]:
            found = []
            for claim in tx.claims.with_status(ClaimStatus.DISPUTED, limit=limit):
                assert claim.id is not None
                found.append(
                    Dispute(claim.id, claim.article_id, claim.text, _opinions(tx, claim.id))
                )
            return found

        return self._db.run(work)

    def settle(self, member: Member, claim_id: int, verdict: Rating) -> Settled | Refused:
        """The admin's verdict ends the dispute; it is recorded with the admin's name."""
        if not member.is_admin:
            logger.warning("reviewer %s tried to settle claim %s", member.reviewer_id, claim_id)
            return Refused(ADMINS_ONLY)

        def work(tx: UnitOfWork) -> Settled | Refused:
            claim = tx.claims.get_for_update(claim_id)
            if claim is None:
                return Refused(NO_SUCH_CLAIM)
            if claim.status is not ClaimStatus.DISPUTED:
                return Refused(NOT_DISPUTED)
            change = record_act(
                tx,
                claim,
                reviewer_id=member.reviewer_id,
                rating=verdict,
                kind=VerdictKind.SETTLEMENT,
                required=self._required,
            )
            return Settled(claim_id, claim.text, verdict, notices_for(tx, change, None))

        return self._db.run(work)

    def undo(self, member: Member) -> Undone | Refused:
        """Retract the caller's newest standing verdict if it is recent enough; the claim is
        re-decided from what stands (back to pending when nothing else does)."""

        def work(tx: UnitOfWork) -> Undone | Refused:
            verdict = tx.verdicts.last_own(member.reviewer_id, since=utcnow() - self._undo)
            claim = tx.claims.get_for_update(verdict.claim_id) if verdict is not None else None
            if verdict is None or verdict.id is None or claim is None:
                return undo_refusal(self._undo.total_seconds() / 60)
            change = record_act(
                tx,
                claim,
                reviewer_id=member.reviewer_id,
                rating=verdict.rating,
                kind=VerdictKind.RETRACTION,
                required=self._required,
                retracts_id=verdict.id,
            )
            total = tx.claims.count_in_article(claim.article_id) if claim.article_id else 1
            return Undone(
                claim_id=verdict.claim_id,
                number=claim.position + 1,
                total=total,
                text=claim.text,
                rating=verdict.rating,
                status=change.after,
                message_id=verdict.message_id,
            )

        return self._db.run(work)


def _opinions(tx: UnitOfWork, claim_id: int) -> list[Opinion]:
    standing = tx.verdicts.standing_of(claim_id)
    names = tx.reviewers.names(v.reviewer_id for v in standing)
    return [Opinion(names.get(v.reviewer_id or 0, "?"), v.rating, v.source_url) for v in standing]
