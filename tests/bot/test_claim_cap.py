"""End to end: the cap is told and /more offers the rest; a pasted headline is the title."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.bot.test_review_flow import JOBS_REPORT
from tests.conftest import ADMIN_ID, BotHarness, shown

Start = Callable[..., Awaitable[BotHarness]]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_the_cap_is_told_and_more_adds_the_rest_during_the_walk(bot_with: Start) -> None:
    bot = await bot_with(factdesk_max_claims=3)
    found = await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    assert "showing the 3 most check-worthy" in shown(found) and "/more" in shown(found)
    card = await bot.card(ADMIN_ID, 1)
    assert shown(card).startswith("Claim 1 of 3")
    added = await bot.reply_to(ADMIN_ID, "/more", "Added 1 claim(s)")
    assert "after the current claim" in shown(added)
    for number in (1, 2, 3):
        bot.press(ADMIN_ID, await bot.card(ADMIN_ID, number), "Not a claim")
    last = await bot.card(ADMIN_ID, 4)
    assert shown(last).startswith("Claim 4 of 4")
    bot.press(ADMIN_ID, last, "Not a claim")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "is done" in shown(m))
    await bot.reply_to(ADMIN_ID, "/more", "No claims were held back")


async def test_more_after_the_end_starts_on_the_rest(bot_with: Start) -> None:
    bot = await bot_with(factdesk_max_claims=2)
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "showing the 2 most check-worthy")
    for number in (1, 2):
        bot.press(ADMIN_ID, await bot.card(ADMIN_ID, number), "Skip")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "you reached its end" in shown(m))
    added = await bot.reply_to(ADMIN_ID, "/more", "Added 2 claim(s)")
    assert "/more" not in shown(added)
    card = await bot.card(ADMIN_ID, 3)
    assert shown(card).startswith("Claim 3 of 4")


async def test_a_pasted_headline_becomes_the_title(bot: BotHarness) -> None:
    pasted = "US economy adds 175,000 jobs in April\n\n" + JOBS_REPORT
    found = await bot.reply_to(ADMIN_ID, pasted, "found 4 claims")
    assert "(article #1 “US economy adds 175,000 jobs in April”)" in shown(found)
    progress = await bot.reply_to(ADMIN_ID, "/article 1", "Article #1")
    assert "US economy adds 175,000 jobs in April" in shown(progress)
