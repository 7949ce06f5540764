"""One press, one unit of work: what SQL a verdict costs, and that its checks cannot be raced."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from domain.queue import Assigned
from domain.verdicts import Rating
from domain.walk import ArticleInput, Stale, Step
from tests.services.conftest import MakeServices, admin_of, join

T = TypeVar("T")

ARTICLE = (
    "The U.S. economy added 175,000 jobs in April, the Labor Department said on Friday. "
    "The unemployment rate rose to 3.9% from 3.8% in March, the highest level since 2022. "
    "Average hourly earnings increased 0.2% last month after rising 0.3% in March. "
    "Jerome Powell said the central bank had raised interest rates 11 times since March 2022."
)


def at_once(*calls: Callable[[], T]) -> list[T]:
    """Run the calls in threads released at the same instant; their results in call order."""
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], T]) -> None:
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


@dataclass
class SqlCount:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0


@contextmanager
def counting(engine: Engine) -> Iterator[SqlCount]:
    """Every statement the engine runs and every transaction it begins, while the block runs."""
    seen = SqlCount()

    def statement(*args: Any) -> None:
        seen.statements.append(str(args[2]).split()[0].upper())
        if os.environ.get("SQL_SHOW"):
            print("   ", " ".join(str(args[2]).split())[:230])

    def begin(*args: Any) -> None:
        seen.transactions += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)


def test_one_verdict_press_is_one_transaction(make_services: MakeServices) -> None:
    services = make_services()
    admin = admin_of(services)
    chat = admin.telegram_id
    submitted = services.review.submit_article(admin, chat, ArticleInput(ARTICLE, "text"))
    assert submitted.first is not None and submitted.total >= 3
    first = submitted.first.claim_id
    with counting(services.db.engine) as sql:
        step = services.review.choose(admin, chat, first, Rating.NOT_A_CLAIM, 10)
    assert isinstance(step, Step) and step.next_card is not None
    assert sql.transactions == 1
    print(f"verdict press: {len(sql.statements)} statements: {sql.statements}")
    assert len(sql.statements) <= 19  # was 19 in 6 transactions before the unit of work

    # A rating that asks for a source, then the source: one transaction each.
    second = step.next_card.claim_id
    with counting(services.db.engine) as sql:
        services.review.choose(admin, chat, second, Rating.FALSE, 11)
    assert sql.transactions == 1
    with counting(services.db.engine) as sql:
        sourced = services.review.give_source(admin, chat, "https://www.bls.gov/cps")
    assert isinstance(sourced, Step) and sql.transactions == 1
    print(f"source link: {len(sql.statements)} statements: {sql.statements}")


@pytest.mark.postgres
def test_a_double_press_on_two_replicas_records_once(pg_services: MakeServices) -> None:
    """The walk check and the write are one unit of work: two replicas pressing the same button
    at the same instant write one verdict and move the walk once, round after round."""
    one, two = pg_services(), pg_services()
    admin = admin_of(one)
    admin_of(two)
    chat = admin.telegram_id
    for round_ in range(5):
        # Another figure each round: a sentence marked "Not a claim" is not offered again.
        article = ARTICLE.replace("175,000", f"{175 + round_},000")
        submitted = one.review.submit_article(admin, chat, ArticleInput(article, "text"))
        assert submitted.first is not None
        claim_id = submitted.first.claim_id
        outcomes = at_once(
            *(
                partial(r.review.choose, admin, chat, claim_id, Rating.NOT_A_CLAIM, 1)
                for r in (one, two)
            )
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["Stale", "Step"]
        with one.db.unit() as tx:
            assert len(tx.verdicts.of_claim(claim_id)) == 1


@pytest.mark.postgres
def test_next_on_two_replicas_hands_one_reviewer_one_claim(pg_services: MakeServices) -> None:
    one, two = pg_services(), pg_services()
    admin = admin_of(one)
    reviewer = join(one, admin, 2001, "Bo")
    one.review.submit_article(admin, admin.telegram_id, ArticleInput(ARTICLE, "text"))
    one.review.cancel(admin, admin.telegram_id)
    for _ in range(3):
        taken = at_once(
            *(partial(r.queue.next_claim, reviewer, reviewer.telegram_id) for r in (one, two))
        )
        held = [result.card.claim_id for result in taken if isinstance(result, Assigned)]
        assert len(held) == 2 and len(set(held)) == 1, (
            "both replicas handed the reviewer the same claim"
        )
        step = one.review.choose(reviewer, reviewer.telegram_id, held[0], Rating.NOT_A_CLAIM, 1)
        assert not isinstance(step, Stale)


def test_the_same_article_pasted_twice_at_once_on_two_replicas(pg_services: MakeServices) -> None:
    """Two submissions race for the reviewer's one walk: both are stored, neither fails."""
    one, two = pg_services(), pg_services()
    admin = admin_of(one)
    admin_of(two)
    chat = admin.telegram_id
    for _ in range(3):
        submitted = at_once(
            *(
                partial(r.review.submit_article, admin, chat, ArticleInput(ARTICLE, "text"))
                for r in (one, two)
            )
        )
        assert all(s.first is not None for s in submitted)
        with one.db.unit() as tx:
            walk = tx.walks.state(admin.reviewer_id, chat)
        assert walk is not None and walk.article_id in {s.article_id for s in submitted}
