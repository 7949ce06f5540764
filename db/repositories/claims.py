"""Claims: storing an article's claims, their status, and the locks /next hands out.

Taking a claim from the queue is one compare-and-set on `claim.locked_by_id`/`locked_until`. On
PostgreSQL the candidate is chosen with `SELECT … FOR UPDATE SKIP LOCKED`, so racing reviewers
pass over each other's rows instead of queueing behind them; on SQLite (one writer at a time) a
single UPDATE whose WHERE re-checks the lock is enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, text, update
from sqlmodel import Session, col, select

from db.models import NOT_A_CLAIM_SQL, Article, Assignment, Claim, ReviewSession, Verdict
from domain.extraction import ExtractedClaim
from domain.normalize import normalize_claim
from domain.queue import QueuedClaim
from domain.verdicts import ClaimStatus, VerdictKind

OPEN = (ClaimStatus.PENDING, ClaimStatus.DISPUTED)


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(col(Claim.locked_by_id).is_(None), col(Claim.locked_until) < now)


class ClaimRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    # --- an article's claims -----------------------------------------------------------------

    def add_many(
        self, article_id: int, claims: Sequence[ExtractedClaim], *, first_position: int = 0
    ) -> list[Claim]:
        """Store an article's claims in article order, with what extraction knew of each (after
        `first_position` when /more adds claims the cap held back)."""
        rows = [
            Claim(
                article_id=article_id,
                position=i,
                text=claim.text,
                normalized_text=normalize_claim(claim.text),
                score=claim.score,
                sentence=claim.sentence
                if claim.sentence and claim.sentence != claim.text
                else None,
                claimant=claim.claimant,
                context=claim.paragraph or None,
            )
            for i, claim in enumerate(claims, start=first_position)
        ]
        self._session.add_all(rows)
        self._session.flush()
        return rows

    def restate(self, claim: Claim, text: str) -> None:
        """The reviewer's standalone wording becomes the claim's text (what matching and every
        export use); the article's own sentence stays in `sentence`."""
        if claim.sentence is None:
            claim.sentence = claim.text
        claim.text, claim.normalized_text = text, normalize_claim(text)
        self._session.add(claim)
        self._session.flush()

    def get(self, claim_id: int) -> Claim | None:
        return self._session.get(Claim, claim_id)

    def get_for_update(self, claim_id: int) -> Claim | None:
        """The claim, locked until the unit of work ends (PostgreSQL), so two verdicts on one
        claim are decided one after the other and the status never misses one of them."""
        statement = select(Claim).where(col(Claim.id) == claim_id)
        if self._postgres:
            statement = statement.with_for_update()
        return self._session.exec(statement).first()

    def of_article(self, article_id: int) -> list[Claim]:
        statement = (
            select(Claim).where(Claim.article_id == article_id).order_by(col(Claim.position))
        )
        return list(self._session.exec(statement).all())

    def not_claims_among(self, normalized: Sequence[str]) -> set[str]:
        """Which of these sentences (normalized) the desk already marked "Not a claim"."""
        if not normalized:
            return set()
        statement = (
            select(Claim.normalized_text)
            .where(col(Claim.normalized_text).in_(sorted(set(normalized))))
            .where(text(NOT_A_CLAIM_SQL))  # served by the partial index (migration 0008)
            .distinct()
        )
        return set(self._session.exec(statement).all())

    def count_in_article(self, article_id: int) -> int:
        statement = select(func.count()).select_from(Claim).where(Claim.article_id == article_id)
        return int(self._session.exec(statement).one())

    def next_pending(
        self, *, article_id: int, after_position: int, reviewer_id: int, now: datetime
    ) -> Claim | None:
        """The first pending claim after a position that another reviewer's /next does not
        hold, so skipped claims are not offered again within one walk."""
        statement = (
            select(Claim)
            .where(Claim.article_id == article_id)
            .where(Claim.position > after_position)
            .where(Claim.status == ClaimStatus.PENDING)
            .where(or_(_free(now), col(Claim.locked_by_id) == reviewer_id))
            .order_by(col(Claim.position))
        )
        return self._session.exec(statement).first()

    def set_status(self, claim_id: int, status: ClaimStatus) -> None:
        self._session.exec(update(Claim).where(col(Claim.id) == claim_id).values(status=status))

    def with_status(self, status: ClaimStatus, *, limit: int) -> list[Claim]:
        statement = select(Claim).where(Claim.status == status).order_by(col(Claim.id)).limit(limit)
        return list(self._session.exec(statement).all())

    def status_counts(self) -> dict[ClaimStatus, int]:
        """Claims of articles by status (imported claims are the archive, not the desk's work)."""
        statement = (
            select(Claim.status, func.count())
            .where(col(Claim.article_id).is_not(None))
            .group_by(col(Claim.status))
        )
        return {ClaimStatus(status): int(n) for status, n in self._session.exec(statement)}

    # --- the queue -----------------------------------------------------------------------------

    def queue_page(self, *, now: datetime, offset: int, limit: int) -> list[QueuedClaim]:
        """Pending claims of articles, oldest first."""
        statement = (
            select(Claim, Article.title)
            .join(Article, col(Article.id) == Claim.article_id)
            .where(col(Claim.status) == ClaimStatus.PENDING)
            .order_by(col(Claim.created_at), col(Claim.id))
            .offset(offset)
            .limit(limit)
        )
        rows = []
        for claim, title in self._session.exec(statement):
            assert claim.id is not None and claim.article_id is not None
            locked = claim.locked_until is not None and claim.locked_until >= now
            rows.append(
                QueuedClaim(
                    claim.id,
                    claim.text,
                    claim.position + 1,
                    claim.article_id,
                    title,
                    claim.created_at,
                    locked,
                )
            )
        return rows

    def queue_counts(self) -> tuple[int, int]:
        """(pending claims, articles they belong to)."""
        statement = select(func.count(), func.count(func.distinct(Claim.article_id))).where(
            Claim.status == ClaimStatus.PENDING, col(Claim.article_id).is_not(None)
        )
        claims, articles = self._session.exec(statement).one()
        return int(claims), int(articles)

    def held_by(self, reviewer_id: int, now: datetime) -> Claim | None:
        statement = (
            select(Claim)
            .where(col(Claim.locked_by_id) == reviewer_id)
            .where(col(Claim.locked_until) >= now)
            .where(col(Claim.status) == ClaimStatus.PENDING)
            .order_by(col(Claim.id))
        )
        return self._session.exec(statement).first()

    def lock_next(
        self, *, reviewer_id: int, now: datetime, until: datetime, walk_window: timedelta
    ) -> int | None:
        """Lock the oldest claim the reviewer may take; its id, or None when none is left."""
        candidates = (
            select(Claim.id)
            .where(*self._eligible(reviewer_id=reviewer_id, now=now, walk_window=walk_window))
            .order_by(col(Claim.created_at), col(Claim.id))
            .limit(1)
        )
        if self._postgres:
            claim_id = self._session.exec(candidates.with_for_update(skip_locked=True)).first()
            if claim_id is None:
                return None
            target = col(Claim.id) == claim_id
        else:
            target = col(Claim.id) == candidates.correlate(None).scalar_subquery()
        result = self._session.exec(
            update(Claim)
            .where(target)
            .where(_free(now))
            .where(col(Claim.status) == ClaimStatus.PENDING)
            .values(locked_by_id=reviewer_id, locked_until=until)
            .returning(col(Claim.id))
        )
        row = result.first()
        return int(row[0]) if row is not None else None

    @staticmethod
    def _eligible(
        *, reviewer_id: int, now: datetime, walk_window: timedelta
    ) -> list[ColumnElement[bool]]:
        """Pending, unlocked, not rated by this reviewer (blind second review), and not the
        claim another reviewer's walk is showing right now."""
        mine = (
            select(Verdict.id)
            .where(Verdict.claim_id == Claim.id)
            .where(Verdict.reviewer_id == reviewer_id)
            .where(Verdict.kind == VerdictKind.REVIEW)
            .where(col(Verdict.standing))
        )
        walked = (
            select(ReviewSession.claim_id)
            .where(col(ReviewSession.claim_id).is_not(None))
            .where(ReviewSession.reviewer_id != reviewer_id)
            .where(col(ReviewSession.updated_at) > now - walk_window)
        )
        return [
            col(Claim.status) == ClaimStatus.PENDING,
            col(Claim.article_id).is_not(None),
            _free(now),
            ~exists(mine),
            col(Claim.id).not_in(walked),
        ]

    def release_expired(self, now: datetime) -> None:
        """Expired locks go back to the queue."""
        self._session.exec(
            update(Claim)
            .where(col(Claim.locked_until) < now)
            .values(locked_by_id=None, locked_until=None)
        )

    def unlock(self, claim_id: int, reviewer_id: int) -> None:
        """Drop the claim's lock if the reviewer holds it."""
        self._session.exec(
            update(Claim)
            .where(col(Claim.id) == claim_id)
            .where(col(Claim.locked_by_id) == reviewer_id)
            .values(locked_by_id=None, locked_until=None)
        )

    def unlock_all_of(self, reviewer_id: int) -> None:
        self._session.exec(
            update(Claim)
            .where(col(Claim.locked_by_id) == reviewer_id)
            .values(locked_by_id=None, locked_until=None)
        )

    def assigned_to(self, reviewer_id: int, now: datetime) -> list[Claim]:
        """Claims the reviewer holds through an open, unexpired assignment."""
        statement = (
            select(Claim)
            .join(Assignment, and_(col(Assignment.claim_id) == Claim.id))
            .where(col(Assignment.reviewer_id) == reviewer_id)
            .where(col(Assignment.ended_at).is_(None))
            .where(col(Assignment.expires_at) >= now)
            .order_by(col(Assignment.id))
        )
        return list(self._session.exec(statement).all())
