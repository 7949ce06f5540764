"""Verdicts put straight into the database, for report and import tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from db import queries, verdict_queries
from db.engine import unit_of_work
from domain.normalize import normalize_claim


@dataclass(frozen=True)
class Seeded:
    claim: str
    rating: str
    source: str | None
    reviewer: str
    when: datetime


def seed_verdicts(engine: Engine, items: list[Seeded], *, url: str | None = None) -> int:
    """One article holding every claim; returns its id. Reviewers are created by name."""
    with unit_of_work(engine) as session:
        reviewers: dict[str, int] = {}
        for i, name in enumerate(dict.fromkeys(item.reviewer for item in items)):
            row = queries.add_reviewer(
                session=session,
                telegram_id=5000 + i,
                name=name,
                username=name.lower().replace(" ", "_"),
                role="reviewer",
            )
            assert row.id is not None
            reviewers[name] = row.id
        article = queries.add_article(
            session=session,
            text="\n".join(item.claim for item in items),
            url=url,
            title="Seeded article",
            source_kind="text",
            submitted_by_id=next(iter(reviewers.values())),
            chat_id=1,
        )
        assert article.id is not None
        claims = queries.add_claims(
            session=session,
            article_id=article.id,
            claims=[(item.claim, normalize_claim(item.claim), 1.0) for item in items],
        )
        for claim, item in zip(claims, items, strict=True):
            assert claim.id is not None
            verdict = verdict_queries.add_act(
                session=session,
                kind="review",
                claim_id=claim.id,
                reviewer_id=reviewers[item.reviewer],
                rating=item.rating,
                source_url=item.source,
            )
            verdict.created_at = item.when
            session.add(verdict)
        return article.id
