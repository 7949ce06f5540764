"""What the match index is built from: checked claims with their standing verdict."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from db.models import Claim, Reviewer, Verdict
from domain.archived import ArchivedVerdict
from domain.verdicts import ClaimStatus, Rating


@dataclass(frozen=True, slots=True)
class IndexedClaim:
    """A claim whose verdicts changed: in the index when it is final and judged, else out."""

    claim_id: int
    normalized_text: str
    verdict_id: int
    matchable: bool


class ArchiveRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def changed_since(self, after_verdict_id: int) -> list[IndexedClaim]:
        """Claims with a verdict row after an id, and whether they belong in the index now.

        (Following the verdict ids is how several replicas see each other's work; the matching
        issue replaces it with a feed that does not depend on ids committing in order.)
        """
        changed = (
            sa_select(col(Verdict.claim_id))
            .where(col(Verdict.id) > after_verdict_id)
            .distinct()
            .subquery()
        )
        newest_row = (
            sa_select(col(Verdict.claim_id), func.max(col(Verdict.id)).label("vid"))
            .where(col(Verdict.claim_id).in_(sa_select(changed.c.claim_id)))
            .group_by(col(Verdict.claim_id))
            .subquery()
        )
        newest_standing = (
            sa_select(col(Verdict.claim_id), func.max(col(Verdict.id)).label("sid"))
            .where(col(Verdict.claim_id).in_(sa_select(changed.c.claim_id)))
            .where(col(Verdict.standing))
            .group_by(col(Verdict.claim_id))
            .subquery()
        )
        statement = (
            sa_select(
                col(Claim.id),
                col(Claim.normalized_text),
                col(Claim.status),
                newest_row.c.vid,
                col(Verdict.rating),
            )
            .join(newest_row, newest_row.c.claim_id == Claim.id)
            .outerjoin(newest_standing, newest_standing.c.claim_id == Claim.id)
            .outerjoin(Verdict, col(Verdict.id) == newest_standing.c.sid)
            .order_by(newest_row.c.vid)
        )
        found = []
        for cid, normalized, status, vid, rating in self._session.execute(statement):
            final = ClaimStatus(status).is_final
            judged = rating is not None and Rating(rating).is_judgement
            found.append(IndexedClaim(cid, normalized, int(vid), final and judged))
        return found

    def describe(self, matches: Iterable[tuple[int, float, bool]]) -> list[ArchivedVerdict]:
        """Each matched claim (id, score, same) with its newest standing verdict, in the order
        given; claims whose verdict no longer stands (or judges nothing) are dropped."""
        wanted = list(matches)
        ids = [claim_id for claim_id, _, _ in wanted]
        if not ids:
            return []
        newest = (
            sa_select(func.max(col(Verdict.id)).label("vid"))
            .where(col(Verdict.claim_id).in_(ids))
            .where(col(Verdict.standing))
            .group_by(col(Verdict.claim_id))
            .subquery()
        )
        reviewer = func.coalesce(col(Reviewer.name), col(Verdict.external_reviewer))
        statement = (
            sa_select(Verdict, col(Claim.text), reviewer)
            .join(newest, newest.c.vid == Verdict.id)
            .join(Claim, col(Claim.id) == Verdict.claim_id)
            .outerjoin(Reviewer, col(Reviewer.id) == Verdict.reviewer_id)
        )
        rows = {v.claim_id: (v, text, name) for v, text, name in self._session.execute(statement)}
        described = []
        for claim_id, score, same in wanted:
            if claim_id not in rows:
                continue
            verdict, text, name = rows[claim_id]
            if not verdict.rating.is_judgement:
                continue
            assert verdict.id is not None
            described.append(
                ArchivedVerdict(
                    claim_id=claim_id,
                    claim_text=text,
                    verdict_id=verdict.id,
                    rating=verdict.rating,
                    source_url=verdict.source_url,
                    reviewer=name or "imported archive",
                    checked_at=verdict.created_at,
                    score=score,
                    same=same,
                )
            )
        return described
