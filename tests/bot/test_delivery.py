"""End to end: Telegram's bad moments (a 502, a timeout) do not strand the reviewer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select
from telegram.ext import AIORateLimiter

from bot.delivery import RetryingRateLimiter
from db.models import ReviewSession, Verdict
from tests.bot.test_review_flow import JOBS_REPORT, SOURCE
from tests.conftest import ADMIN_ID, BotHarness, shown

Start = Callable[..., Awaitable[BotHarness]]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def _verdict_count(bot: BotHarness) -> int:
    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Verdict)).one())


async def _card_lost(bot: BotHarness, seconds: float = 15.0) -> None:
    """Wait until the walk has noted that its claim's message never went out."""
    engine = bot.application.bot_data["services"].db.engine
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        with Session(engine) as session:
            if session.exec(select(ReviewSession).where(col(ReviewSession.card_lost))).first():
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the lost card was not noted; calls:\n{bot.server.summary()}")


def _cards(bot: BotHarness, number: int) -> int:
    return sum(
        1
        for m in bot.server.bot_messages(ADMIN_ID)
        if shown(m).startswith(f"Claim {number} of ") and "What is your verdict?" in shown(m)
    )


async def _rate_first_then_source(bot: BotHarness, fault: Callable[[], None]) -> None:
    """Claim 1 gets False; the fault is armed just before the link whose reply is claim 2."""
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    bot.press(ADMIN_ID, card, "False")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "Now send" in shown(m)
    )
    fault()
    bot.say(ADMIN_ID, SOURCE)


@pytest.mark.parametrize("hang", [None, 1.5], ids=["502", "timeout"])
async def test_the_next_claim_arrives_once(bot_with: Start, hang: float | None) -> None:
    bot = await bot_with(factdesk_telegram_timeout=1.0)
    await _rate_first_then_source(bot, lambda: bot.server.fail_next("sendMessage", hang=hang))
    await bot.card(ADMIN_ID, 2)
    await bot.server.wait_for("sendMessage", lambda c: c.status != 200)  # a hang is logged late
    failed = [c for c in bot.server.calls if c.method == "sendMessage" and c.status != 200]
    assert [c.status for c in failed] == [502 if hang is None else 504]
    assert _cards(bot, 2) == 1
    assert _verdict_count(bot) == 1


async def test_a_card_that_never_went_out_comes_with_the_next_message(bot_with: Start) -> None:
    bot = await bot_with(factdesk_telegram_timeout=1.0)
    await _rate_first_then_source(bot, lambda: bot.server.fail_next("sendMessage", times=4))
    await _card_lost(bot)
    tries = [
        c for c in bot.server.calls if c.method == "sendMessage" and "Claim 2" in str(c.params)
    ]
    assert [c.status for c in tries] == [502] * 4
    assert _cards(bot, 2) == 0
    bot.say(ADMIN_ID, "hello?")
    card = await bot.card(ADMIN_ID, 2)
    assert "unemployment rate" in shown(card)
    assert _cards(bot, 2) == 1 and _verdict_count(bot) == 1
    # The claim goes on as usual from the card sent again.
    bot.press(ADMIN_ID, card, "Not a claim")
    await bot.card(ADMIN_ID, 3)


async def test_only_new_messages_count_against_telegrams_message_rate() -> None:
    """Edits and chat actions are not messages: they pass at once, while new messages keep to
    the overall rate (here 5 a second instead of Telegram's 30, to keep the test short)."""
    limiter = RetryingRateLimiter(
        AIORateLimiter(overall_max_rate=5, overall_time_period=1, group_max_rate=0),
        others=AIORateLimiter(overall_max_rate=0, group_max_rate=0),
    )
    await limiter.initialize()

    async def answer() -> bool:
        return True

    async def burst(endpoint: str, count: int) -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(
            *(
                limiter.process_request(answer, (), {}, endpoint, {"chat_id": 7}, None)
                for _ in range(count)
            )
        )
        return loop.time() - started

    try:
        assert await burst("editMessageText", 20) < 0.5
        assert await burst("sendChatAction", 20) < 0.5
        assert await burst("sendMessage", 15) > 1.5  # 15 messages at 5 a second
    finally:
        await limiter.shutdown()
