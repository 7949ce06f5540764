"""End to end: a verdict with a note and several sources, everywhere it is shown; a dispute
settled with a reason, never by an admin who cast one of its verdicts (unless the only admin)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable

import pytest

from tests.bot.test_export import _document
from tests.bot.test_review_flow import JOBS_REPORT
from tests.conftest import ADMIN_ID, BotHarness, shown

Start = Callable[..., Awaitable[BotHarness]]
FIRST = "https://www.bls.gov/news.release/empsit.nr0.htm"
SECOND = "https://fred.stlouisfed.org/series/PAYEMS"
NOTE = "The BLS revised April down to 150,000 a month later"
REPLY = f"Source: {FIRST} and {SECOND} (table 1). {NOTE}."


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_a_note_and_two_sources_reach_every_export(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    bot.press(ADMIN_ID, card, "False")
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "Now send" in shown(m)
    )
    bot.say(ADMIN_ID, REPLY)
    logged = await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "✔️" in shown(m)
    )
    assert FIRST in shown(logged) and SECOND in shown(logged) and NOTE in shown(logged)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")

    history = await bot.reply_to(ADMIN_ID, "/history 1", "History")
    assert FIRST in shown(history) and SECOND in shown(history) and NOTE in shown(history)

    _, _, data = await _document(bot, "/export csv")
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert (row["source"], row["more_sources"], row["kind"]) == (FIRST, SECOND, "review")
    assert NOTE in row["note"]
    _, _, data = await _document(bot, "/export json")
    [item] = json.loads(data)
    assert item["sources"] == [FIRST, SECOND] and NOTE in item["note"]
    _, _, data = await _document(bot, "/export claimreview")
    [review] = json.loads(data)
    assert [c["url"] for c in review["citation"]] == [FIRST, SECOND]
    assert NOTE in review["reviewBody"]
    _, _, data = await _document(bot, "/export html")
    page = data.decode("utf-8")
    assert FIRST in page and SECOND in page and NOTE in page


async def _dispute(bot: BotHarness, first: int, second: int) -> None:
    """Claim 1 rated True by `first` and False by `second`: disputed."""
    for user_id, label in ((first, "✅ True"), (second, "❌ False")):
        await bot.reply_to(user_id, "/next", "Claim 1 of 4")
        card = await bot.server.wait_for_message(
            user_id, lambda m: "Claim 1 of 4" in shown(m) and "What is your verdict?" in shown(m)
        )
        bot.press(user_id, card, label)
        card_id = card.message_id
        await bot.server.wait_for_message(
            user_id,
            lambda m, card_id=card_id: m.message_id == card_id and "Now send" in shown(m),  # type: ignore[misc]
        )
        bot.say(user_id, FIRST)
        await bot.server.wait_for_message(user_id, lambda m: "/next gets you" in shown(m))


async def test_an_admin_does_not_settle_their_own_dispute(bot_with: Start) -> None:
    other_admin, reviewer = 1002, 2001
    bot = await bot_with(factdesk_reviews_required=2, factdesk_admins=f"{ADMIN_ID},{other_admin}")
    await bot.reply_to(ADMIN_ID, f"/addreviewer {reviewer}", "is a reviewer now")
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    await _dispute(bot, ADMIN_ID, reviewer)

    dispute = await bot.reply_to(ADMIN_ID, "/disputed", "Disputed claim #1")
    query = bot.press(ADMIN_ID, dispute, "Mostly true")
    refusal = await bot.server.wait_for(
        "answerCallbackQuery", lambda c: c.params.get("callback_query_id") == query
    )
    assert "another admin settles" in refusal.params["text"]

    dispute = await bot.reply_to(other_admin, "/disputed", "Disputed claim #1")
    bot.press(other_admin, dispute, "Mostly true")
    question = await bot.server.wait_for_message(
        other_admin, lambda m: "Why is claim #1" in shown(m)
    )
    bot.say(other_admin, "Right figure, wrong trend.", reply_to_message_id=question.message_id)
    settled = await bot.server.wait_for_message(
        other_admin, lambda m: m.message_id > question.message_id and "settled" in shown(m)
    )
    assert "Why: Right figure, wrong trend." in shown(settled)
    marked = bot.server.messages[(other_admin, dispute.message_id)]
    assert "settled: Mostly true" in shown(marked)
    history = await bot.reply_to(other_admin, "/history 1", "History")
    assert "settled the dispute: Mostly true · why: Right figure, wrong trend." in shown(history)


async def test_an_export_in_a_group_is_refused_with_a_button_to_the_private_chat(
    bot: BotHarness,
) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    bot.press(ADMIN_ID, card, "Not a claim")
    await bot.card(ADMIN_ID, 2)
    group = -100777
    bot.say(ADMIN_ID, "/export html since 2026-01-01", chat_id=group, chat_type="supergroup")
    refusal = await bot.server.wait_for_message(group, lambda m: "private chats only" in shown(m))
    [(label, url)] = bot.server.buttons(refusal)
    assert "private" in label
    assert url == "https://t.me/factdesk_test_bot?start=export_html_since_2026-01-01"
    assert not any(m.document for m in bot.server.bot_messages(group))
    name, caption, _ = await _document(bot, "/start " + url.split("start=")[1])
    assert name == "factdesk-verdicts.html" and "since 2026-01-01" in caption
