"""The queue: pending claims oldest first, and /next handing each to one reviewer at a time.

A claim handed out is locked for `lock_minutes`; a lock that runs out puts the claim back in
the queue. With blind second review a reviewer is never handed a claim they already rated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, queue_queries, verdict_queries
from db.engine import transaction
from db.models import utcnow
from db.queue_queries import QueuedClaim
from domain.access import Member
from domain.review import ClaimCard, ReviewService

logger = logging.getLogger(__name__)

PAGE_SIZE = 8


@dataclass(frozen=True, slots=True)
class Assigned:
    card: ClaimCard
    until: datetime
    again: bool  # the caller already held this claim


@dataclass(frozen=True, slots=True)
class QueueEmpty:
    pending: int


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueuedClaim]
    page: int
    pages: int
    pending: int
    articles: int


@dataclass(frozen=True, slots=True)
class MineItem:
    claim_id: int
    text: str
    rating: str | None
    kind: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Mine:
    assigned: list[MineItem]
    recent: list[MineItem]


class QueueService:
    def __init__(self, engine: Engine, review: ReviewService, *, lock_minutes: float) -> None:
        self._engine = engine
        self._review = review
        self._lock = timedelta(minutes=lock_minutes)
        self._postgres = engine.dialect.name == "postgresql"

    def next_claim(self, member: Member, chat_id: int) -> Assigned | QueueEmpty:
        """Lock the oldest claim the caller may review (or the one they already hold) and point
        their walk in this chat at it."""

        def work(session: Session) -> tuple[int | None, datetime, bool, int]:
            now = utcnow()
            until = now + self._lock
            queue_queries.release_expired(session=session, now=now)
            held = queue_queries.held_claim(
                session=session, reviewer_id=member.reviewer_id, now=now
            )
            if held is not None and held.id is not None and held.locked_until is not None:
                return held.id, held.locked_until, True, 0
            claim_id = queue_queries.take_next(
                session=session,
                reviewer_id=member.reviewer_id,
                now=now,
                until=until,
                walk_window=self._lock,
                postgres=self._postgres,
            )
            if claim_id is None:
                return None, until, False, queue_queries.queue_counts(session=session)[0]
            queue_queries.add_assignment(
                session=session,
                claim_id=claim_id,
                reviewer_id=member.reviewer_id,
                now=now,
                until=until,
            )
            return claim_id, until, False, 0

        claim_id, until, again, pending = transaction(self._engine, work)
        if claim_id is None:
            return QueueEmpty(pending)
        logger.info("claim %s assigned to reviewer %s", claim_id, member.reviewer_id)
        return Assigned(self._review.walk_to(member, chat_id, claim_id), until, again)

    def page(self, member: Member, page: int) -> QueuePage:
        def work(session: Session) -> QueuePage:
            pending, articles = queue_queries.queue_counts(session=session)
            pages = max(1, -(-pending // PAGE_SIZE))
            current = min(max(page, 0), pages - 1)
            items = queue_queries.queue_page(
                session=session, now=utcnow(), offset=current * PAGE_SIZE, limit=PAGE_SIZE
            )
            return QueuePage(items, current, pages, pending, articles)

        return transaction(self._engine, work)

    def mine(self, member: Member) -> Mine:
        def work(session: Session) -> Mine:
            assigned = [
                MineItem(c.id or 0, c.text, None, None, c.locked_until)
                for c in queue_queries.open_assignments_of(
                    session=session, reviewer_id=member.reviewer_id, now=utcnow()
                )
            ]
            recent = []
            for verdict in verdict_queries.recent_own_verdicts(
                session=session, reviewer_id=member.reviewer_id, limit=10
            ):
                claim = queries.get_claim(session=session, claim_id=verdict.claim_id)
                recent.append(
                    MineItem(
                        verdict.claim_id,
                        claim.text if claim else "",
                        verdict.rating,
                        verdict.kind,
                        verdict.created_at,
                    )
                )
            return Mine(assigned, recent)

        return transaction(self._engine, work)

    def refusal(self, member: Member, claim_id: int) -> str | None:
        """Why a button naming this claim must be refused, or None when it may go ahead.

        Buttons carry claim ids, and a client can send any id: a claim that does not exist, or
        one locked by another reviewer's assignment, is refused here, whatever the button said.
        """

        def work(session: Session) -> str | None:
            claim = queries.get_claim(session=session, claim_id=claim_id)
            if claim is None:
                return "no such claim"
            now = utcnow()
            if (
                claim.locked_by_id is not None
                and claim.locked_by_id != member.reviewer_id
                and claim.locked_until is not None
                and claim.locked_until >= now
            ):
                return "assigned to another reviewer"
            return None

        return transaction(self._engine, work)

    def digest(self) -> tuple[QueuePage, int]:
        """The first page of the queue and the number of disputed claims, for the daily digest."""

        def work(session: Session) -> tuple[QueuePage, int]:
            pending, articles = queue_queries.queue_counts(session=session)
            items = queue_queries.queue_page(session=session, now=utcnow(), offset=0, limit=5)
            disputed = len(
                queue_queries.claims_with_status(session=session, status="disputed", limit=1000)
            )
            pages = max(1, -(-pending // PAGE_SIZE))
            return QueuePage(items, 0, pages, pending, articles), disputed

        return transaction(self._engine, work)
