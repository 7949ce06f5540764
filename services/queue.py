"""The queue: pending claims oldest first, and /next handing each to one reviewer at a time."""

from __future__ import annotations

import logging
from datetime import timedelta

from db.models import utcnow
from db.uow import Database, UnitOfWork
from domain.access import Member
from domain.queue import (
    PAGE_SIZE,
    Assigned,
    Mine,
    MineItem,
    QueueEmpty,
    QueuePage,
    page_count,
)
from domain.verdicts import ClaimStatus
from services.review import ReviewService

logger = logging.getLogger(__name__)


class QueueService:
    def __init__(self, db: Database, review: ReviewService, *, lock_minutes: float) -> None:
        self._db = db
        self._review = review
        self._lock = timedelta(minutes=lock_minutes)

    def next_claim(self, member: Member, chat_id: int) -> Assigned | QueueEmpty:
        """Lock the oldest claim the caller may review (or the one they already hold) and point
        their walk in this chat at it, in one unit of work."""

        def work(tx: UnitOfWork) -> Assigned | QueueEmpty:
            tx.reviewers.lock(member.reviewer_id)
            now = utcnow()
            until = now + self._lock
            tx.assignments.end_expired(now)
            tx.claims.release_expired(now)
            held = tx.claims.held_by(member.reviewer_id, now)
            if held is not None and held.locked_until is not None:
                card = self._review.walk_to(tx, member, chat_id, held)
                return Assigned(card, held.locked_until, again=True)
            claim_id = tx.claims.lock_next(
                reviewer_id=member.reviewer_id, now=now, until=until, walk_window=self._lock
            )
            claim = tx.claims.get(claim_id) if claim_id is not None else None
            if claim is None:
                return QueueEmpty(tx.claims.queue_counts()[0])
            tx.assignments.add(
                claim_id=claim_id or 0, reviewer_id=member.reviewer_id, now=now, until=until
            )
            logger.info("claim %s assigned to reviewer %s", claim_id, member.reviewer_id)
            return Assigned(self._review.walk_to(tx, member, chat_id, claim), until, again=False)

        return self._db.run(work)

    def page(self, page: int) -> QueuePage:
        def work(tx: UnitOfWork) -> QueuePage:
            pending, articles = tx.claims.queue_counts()
            pages = page_count(pending)
            current = min(max(page, 0), pages - 1)
            items = tx.claims.queue_page(now=utcnow(), offset=current * PAGE_SIZE, limit=PAGE_SIZE)
            return QueuePage(items, current, pages, pending, articles)

        return self._db.run(work, reads_only=True)

    def mine(self, member: Member) -> Mine:
        def work(tx: UnitOfWork) -> Mine:
            assigned = [
                MineItem(c.id or 0, c.text, None, None, c.locked_until)
                for c in tx.claims.assigned_to(member.reviewer_id, utcnow())
            ]
            recent = [
                MineItem(v.claim_id, text, v.rating, v.kind, v.created_at)
                for v, text in tx.verdicts.recent_own(member.reviewer_id, limit=10)
            ]
            return Mine(assigned, recent)

        return self._db.run(work, reads_only=True)

    def digest(self) -> tuple[QueuePage, int]:
        """The first page of the queue and the number of disputed claims, for the daily digest."""

        def work(tx: UnitOfWork) -> tuple[QueuePage, int]:
            pending, articles = tx.claims.queue_counts()
            items = tx.claims.queue_page(now=utcnow(), offset=0, limit=5)
            disputed = tx.claims.status_counts().get(ClaimStatus.DISPUTED, 0)
            return QueuePage(items, 0, page_count(pending), pending, articles), disputed

        return self._db.run(work, reads_only=True)
