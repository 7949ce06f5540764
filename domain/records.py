"""The audit trail: a claim with every verdict, change and assignment; an article's progress.

Blind review holds here too: a reviewer who has not rated a claim that is still open sees its
history without the ratings, so /claim and /history cannot be used to peek.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, queue_queries, record_queries, verdict_queries
from db.engine import transaction
from domain.access import Member
from domain.verdicts import ClaimStatus, Rating


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    who: str
    what: str


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    claim_id: int
    text: str
    status: ClaimStatus
    article_id: int | None
    article_title: str | None
    number: int
    final: Rating | None
    final_source: str | None
    events: list[Event]
    hidden: bool  # ratings withheld: blind review still open for this member


@dataclass(frozen=True, slots=True)
class ArticleProgress:
    article_id: int
    title: str | None
    submitted_by: str
    submitted_at: datetime
    total: int
    by_status: dict[ClaimStatus, int]
    by_rating: dict[Rating, int]
    claims: list[tuple[int, int, ClaimStatus]]  # (claim id, number, status)


class RecordService:
    def __init__(self, engine: Engine, *, reviews_required: int) -> None:
        self._engine = engine
        self._required = reviews_required

    def claim(self, member: Member, claim_id: int) -> ClaimRecord | None:
        return transaction(self._engine, lambda s: self._claim(s, member, claim_id))

    def _claim(self, session: Session, member: Member, claim_id: int) -> ClaimRecord | None:
        claim = queries.get_claim(session=session, claim_id=claim_id)
        if claim is None:
            return None
        status = ClaimStatus(claim.status)
        rows = verdict_queries.all_verdicts(session=session, claim_id=claim_id)
        mine = any(v.reviewer_id == member.reviewer_id for v in rows)
        hidden = self._required > 1 and not (status.is_final or member.is_admin or mine)
        assignments = queue_queries.assignments_of_claim(session=session, claim_id=claim_id)
        article = (
            queries.get_article(session=session, article_id=claim.article_id)
            if claim.article_id is not None
            else None
        )
        ids = {v.reviewer_id for v in rows} | {a.reviewer_id for a in assignments}
        if article is not None:
            ids.add(article.submitted_by_id)
        names = queries.reviewer_names(session=session, ids=(i for i in ids if i is not None))
        events = [
            Event(
                claim.created_at,
                _name(names, article.submitted_by_id if article else None),
                "submitted with its article" if article else "imported",
            )
        ]
        for a in assignments:
            events.append(Event(a.assigned_at, names.get(a.reviewer_id, "?"), "assigned by /next"))
            if a.ended_at is not None:
                events.append(
                    Event(
                        a.ended_at,
                        names.get(a.reviewer_id, "?"),
                        f"assignment ended: {a.outcome or 'ended'}",
                    )
                )
        for v in rows:
            who = (
                _name(names, v.reviewer_id) if v.reviewer_id else (v.external_reviewer or "import")
            )
            rating = "a verdict" if hidden else Rating(v.rating).label
            source = f" — {v.source_url}" if v.source_url and not hidden else ""
            what = {
                "review": f"rated {rating}{source}",
                "settlement": f"settled the dispute: {rating}",
                "retraction": f"retracted {rating} (verdict #{v.retracts_id})",
                "import": f"imported {rating}{source}",
            }.get(v.kind, v.kind)
            events.append(Event(v.created_at, who, what))
        events.sort(key=lambda e: e.at)
        standing = verdict_queries.standing_verdicts(session=session, claim_id=claim_id)
        final = standing[-1] if standing and status.is_final else None
        return ClaimRecord(
            claim_id=claim_id,
            text=claim.text,
            status=status,
            article_id=claim.article_id,
            article_title=article.title if article else None,
            number=claim.position + 1,
            final=Rating(final.rating) if final else None,
            final_source=final.source_url if final else None,
            events=events,
            hidden=hidden,
        )

    def article(self, member: Member, article_id: int) -> ArticleProgress | None:
        def work(session: Session) -> ArticleProgress | None:
            article = queries.get_article(session=session, article_id=article_id)
            if article is None or article.id is None:
                return None
            claims = record_queries.claims_of_article(session=session, article_id=article.id)
            statuses = Counter(ClaimStatus(c.status) for c in claims)
            ratings = (
                Counter(
                    Rating(r)
                    for r in queries.ratings_for_article(session=session, article_id=article.id)
                )
                if member.is_admin or self._required == 1
                else Counter()
            )
            names = queries.reviewer_names(session=session, ids=[article.submitted_by_id])
            return ArticleProgress(
                article_id=article.id,
                title=article.title,
                submitted_by=names.get(article.submitted_by_id, "?"),
                submitted_at=article.submitted_at,
                total=len(claims),
                by_status=dict(statuses),
                by_rating=dict(ratings),
                claims=[(c.id or 0, c.position + 1, ClaimStatus(c.status)) for c in claims],
            )

        return transaction(self._engine, work)


def _name(names: dict[int, str], reviewer_id: int | None) -> str:
    return names.get(reviewer_id, "?") if reviewer_id is not None else "?"
