"""Admins settle disputed claims; reviewers undo a recent verdict."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from db.models import utcnow
from db.uow import Database, UnitOfWork
from domain.access import Member
from domain.disputes import (
    ADMINS_ONLY,
    MAX_REASON_CHARS,
    NO_SUCH_CLAIM,
    NOT_DISPUTED,
    OWN_DISPUTE,
    Dispute,
    Opinion,
    Refused,
    SettleAsked,
    Settled,
    Undone,
    may_settle,
    undo_refusal,
)
from domain.verdicts import ClaimStatus, Rating, VerdictKind
from services.verdicts import notices_for, record_act

logger = logging.getLogger(__name__)


class DisputeService:
    def __init__(
        self, db: Database, *, reviews_required: int, undo_minutes: float, admins: int = 1
    ) -> None:
        self._db = db
        self._required = reviews_required
        self._undo = timedelta(minutes=undo_minutes)
        self._admins = admins

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

    def choose_settlement(
        self, member: Member, chat_id: int, claim_id: int, verdict: Rating, message_id: int | None
    ) -> SettleAsked | Refused:
        """A settle button: if this admin may settle the claim, hold the choice; the reason is
        asked next, and the admin's reply to that question settles it."""
        if not member.is_admin:
            logger.warning("reviewer %s tried to settle claim %s", member.reviewer_id, claim_id)
            return Refused(ADMINS_ONLY)

        def work(tx: UnitOfWork) -> SettleAsked | Refused:
            refusal = self._refusal(tx, member, claim_id)
            if refusal is not None:
                return refusal
            tx.settlements.hold(
                chat_id=chat_id,
                reviewer_id=member.reviewer_id,
                claim_id=claim_id,
                rating=verdict,
                message_id=message_id,
            )
            return SettleAsked(claim_id, verdict)

        return self._db.run(work)

    def settle_with_reason(
        self, member: Member, chat_id: int, claim_id: int, reason: str
    ) -> Settled | Refused | None:
        """The admin's reply to "Why is claim #N …?". None: no settlement of theirs waits."""

        def work(tx: UnitOfWork) -> Settled | Refused | None:
            pending = tx.settlements.take(
                chat_id=chat_id, reviewer_id=member.reviewer_id, claim_id=claim_id
            )
            if pending is None:
                return None
            settled = self._settle(tx, member, claim_id, pending.rating, reason)
            if isinstance(settled, Settled):
                settled = replace(settled, message_id=pending.message_id)
            return settled

        return self._db.run(work)

    def settle(
        self, member: Member, claim_id: int, verdict: Rating, reason: str | None = None
    ) -> Settled | Refused:
        """The admin's verdict ends the dispute; it is recorded with the admin's name and the
        reason (the verdict's note)."""
        if not member.is_admin:
            logger.warning("reviewer %s tried to settle claim %s", member.reviewer_id, claim_id)
            return Refused(ADMINS_ONLY)
        return self._db.run(lambda tx: self._settle(tx, member, claim_id, verdict, reason))

    def _refusal(self, tx: UnitOfWork, member: Member, claim_id: int) -> Refused | None:
        claim = tx.claims.get(claim_id)
        if claim is None:
            return Refused(NO_SUCH_CLAIM)
        if claim.status is not ClaimStatus.DISPUTED:
            return Refused(NOT_DISPUTED)
        cast = any(v.reviewer_id == member.reviewer_id for v in tx.verdicts.standing_of(claim_id))
        if not may_settle(cast_a_verdict=cast, admins=self._admins):
            return Refused(OWN_DISPUTE)
        return None

    def _settle(
        self, tx: UnitOfWork, member: Member, claim_id: int, verdict: Rating, reason: str | None
    ) -> Settled | Refused:
        claim = tx.claims.get_for_update(claim_id)
        refusal = self._refusal(tx, member, claim_id)
        if refusal is not None or claim is None:
            return refusal or Refused(NO_SUCH_CLAIM)
        note = " ".join(reason.split())[:MAX_REASON_CHARS] if reason else None
        change = record_act(
            tx,
            claim,
            reviewer_id=member.reviewer_id,
            rating=verdict,
            kind=VerdictKind.SETTLEMENT,
            required=self._required,
            note=note or None,
        )
        return Settled(claim_id, claim.text, verdict, notices_for(tx, change, None), note)

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
