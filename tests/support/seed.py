"""Verdicts put straight into the database through the repositories, for report tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from db.uow import Database
from domain.access import Person
from domain.normalize import normalize_claim
from domain.verdicts import Rating, Role, VerdictKind
from domain.walk import ArticleInput
from services.verdicts import record_act


@dataclass(frozen=True)
class Seeded:
    claim: str
    rating: str
    source: str | None
    reviewer: str
    when: datetime


def seed_verdicts(engine: Engine, items: list[Seeded], *, url: str | None = None) -> int:
    """One article holding every claim; returns its id. Reviewers are created by name."""
    with Database(engine).unit() as tx:
        reviewers: dict[str, int] = {}
        for i, name in enumerate(dict.fromkeys(item.reviewer for item in items)):
            person = Person(5000 + i, name, name.lower().replace(" ", "_"))
            row = tx.reviewers.ensure(person, Role.REVIEWER)
            assert row.id is not None
            reviewers[name] = row.id
        text = "\n".join(item.claim for item in items)
        article = tx.articles.add(
            ArticleInput(text, "text", url=url, title="Seeded article"),
            submitted_by_id=next(iter(reviewers.values())),
            chat_id=1,
        )
        assert article.id is not None
        claims = tx.claims.add_many(
            article.id, [(item.claim, normalize_claim(item.claim), 1.0) for item in items]
        )
        for claim, item in zip(claims, items, strict=True):
            change = record_act(
                tx,
                claim,
                reviewer_id=reviewers[item.reviewer],
                rating=Rating(item.rating),
                kind=VerdictKind.REVIEW,
                required=1,
                source_url=item.source,
            )
            verdict = tx.verdicts.get(change.verdict_id)
            assert verdict is not None
            verdict.created_at = item.when
            tx.session.add(verdict)
        return article.id
