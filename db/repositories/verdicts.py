"""Verdict rows: reviews, settlements, retractions and imports, and which of them stand.

Rows are never changed except for `standing`, which the service recomputes for a claim in the
same unit of work as every row it writes for that claim (`domain.verdicts.standing`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, exists, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from db.models import Article, Claim, Verdict
from domain.verdicts import Act, ClaimStatus, Rating, VerdictKind


@dataclass(frozen=True, slots=True)
class StandingVerdict:
    """A verdict that counts, with what the desk's numbers need of its claim and article."""

    verdict_id: int
    claim_id: int
    article_id: int | None
    reviewer_id: int | None
    rating: Rating
    kind: VerdictKind
    created_at: datetime
    claim_status: ClaimStatus
    submitted_at: datetime | None


class VerdictRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        claim_id: int,
        reviewer_id: int,
        rating: Rating,
        kind: VerdictKind,
        source_url: str | None = None,
        reused_from_id: int | None = None,
        retracts_id: int | None = None,
        note: str | None = None,
        message_id: int | None = None,
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
            message_id=message_id,
            standing=kind is not VerdictKind.RETRACTION,
        )
        self._session.add(verdict)
        self._session.flush()
        return verdict

    def get(self, verdict_id: int) -> Verdict | None:
        return self._session.get(Verdict, verdict_id)

    def of_claim(self, claim_id: int) -> list[Verdict]:
        """Every row of the claim, history included, oldest first."""
        statement = select(Verdict).where(Verdict.claim_id == claim_id).order_by(col(Verdict.id))
        return list(self._session.exec(statement).all())

    def acts(self, claim_id: int) -> list[Act]:
        return [as_act(v) for v in self.of_claim(claim_id)]

    def mark_standing(self, claim_id: int, standing_ids: Iterable[int]) -> None:
        """Set the claim's `standing` flags in one statement: these ids count, the rest not."""
        ids = sorted(standing_ids)
        flag = case((col(Verdict.id).in_(ids), True), else_=False) if ids else False
        self._session.exec(
            update(Verdict).where(col(Verdict.claim_id) == claim_id).values(standing=flag)
        )

    def standing_of(self, claim_id: int) -> list[Verdict]:
        statement = (
            select(Verdict)
            .where(Verdict.claim_id == claim_id)
            .where(col(Verdict.standing))
            .order_by(col(Verdict.id))
        )
        return list(self._session.exec(statement).all())

    def last_own(self, reviewer_id: int, since: datetime) -> Verdict | None:
        """The reviewer's newest standing review or settlement since a time (what /undo takes)."""
        statement = (
            select(Verdict)
            .where(Verdict.reviewer_id == reviewer_id)
            .where(col(Verdict.standing))
            .where(col(Verdict.kind).in_([VerdictKind.REVIEW, VerdictKind.SETTLEMENT]))
            .where(col(Verdict.created_at) >= since)
            .order_by(col(Verdict.id).desc())
        )
        return self._session.exec(statement).first()

    def recent_own(self, reviewer_id: int, limit: int) -> list[tuple[Verdict, str]]:
        """The reviewer's newest standing verdicts with their claims' texts."""
        statement = (
            select(Verdict, Claim.text)
            .join(Claim, col(Claim.id) == Verdict.claim_id)
            .where(Verdict.reviewer_id == reviewer_id)
            .where(col(Verdict.standing))
            .order_by(col(Verdict.id).desc())
            .limit(limit)
        )
        return [(verdict, text) for verdict, text in self._session.exec(statement)]

    def opinions(self, since: datetime | None = None) -> list[tuple[int, int, Rating]]:
        """(claim id, reviewer id, rating) of every review not retracted, oldest first: what
        reviewers said, including reviews a settlement later superseded (for agreement)."""
        retraction = aliased(Verdict)
        retracted = exists().where(col(retraction.retracts_id) == col(Verdict.id))
        statement = (
            select(Verdict.claim_id, Verdict.reviewer_id, Verdict.rating)
            .where(Verdict.kind == VerdictKind.REVIEW)
            .where(~retracted)
            .order_by(col(Verdict.id))
        )
        if since is not None:
            statement = statement.where(col(Verdict.created_at) >= since)
        return [
            (claim_id, reviewer_id, Rating(rating))
            for claim_id, reviewer_id, rating in self._session.exec(statement)
            if reviewer_id is not None
        ]

    def standing_of_desk(
        self, *, article_id: int | None = None, since: datetime | None = None
    ) -> list[StandingVerdict]:
        """Standing verdicts on the desk's own claims (not imports), oldest first."""
        statement = (
            select(Verdict, Claim.status, Claim.article_id, Article.submitted_at)
            .join(Claim, col(Claim.id) == Verdict.claim_id)
            .join(Article, col(Article.id) == Claim.article_id)
            .where(col(Verdict.standing))
            .order_by(col(Verdict.id))
        )
        if article_id is not None:
            statement = statement.where(col(Claim.article_id) == article_id)
        if since is not None:
            statement = statement.where(col(Verdict.created_at) >= since)
        found = []
        for verdict, status, article, submitted_at in self._session.exec(statement):
            assert verdict.id is not None
            found.append(
                StandingVerdict(
                    verdict.id,
                    verdict.claim_id,
                    article,
                    verdict.reviewer_id,
                    verdict.rating,
                    verdict.kind,
                    verdict.created_at,
                    ClaimStatus(status),
                    submitted_at,
                )
            )
        return found


def as_act(verdict: Verdict) -> Act:
    assert verdict.id is not None
    return Act(verdict.id, verdict.reviewer_id, verdict.rating, verdict.kind, verdict.retracts_id)
