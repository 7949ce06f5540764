"""Property: whatever text a reviewer sends, the bot answers in words, never with the generic
"something went wrong", and what it stores is whole: an article with its claims, or nothing.

Hypothesis drives the real bot over the fake Bot API, on SQLite and PostgreSQL. The examples
run in a worker thread (Hypothesis is synchronous) and each is handed to the bot's event loop;
an example is over when the bot has confirmed its update, i.e. finished handling it.
"""

from __future__ import annotations

import asyncio
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from bot import texts
from db.models import Article, Claim, ReviewSession
from tests.conftest import ADMIN_ID, BotHarness

_WORDS = (
    "The unemployment rate rose to 4.1% in Ohio, the Labor Department said on Friday.",
    "Crime fell 13 percent in Texas last year, according to the governor.",
    "Obama deported more immigrants than any other president.",
    "I think it will rain tomorrow.",
    "Why?",
    "<b>bold</b> & <i>italic</i> <script>x</script>",
    "http://127.0.0.1:9/private",
    "ftp://example.com/file",
    "/nosuchcommand",
    "\u202eevil\u202c",
    "\x00\x01\x1b[31m",
    "8,000 ISIS fighters are imprisoned in Syria.",
)

# Telegram delivers no empty or blank message (its clients refuse to send one).
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12).map(" ".join),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map("\n".join),
    st.sampled_from(["x" * 5000, "1 " * 30_000, "🙂" * 3000, "\u200b"]),
).filter(lambda text: text.strip())

_REPLIES = {"sendMessage", "editMessageText", "sendDocument"}


async def _send(bot: BotHarness, text: str) -> list[str]:
    """Send one text; once the bot has confirmed it, the texts of everything it said."""
    mark = bot.server.mark()
    bot.say(ADMIN_ID, text)
    update_id = bot.server.last_update_id()
    await bot.server.wait_confirmed(update_id, timeout=30)
    return [
        str(call.params.get("text", ""))
        for call in bot.server.calls[mark:]
        if call.method in _REPLIES and int(call.params.get("chat_id", 0)) == ADMIN_ID
    ]


async def test_any_text_gets_a_clear_answer_and_nothing_half_written(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    loop = asyncio.get_running_loop()
    answered: list[str] = []

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(TEXTS, st.booleans())
    def property_(text: str, fresh: bool) -> None:
        if fresh:  # read as an article; else, in a walk, the text is a stray message
            asyncio.run_coroutine_threadsafe(_send(bot, "/cancel"), loop).result(timeout=60)
        said = asyncio.run_coroutine_threadsafe(_send(bot, text), loop).result(timeout=60)
        assert said, f"no answer to {text[:80]!r}"
        assert not any(texts.FAILED in s for s in said), f"generic error for {text[:80]!r}"
        assert all(0 < len(s) <= 4096 for s in said)
        answered.append(text)

    with caplog.at_level(logging.ERROR):
        await asyncio.to_thread(property_)
    assert len(answered) >= 40
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    engine = bot.application.bot_data["services"].db.engine
    with Session(engine) as session:
        for article in session.exec(select(Article)).all():
            stored = session.exec(
                select(func.count()).select_from(Claim).where(Claim.article_id == article.id)
            ).one()
            assert stored <= (article.claims_found or 0), f"article {article.id} half-written"
            assert "\x00" not in article.text
        for walk in session.exec(select(ReviewSession)).all():
            if walk.claim_id is not None:
                claim = session.get(Claim, walk.claim_id)
                assert claim is not None and claim.article_id == walk.article_id
