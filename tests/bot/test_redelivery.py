"""Telegram delivers an update again when the bot died before confirming it: nothing changes."""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlmodel import Session, select

from db.models import Article, Claim, Verdict
from tests.bot.test_review_flow import JOBS_REPORT, SOURCE
from tests.conftest import ADMIN_ID, BotHarness, shown


def _count(bot: BotHarness, model: type) -> int:
    with Session(bot.application.bot_data["services"].db.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


async def _settled(bot: BotHarness) -> None:
    """Give the bot time to (wrongly) act on a redelivery: a few long-poll rounds."""
    mark = bot.server.mark()
    for _ in range(3):
        await bot.server.wait_for("getUpdates", after=mark, timeout=5)
        mark = bot.server.mark()
    await asyncio.sleep(0.2)


async def test_a_redelivered_article_link_and_undo_change_nothing(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    article_update = bot.server.last_update_id()
    card = await bot.card(ADMIN_ID, 1)
    messages = len(bot.server.bot_messages(ADMIN_ID))

    bot.server.redeliver(article_update)
    await _settled(bot)
    assert (_count(bot, Article), _count(bot, Claim)) == (1, 4)
    assert len(bot.server.bot_messages(ADMIN_ID)) == messages  # no second "Reading…"

    # A verdict button delivered twice records one verdict.
    bot.press(ADMIN_ID, card, "False")
    press = bot.server.last_update_id()
    await bot.server.wait_for_message(
        ADMIN_ID, lambda m: m.message_id == card.message_id and "send" in shown(m).lower()
    )
    bot.server.redeliver(press)
    await _settled(bot)

    # The source link delivered twice: one verdict, and no article fetched from it.
    bot.say(ADMIN_ID, SOURCE)
    link = bot.server.last_update_id()
    await bot.card(ADMIN_ID, 2)
    bot.server.redeliver(link)
    await _settled(bot)
    assert (_count(bot, Verdict), _count(bot, Article)) == (1, 1)
    assert not any("Fetching" in shown(m) for m in bot.server.bot_messages(ADMIN_ID))

    # /undo delivered twice retracts one verdict once.
    await bot.reply_to(ADMIN_ID, "/cancel", "stay pending")
    await bot.reply_to(ADMIN_ID, "/undo", "Retracted your False verdict")
    bot.server.redeliver(bot.server.last_update_id())
    await _settled(bot)
    with Session(bot.application.bot_data["services"].db.engine) as session:
        kinds = [v.kind for v in session.exec(select(Verdict)).all()]
    assert kinds == ["review", "retraction"]


async def test_two_first_updates_of_a_new_admin_at_once(bot: BotHarness) -> None:
    """The admin's reviewer row is created by whichever update comes first; none fails."""
    bot.say(ADMIN_ID, "/help")
    bot.say(ADMIN_ID, "/mine")
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "How it works" in shown(m))
    await bot.server.wait_for_message(ADMIN_ID, lambda m: "Assigned to you" in shown(m))
    assert not any("went wrong" in shown(m) for m in bot.server.bot_messages(ADMIN_ID))
