"""End to end: the audit trail, search, statistics, closing the loop and the daily digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from db.models import utcnow
from tests.bot.test_review_flow import JOBS_REPORT, SOURCE
from tests.bot.test_team_review import _add_reviewers, _next_card, _rate, _submit_and_stop
from tests.conftest import ADMIN_ID, BotHarness, shown
from tests.support.botapi import SentMessage

BotWith = Callable[..., Awaitable[BotHarness]]


async def test_history_claim_article_and_blind_hiding(bot_with: BotWith) -> None:
    bot = await bot_with(factdesk_reviews_required=2)
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await _rate(bot, ADMIN_ID, await bot.card(ADMIN_ID, 1), "False", SOURCE)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    await _add_reviewers(bot, 2001)

    # Before rating it, the second reviewer cannot peek at the first verdict.
    peek = await bot.reply_to(2001, "/history 1", "History")
    assert "False" not in shown(peek) and "hidden" in shown(peek)
    card = await _next_card(bot, 2001)
    await _rate(bot, 2001, card, "False", "https://example.org/second")

    history = await bot.reply_to(2001, "/history 1", "History")
    text = shown(history)
    assert "Ann: submitted" in text and "assigned by /next" in text
    assert text.count("rated False") == 2 and "assignment ended: reviewed" in text
    assert "Final verdict: False" in text
    await bot.reply_to(ADMIN_ID, "/claim 1", "Final verdict: False")
    await bot.reply_to(ADMIN_ID, "/claim 999", "no claim with that number")
    await bot.reply_to(ADMIN_ID, "/claim 99999999999999999999", "no claim with that number")
    await bot.reply_to(ADMIN_ID, "/article 99999999999999999999", "no article with that number")
    progress = await bot.reply_to(ADMIN_ID, "/article 1", "Article #1")
    assert "Checked: 1, not a claim: 0, open: 3" in shown(progress)
    assert "#2 claim 2: pending" in shown(progress)
    await bot.reply_to(4242, "/history 1", "reviewers only")


async def test_search_and_stats_with_a_chart(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    await _rate(bot, ADMIN_ID, await bot.card(ADMIN_ID, 1), "False", SOURCE)
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    found = await bot.reply_to(ADMIN_ID, "/search economy added jobs in April", "Checked claims")
    assert "False" in shown(found) and SOURCE in shown(found)
    await bot.reply_to(ADMIN_ID, "/search", "Usage: /search")

    mark = bot.server.mark()
    stats = await bot.reply_to(ADMIN_ID, "/stats all", "Desk statistics")
    text = shown(stats)
    assert "Claims decided: 1 (checked 1, not a claim 0)" in text
    assert "Queue: 3 pending" in text and "Ann: 1" in text
    assert "Median time from submission to verdict" in text
    photo = await bot.server.wait_for("sendPhoto", after=mark, timeout=30)
    assert photo.params["chat_id"] in (ADMIN_ID, str(ADMIN_ID))
    png = bot.server.bot_messages(ADMIN_ID)[-1].document or b""
    assert png.startswith(b"\x89PNG")
    await bot.reply_to(ADMIN_ID, "/stats year", "Usage: /stats")


def _logged(message_id: int) -> Callable[[SentMessage], bool]:
    return lambda m: m.message_id == message_id and "not a claim" in shown(m)


async def test_submitter_hears_when_the_team_finishes_the_article(bot: BotHarness) -> None:
    await _submit_and_stop(bot)
    await _add_reviewers(bot, 2001)
    for _ in range(4):
        card = await _next_card(bot, 2001)
        bot.press(2001, card, "Not a claim")
        await bot.server.wait_for_message(2001, _logged(card.message_id))
    done = await bot.server.wait_for_message(ADMIN_ID, lambda m: "is done" in shown(m))
    assert "Not a claim: 4" in shown(done)
    await bot.reply_to(2001, "/next", "queue is empty")


async def test_submitter_finishing_own_article_from_the_queue_gets_the_summary(
    bot: BotHarness,
) -> None:
    await _submit_and_stop(bot)
    for _ in range(4):
        card = await _next_card(bot, ADMIN_ID)
        bot.press(ADMIN_ID, card, "Not a claim")
        await bot.server.wait_for_message(ADMIN_ID, _logged(card.message_id))
    done = await bot.server.wait_for_message(ADMIN_ID, lambda m: "is done" in shown(m))
    assert "Not a claim: 4" in shown(done)


async def test_daily_digest_goes_to_the_team_group(bot_with: BotWith) -> None:
    group = -100555
    at = (utcnow() + timedelta(seconds=2)).time().replace(microsecond=0)
    bot = await bot_with(factdesk_digest_chat_id=group, factdesk_digest_time=at)
    await _submit_and_stop(bot)
    digest = await bot.server.wait_for_message(
        group, lambda m: "Daily digest" in shown(m), timeout=15
    )
    assert "4 claim(s) pending in 1 article(s)" in shown(digest)
