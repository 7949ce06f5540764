"""Reading the record: claims with their article, verdict rows in a period. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import Article, Claim, Verdict


def claims_of_article(*, session: Session, article_id: int) -> list[Claim]:
    statement = select(Claim).where(Claim.article_id == article_id).order_by(col(Claim.position))
    return list(session.exec(statement).all())


def status_counts(*, session: Session) -> dict[str, int]:
    statement = select(Claim.status, func.count()).group_by(col(Claim.status))
    return {status: int(n) for status, n in session.exec(statement)}


@dataclass(frozen=True, slots=True)
class VerdictFact:
    """A verdict row with what statistics need about its claim and article."""

    verdict_id: int
    claim_id: int
    reviewer_id: int | None
    rating: str
    kind: str
    created_at: datetime
    retracted: bool
    claim_status: str
    submitted_at: datetime | None


def verdict_facts(*, session: Session, since: datetime | None) -> list[VerdictFact]:
    """Reviews and settlements (optionally since a time), oldest first."""
    retracted = set(
        session.exec(select(Verdict.retracts_id).where(col(Verdict.retracts_id).is_not(None)))
    )
    statement = (
        select(Verdict, Claim.status, Article.submitted_at)
        .join(Claim, col(Claim.id) == Verdict.claim_id)
        .outerjoin(Article, col(Article.id) == Claim.article_id)
        .where(col(Verdict.kind).in_(["review", "settlement"]))
        .order_by(col(Verdict.id))
    )
    if since is not None:
        statement = statement.where(col(Verdict.created_at) >= since)
    facts = []
    for verdict, status, submitted_at in session.exec(statement):
        assert verdict.id is not None
        facts.append(
            VerdictFact(
                verdict.id,
                verdict.claim_id,
                verdict.reviewer_id,
                verdict.rating,
                verdict.kind,
                verdict.created_at,
                verdict.id in retracted,
                status,
                submitted_at,
            )
        )
    return facts
