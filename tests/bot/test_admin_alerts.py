"""End to end: admins hear of a new dispute and of a new member by invite; a stranger is told
their Telegram id, which the admin needs for /addreviewer."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest

from tests.bot.test_review_flow import JOBS_REPORT
from tests.bot.test_rich_verdicts import _dispute
from tests.conftest import ADMIN_ID, BotHarness, shown

Start = Callable[..., Awaitable[BotHarness]]
OTHER_ADMIN = 1002


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_the_admins_are_told_of_a_new_dispute(bot_with: Start) -> None:
    bot = await bot_with(factdesk_reviews_required=2, factdesk_admins=f"{ADMIN_ID},{OTHER_ADMIN}")
    await bot.reply_to(ADMIN_ID, "/addreviewer 2001", "is a reviewer now")
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    await _dispute(bot, ADMIN_ID, 2001)
    for admin in (ADMIN_ID, OTHER_ADMIN):
        told = await bot.server.wait_for_message(admin, lambda m: "is disputed" in shown(m))
        assert "Claim #1" in shown(told) and "/disputed" in shown(told)
    alerts = [m for m in bot.server.bot_messages(OTHER_ADMIN) if "is disputed" in shown(m)]
    assert len(alerts) == 1


async def test_the_admins_are_told_of_a_new_member_and_a_stranger_of_their_id(
    bot_with: Start,
) -> None:
    bot = await bot_with(factdesk_admins=f"{ADMIN_ID},{OTHER_ADMIN}")
    refusal = await bot.reply_to(3001, "hello", "reviewers only")
    assert "your Telegram id is 3001" in shown(refusal)
    message = await bot.reply_to(ADMIN_ID, "/invite", "One-time invite")
    found = re.search(r"\?start=(\S+)", shown(message))
    assert found is not None
    bot.server.send_text(3001, f"/start {found.group(1)}", first_name="Nina", username="nina_f")
    for admin in (ADMIN_ID, OTHER_ADMIN):
        told = await bot.server.wait_for_message(admin, lambda m: "joined the desk" in shown(m))
        assert "Nina @nina_f (id 3001)" in shown(told)
