"""Streaming the verdicts an export selects, oldest first, in flat memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, exists, false, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from db.models import Article, Claim, Reviewer, Verdict
from domain.reports.records import ExportRecord, VerdictFilter, row_kind
from domain.verdicts import ClaimStatus, Rating, VerdictKind


class ExportRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def records(self, filters: VerdictFilter, *, batch_size: int = 5000) -> Iterator[ExportRecord]:
        statement = _statement(filters).execution_options(stream_results=True, yield_per=batch_size)
        row: Any
        for row in self._session.connection().execute(statement):
            *values, kind, standing, retracted = row
            (vid, cid, claim, rating, source, reviewer, created, aid, title, url, note) = values
            yield ExportRecord(
                vid,
                cid,
                claim,
                Rating(rating),
                source,
                reviewer,
                row_kind(VerdictKind(kind), standing=standing, retracted=retracted),
                created,
                aid,
                title,
                url,
                note,
            )


def _statement(filters: VerdictFilter) -> Select[*tuple[Any, ...]]:
    reviewer_name = func.coalesce(col(Reviewer.name), col(Verdict.external_reviewer), "")
    retraction = aliased(Verdict)
    retracted = exists().where(col(retraction.retracts_id) == col(Verdict.id))
    statement = (
        sa_select(
            col(Verdict.id),
            col(Verdict.claim_id),
            col(Claim.text),
            col(Verdict.rating),
            col(Verdict.source_url),
            reviewer_name,
            col(Verdict.created_at),
            col(Claim.article_id),
            col(Article.title),
            func.coalesce(col(Article.url), col(Claim.appearance_url)),
            col(Verdict.note),
            col(Verdict.kind),
            col(Verdict.standing),
            retracted if filters.include_history else false(),
        )
        .join(Claim, col(Claim.id) == Verdict.claim_id)
        .outerjoin(Article, col(Article.id) == Claim.article_id)
        .outerjoin(Reviewer, col(Reviewer.id) == Verdict.reviewer_id)
    )
    if not filters.include_history:
        statement = statement.where(col(Verdict.standing))
    if filters.final_only:
        newest = (
            sa_select(func.max(col(Verdict.id)))
            .where(col(Verdict.standing))
            .group_by(col(Verdict.claim_id))
            .scalar_subquery()
        )
        statement = statement.where(col(Verdict.id).in_(newest)).where(
            col(Claim.status).in_([ClaimStatus.CHECKED, ClaimStatus.NOT_A_CLAIM])
        )
    if filters.since is not None:
        statement = statement.where(col(Verdict.created_at) >= filters.since)
    if filters.until is not None:
        statement = statement.where(col(Verdict.created_at) < filters.until)
    if filters.article_id is not None:
        statement = statement.where(col(Claim.article_id) == filters.article_id)
    if filters.ratings is not None:
        statement = statement.where(col(Verdict.rating).in_(sorted(filters.ratings)))
    if filters.reviewer is not None:
        wanted = filters.reviewer.lstrip("@").casefold()
        conditions = [
            func.lower(col(Reviewer.name)) == wanted,
            func.lower(col(Reviewer.username)) == wanted,
            func.lower(col(Verdict.external_reviewer)) == wanted,
        ]
        if wanted.isdigit():
            conditions.append(col(Reviewer.telegram_id) == int(wanted))
        statement = statement.where(or_(*conditions))
    return statement.order_by(col(Verdict.id))
