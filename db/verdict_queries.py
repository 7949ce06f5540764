"""Verdict rows as acts: reviews, settlements, retractions. Never commits; services own that."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from db.models import Verdict


def _retracted_ids() -> object:
    return select(Verdict.retracts_id).where(col(Verdict.retracts_id).is_not(None))


def add_act(
    *,
    session: Session,
    claim_id: int,
    reviewer_id: int,
    rating: str,
    kind: str,
    source_url: str | None = None,
    reused_from_id: int | None = None,
    retracts_id: int | None = None,
    note: str | None = None,
) -> Verdict:
    verdict = Verdict(
        claim_id=claim_id,
        reviewer_id=reviewer_id,
        rating=rating,
        kind=kind,
        source_url=source_url,
        reused_from_id=reused_from_id,
        retracts_id=retracts_id,
        note=note,
    )
    session.add(verdict)
    session.flush()
    return verdict


def standing_verdicts(*, session: Session, claim_id: int) -> list[Verdict]:
    """The claim's verdicts that count: not retractions, not retracted; oldest first."""
    statement = (
        select(Verdict)
        .where(Verdict.claim_id == claim_id)
        .where(Verdict.kind != "retraction")
        .where(col(Verdict.id).not_in(_retracted_ids()))  # type: ignore[arg-type]
        .order_by(col(Verdict.id))
    )
    return list(session.exec(statement).all())


def all_verdicts(*, session: Session, claim_id: int) -> list[Verdict]:
    statement = select(Verdict).where(Verdict.claim_id == claim_id).order_by(col(Verdict.id))
    return list(session.exec(statement).all())


def last_own_verdict(*, session: Session, reviewer_id: int, since: datetime) -> Verdict | None:
    """The reviewer's newest review or settlement after `since` that is not retracted yet."""
    statement = (
        select(Verdict)
        .where(Verdict.reviewer_id == reviewer_id)
        .where(col(Verdict.kind).in_(["review", "settlement"]))
        .where(col(Verdict.created_at) >= since)
        .where(col(Verdict.id).not_in(_retracted_ids()))  # type: ignore[arg-type]
        .order_by(col(Verdict.id).desc())
    )
    return session.exec(statement).first()


def recent_own_verdicts(*, session: Session, reviewer_id: int, limit: int) -> list[Verdict]:
    statement = (
        select(Verdict)
        .where(Verdict.reviewer_id == reviewer_id)
        .where(Verdict.kind != "retraction")
        .order_by(col(Verdict.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement).all())
