"""The audit trail: /claim and /history for a claim, /article for an article's progress."""

from __future__ import annotations

from db.repositories.verdicts import as_act
from db.uow import Database, UnitOfWork
from domain.access import Member
from domain.records import (
    ArticleProgress,
    ClaimRecord,
    Event,
    hides_ratings,
    verdict_event,
)
from domain.tally import tally
from domain.verdicts import final_verdict
from services.verdicts import claim_states


class RecordService:
    def __init__(self, db: Database, *, reviews_required: int) -> None:
        self._db = db
        self._required = reviews_required

    def claim(self, member: Member, claim_id: int) -> ClaimRecord | None:
        return self._db.run(lambda tx: self._claim(tx, member, claim_id))

    def _claim(self, tx: UnitOfWork, member: Member, claim_id: int) -> ClaimRecord | None:
        claim = tx.claims.get(claim_id)
        if claim is None:
            return None
        rows = tx.verdicts.of_claim(claim_id)
        hidden = hides_ratings(
            required=self._required,
            status=claim.status,
            is_admin=member.is_admin,
            rated=any(v.reviewer_id == member.reviewer_id for v in rows),
        )
        assignments = tx.assignments.of_claim(claim_id)
        article = tx.articles.get(claim.article_id) if claim.article_id is not None else None
        names = tx.reviewers.names(
            [v.reviewer_id for v in rows]
            + [a.reviewer_id for a in assignments]
            + [article.submitted_by_id if article else None]
        )
        submitter = names.get(article.submitted_by_id, "?") if article else "?"
        events = [
            Event(
                claim.created_at, submitter, "submitted with its article" if article else "imported"
            )
        ]
        for a in assignments:
            who = names.get(a.reviewer_id, "?")
            events.append(Event(a.assigned_at, who, "assigned by /next"))
            if a.ended_at is not None:
                events.append(Event(a.ended_at, who, f"assignment ended: {a.outcome or 'ended'}"))
        retracted = {v.retracts_id for v in rows if v.retracts_id is not None}
        for v in rows:
            who = (
                names.get(v.reviewer_id, "?")
                if v.reviewer_id
                else (v.external_reviewer or "import")
            )
            what = verdict_event(
                kind=v.kind,
                rating=v.rating,
                source_url=v.source_url,
                standing=v.standing,
                retracts_id=v.retracts_id,
                retracted=v.id in retracted,
                hidden=hidden,
            )
            events.append(Event(v.created_at, who, what))
        events.sort(key=lambda e: e.at)
        final = final_verdict([as_act(v) for v in rows], self._required)
        final_row = next((v for v in rows if final and v.id == final.id), None)
        return ClaimRecord(
            claim_id=claim_id,
            text=claim.text,
            status=claim.status,
            article_id=claim.article_id,
            article_title=article.title if article else None,
            number=claim.position + 1,
            final=final_row.rating if final_row else None,
            final_source=final_row.source_url if final_row else None,
            events=events,
            hidden=hidden,
        )

    def article(self, member: Member, article_id: int) -> ArticleProgress | None:
        def work(tx: UnitOfWork) -> ArticleProgress | None:
            article = tx.articles.get(article_id)
            if article is None or article.id is None:
                return None
            claims = tx.claims.of_article(article.id)
            counted = tally(
                claim_states(claims, tx.verdicts.standing_of_desk(article_id=article.id))
            )
            names = tx.reviewers.names([article.submitted_by_id])
            return ArticleProgress(
                article_id=article.id,
                title=article.title,
                submitted_by=names.get(article.submitted_by_id, "?"),
                submitted_at=article.submitted_at,
                tally=counted,
                show_ratings=member.is_admin or self._required == 1,
                claims=[(c.id or 0, c.position + 1, c.status) for c in claims],
            )

        return self._db.run(work)
