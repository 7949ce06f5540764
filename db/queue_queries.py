"""The queue of pending claims and the locks /next hands out. Never commits.

Taking a claim is one compare-and-set on `claim.locked_by_id`/`locked_until`. On PostgreSQL the
candidate is chosen with `SELECT … FOR UPDATE SKIP LOCKED`, so racing reviewers pass over each
other's rows instead of queueing behind them; on SQLite (one writer at a time) a single UPDATE
whose WHERE re-checks the lock is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, update
from sqlmodel import Session, col, select

from db.models import Article, Assignment, Claim, ReviewSession, Verdict


def _free(now: datetime) -> object:
    return or_(col(Claim.locked_by_id).is_(None), col(Claim.locked_until) < now)


def _eligible(*, reviewer_id: int, now: datetime, walk_window: timedelta) -> list[object]:
    """Pending, unlocked, not reviewed by this reviewer, not the claim another reviewer's walk
    is showing right now."""
    retracted = select(Verdict.retracts_id).where(col(Verdict.retracts_id).is_not(None))
    mine = (
        select(Verdict.id)
        .where(Verdict.claim_id == Claim.id)
        .where(Verdict.reviewer_id == reviewer_id)
        .where(Verdict.kind == "review")
        .where(col(Verdict.id).not_in(retracted))
    )
    walked = (
        select(ReviewSession.claim_id)
        .where(col(ReviewSession.claim_id).is_not(None))
        .where(ReviewSession.reviewer_id != reviewer_id)
        .where(col(ReviewSession.updated_at) > now - walk_window)
    )
    return [
        Claim.status == "pending",
        col(Claim.article_id).is_not(None),
        _free(now),
        ~exists(mine),
        col(Claim.id).not_in(walked),
    ]


def release_expired(*, session: Session, now: datetime) -> int:
    """Expired locks go back to the queue; their assignments end as 'expired'."""
    session.exec(
        update(Assignment)
        .where(col(Assignment.ended_at).is_(None))
        .where(col(Assignment.expires_at) < now)
        .values(ended_at=now, outcome="expired")
    )
    result = session.exec(
        update(Claim)
        .where(col(Claim.locked_until) < now)
        .values(locked_by_id=None, locked_until=None)
    )
    return int(result.rowcount)


def held_claim(*, session: Session, reviewer_id: int, now: datetime) -> Claim | None:
    statement = (
        select(Claim)
        .where(col(Claim.locked_by_id) == reviewer_id)
        .where(col(Claim.locked_until) >= now)
        .where(col(Claim.status) == "pending")
        .order_by(col(Claim.id))
    )
    return session.exec(statement).first()


def take_next(
    *,
    session: Session,
    reviewer_id: int,
    now: datetime,
    until: datetime,
    walk_window: timedelta,
    postgres: bool,
) -> int | None:
    """Lock the oldest eligible claim for the reviewer; its id, or None when none is left."""
    conditions = _eligible(reviewer_id=reviewer_id, now=now, walk_window=walk_window)
    candidates = (
        select(Claim.id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(col(Claim.created_at), col(Claim.id))
        .limit(1)
    )
    if postgres:
        claim_id = session.exec(candidates.with_for_update(skip_locked=True)).first()
        if claim_id is None:
            return None
        target = col(Claim.id) == claim_id
    else:
        target = col(Claim.id) == candidates.correlate(None).scalar_subquery()
    result = session.exec(
        update(Claim)
        .where(target)
        .where(_free(now))  # type: ignore[arg-type]
        .where(col(Claim.status) == "pending")
        .values(locked_by_id=reviewer_id, locked_until=until)
        .returning(col(Claim.id))
    )
    row = result.first()
    return int(row[0]) if row is not None else None


def add_assignment(
    *, session: Session, claim_id: int, reviewer_id: int, now: datetime, until: datetime
) -> Assignment:
    assignment = Assignment(
        claim_id=claim_id, reviewer_id=reviewer_id, assigned_at=now, expires_at=until
    )
    session.add(assignment)
    session.flush()
    return assignment


def open_assignment(
    *, session: Session, claim_id: int, reviewer_id: int | None = None
) -> Assignment | None:
    statement = (
        select(Assignment)
        .where(col(Assignment.claim_id) == claim_id)
        .where(col(Assignment.ended_at).is_(None))
    )
    if reviewer_id is not None:
        statement = statement.where(col(Assignment.reviewer_id) == reviewer_id)
    return session.exec(statement.order_by(col(Assignment.id).desc())).first()


def end_assignments(
    *, session: Session, claim_id: int, reviewer_id: int, outcome: str, now: datetime
) -> bool:
    """End the reviewer's open assignment of the claim and drop the claim's lock if theirs."""
    result = session.exec(
        update(Assignment)
        .where(col(Assignment.claim_id) == claim_id)
        .where(col(Assignment.reviewer_id) == reviewer_id)
        .where(col(Assignment.ended_at).is_(None))
        .values(ended_at=now, outcome=outcome)
    )
    session.exec(
        update(Claim)
        .where(col(Claim.id) == claim_id)
        .where(col(Claim.locked_by_id) == reviewer_id)
        .values(locked_by_id=None, locked_until=None)
    )
    return bool(result.rowcount)


def release_reviewer(*, session: Session, reviewer_id: int, now: datetime) -> None:
    """A removed reviewer's locks go back to the queue."""
    session.exec(
        update(Assignment)
        .where(col(Assignment.reviewer_id) == reviewer_id)
        .where(col(Assignment.ended_at).is_(None))
        .values(ended_at=now, outcome="released")
    )
    session.exec(
        update(Claim)
        .where(col(Claim.locked_by_id) == reviewer_id)
        .values(locked_by_id=None, locked_until=None)
    )


