"""Property: whatever a team does, every view of the record tells the same numbers.

Hypothesis plays random sequences of team actions (submit, verdict with its source, skip, undo,
cancel, a second review, settle, /next) through the services, on SQLite and PostgreSQL, with one
and two reviews required. After each step `/stats`, `/article`, `/team`, `/mine`, the summary and
every export must agree with each other and with the domain's rules recomputed from the raw
verdict rows; no retracted or superseded verdict may be counted or exported as a verdict.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from db.migrate import upgrade
from db.repositories.verdicts import as_act
from db.uow import UnitOfWork
from domain.access import Member, Person
from domain.queue import Assigned
from domain.reports import build_request
from domain.verdicts import ClaimStatus, Rating, VerdictKind, decide_status, standing
from domain.walk import ArticleInput, ArticleSummary, AwaitingSource
from factdesk.config import Settings
from services.registry import Services
from services.verdicts import article_summary

ARTICLE = (
    "The U.S. economy added 175,000 jobs in April, the Labor Department said on Friday. "
    "The unemployment rate rose to 3.9% from 3.8% in March, the highest level since 2022. "
    "Average hourly earnings increased 0.2% last month after rising 0.3% in March. "
    "Jerome Powell said the central bank had raised interest rates 11 times since March 2022."
)
PEOPLE = [Person(1001, "Alma Admin"), Person(2001, "Bo Reviewer"), Person(2002, "Cy Reviewer")]
RATINGS = [Rating.TRUE, Rating.FALSE, Rating.MISLEADING, Rating.UNVERIFIABLE, Rating.NOT_A_CLAIM]
ACTIONS = ["submit", "rate", "rate", "rate", "skip", "undo", "cancel", "next", "next", "settle"]
TABLES = ["assignment", "invite", "review_session", "verdict", "claim", "article", "reviewer"]

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(0, len(PEOPLE) - 1),
        st.sampled_from(RATINGS),
    ),
    min_size=4,
    max_size=14,
)


@pytest.fixture(params=[1, 2], ids=["one-review", "two-reviews"])
def desk(request: pytest.FixtureRequest, database_url: str) -> Iterator[dict[str, Any]]:
    upgrade(database_url)
    yield {"url": database_url, "required": request.param}


def _fresh(desk: dict[str, Any]) -> tuple[Services, list[Member]]:
    """Empty tables and new services (no cached membership, an empty match index)."""
    services = Services.build(
        Settings(
            _env_file=None,
            database_url=desk["url"],
            factdesk_admins="1001",
            factdesk_reviews_required=desk["required"],
            factdesk_index_dir=tempfile.mkdtemp(prefix="factdesk-index-"),  # the tables restart
        )
    )
    with services.db.unit() as tx:
        for table in TABLES:
            tx.session.execute(text(f"DELETE FROM {table}"))
    admin = services.access.member(PEOPLE[0])
    assert admin is not None
    members = [admin]
    for person in PEOPLE[1:]:
        services.team.add_reviewer(admin, person.telegram_id)
        member = services.access.member(person)
        assert member is not None
        members.append(member)
    services.archive.load(services.db)
    return services, members


@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],  # a failure prints as is
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_every_view_tells_the_same_numbers(desk: dict[str, Any], plan: list[Any]) -> None:
    services, members = _fresh(desk)
    try:
        for action, who, rating in plan:
            _act(services, members, action, members[who], rating)
            _check(services, members, desk["required"])
    finally:
        services.close()


def _act(
    services: Services, members: list[Member], action: str, member: Member, rating: Rating
) -> None:
    chat = member.telegram_id
    review = services.review
    if action == "submit":
        review.submit_article(member, chat, ArticleInput(ARTICLE, "text"))
    elif action in ("rate", "skip"):
        current = review.current(member, chat)
        if isinstance(current, AwaitingSource):
            if current.optional:
                review.no_source(member, chat)
            else:
                review.give_source(member, chat, "https://www.bls.gov/source")
        elif current is not None:
            choice = rating if action == "rate" else "skip"
            outcome = review.choose(member, chat, current.claim_id, choice, 7)
            if isinstance(outcome, AwaitingSource):
                review.give_source(member, chat, "https://www.bls.gov/source")
    elif action == "undo":
        services.disputes.undo(member)
    elif action == "cancel":
        review.cancel(member, chat)
    elif action == "next":
        assigned = services.queue.next_claim(member, chat)
        if isinstance(assigned, Assigned):
            outcome = review.choose(member, chat, assigned.card.claim_id, rating, 8)
            if isinstance(outcome, AwaitingSource):
                review.give_source(member, chat, "https://www.bls.gov/queue")
    elif action == "settle":
        found = services.disputes.disputed(members[0])
        if isinstance(found, list) and found:
            services.disputes.settle(members[0], found[0].claim_id, rating)


def _check(services: Services, members: list[Member], required: int) -> None:
    truth = services.db.run(lambda tx: _truth(tx, required))
    standing_ids, statuses, by_reviewer, articles = truth

    # Exports: exactly the standing verdicts, by default; history only when asked, marked.
    csv_rows = list(csv.DictReader(io.StringIO(_export(services, "csv"))))
    assert {int(r["verdict_id"]) for r in csv_rows} == standing_ids
    assert {r["kind"] for r in csv_rows} <= {"review", "settlement"}
    json_rows = json.loads(_export(services, "json"))
    assert {r["verdict_id"] for r in json_rows} == standing_ids
    html = _export(services, "html")
    assert f"{len(standing_ids)} verdicts" in re.sub(r"<[^>]+>", " ", html) or not standing_ids
    reviews = json.loads(_export(services, "claimreview"))
    final_claims = sum(1 for s in statuses.values() if s.is_final)
    checked = sum(1 for s in statuses.values() if s is ClaimStatus.CHECKED)
    assert len(reviews) == checked  # one review per checked claim; "not a claim" is not published
    history = list(csv.DictReader(io.StringIO(_export(services, "csv", include_history=True))))
    kinds = Counter(r["kind"] for r in history)
    assert sum(kinds[k] for k in ("review", "settlement")) == len(standing_ids)

    # /stats all, /article, the summary: one tally.
    stats = services.stats.stats("all")
    assert stats.decided.final == final_claims
    assert stats.queue == sum(1 for s in statuses.values() if s is ClaimStatus.PENDING)
    assert stats.disputed == sum(1 for s in statuses.values() if s is ClaimStatus.DISPUTED)
    admin = members[0]
    total_final = total_open = 0
    for article_id in articles:
        progress = services.records.article(admin, article_id)
        assert progress is not None
        summary = services.db.run(partial(_summary, article_id=article_id))
        assert summary.tally == progress.tally
        total_final += progress.tally.final
        total_open += progress.tally.open
    assert total_final == final_claims
    assert total_open == stats.queue + stats.disputed
    assert sum(stats.by_reviewer.values()) == len(standing_ids)

    # /team and /mine: standing verdicts only.
    roster = {row.telegram_id: row.verdicts for row in services.team.roster(admin)}
    for member in members:
        assert roster[member.telegram_id] == by_reviewer.get(member.reviewer_id, 0)
        mine = services.queue.mine(member)
        assert len(mine.recent) == min(10, by_reviewer.get(member.reviewer_id, 0))


def _truth(
    tx: UnitOfWork, required: int
) -> tuple[set[int], dict[int, ClaimStatus], dict[int, int], list[int]]:
    """The rules recomputed from the raw rows, independently of every view."""
    standing_ids: set[int] = set()
    statuses: dict[int, ClaimStatus] = {}
    by_reviewer: Counter[int] = Counter()
    articles: set[int] = set()
    for claim_id, article_id, stored in tx.session.execute(
        text("SELECT id, article_id, status FROM claim")
    ):
        acts = tx.verdicts.acts(claim_id)
        assert ClaimStatus(stored) is decide_status(acts, required)
        statuses[claim_id] = ClaimStatus(stored)
        articles.add(article_id)
        for act in standing(acts, required):
            standing_ids.add(act.id)
            if act.reviewer_id is not None:
                by_reviewer[act.reviewer_id] += 1
        flagged = {v.id for v in tx.verdicts.of_claim(claim_id) if v.standing}
        assert flagged == {a.id for a in standing(acts, required)}
        assert all(a.kind is not VerdictKind.RETRACTION for a in standing(acts, required))
        assert [as_act(v) for v in tx.verdicts.of_claim(claim_id)] == acts
    return standing_ids, statuses, dict(by_reviewer), sorted(articles)


def _summary(tx: UnitOfWork, *, article_id: int) -> ArticleSummary:
    return article_summary(tx, article_id)


def _export(services: Services, fmt: str, **options: Any) -> str:
    stream = io.StringIO()
    services.reports.export(build_request(fmt=fmt, **options), stream)
    return stream.getvalue()