@dataclass(frozen=True, slots=True)
class QueuedClaim:
    claim_id: int
    text: str
    number: int
    article_id: int
    article_title: str | None
    created_at: datetime
    locked: bool


def queue_page(*, session: Session, now: datetime, offset: int, limit: int) -> list[QueuedClaim]:
    """Pending claims of articles, oldest first."""
    statement = (
        select(Claim, Article.title)
        .join(Article, col(Article.id) == Claim.article_id)
        .where(col(Claim.status) == "pending")
        .order_by(col(Claim.created_at), col(Claim.id))
        .offset(offset)
        .limit(limit)
    )
    rows = []
    for claim, title in session.exec(statement):
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


def queue_counts(*, session: Session) -> tuple[int, int]:
    """(pending claims, articles they belong to)."""
    statement = select(func.count(), func.count(func.distinct(Claim.article_id))).where(
        Claim.status == "pending", col(Claim.article_id).is_not(None)
    )
    claims, articles = session.exec(statement).one()
    return int(claims), int(articles)


def claims_with_status(*, session: Session, status: str, limit: int) -> list[Claim]:
    statement = select(Claim).where(Claim.status == status).order_by(col(Claim.id)).limit(limit)
    return list(session.exec(statement).all())


def open_assignments_of(*, session: Session, reviewer_id: int, now: datetime) -> list[Claim]:
    statement = (
        select(Claim)
        .join(Assignment, and_(col(Assignment.claim_id) == Claim.id))
        .where(col(Assignment.reviewer_id) == reviewer_id)
        .where(col(Assignment.ended_at).is_(None))
        .where(col(Assignment.expires_at) >= now)
        .order_by(col(Assignment.id))
    )
    return list(session.exec(statement).all())


def assignments_of_claim(*, session: Session, claim_id: int) -> list[Assignment]:
    statement = (
        select(Assignment).where(col(Assignment.claim_id) == claim_id).order_by(col(Assignment.id))
    )
    return list(session.exec(statement).all())
