"""The confirming poller tells which updates are new, so that only the others are looked up among
the handled ones: the backlog waiting at start (a killed process may have had it in hand) and
anything Telegram delivers again."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import build_application
from bot.context import BotContext
from bot.polling import is_fresh
from db.migrate import upgrade
from tests.conftest import ADMIN_ID, _start, _stop, make_settings
from tests.support.botapi import FakeBotApi


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


async def test_the_backlog_and_redeliveries_are_not_taken_for_new(
    fake_telegram: FakeBotApi, database_url: str
) -> None:
    upgrade(database_url)
    settings = make_settings(fake_telegram, database_url)
    application = build_application(settings)
    seen: dict[int, bool] = {}

    async def note(update: Update, context: BotContext) -> None:
        seen.setdefault(update.update_id, is_fresh(context.bot_data, update.update_id))

    application.add_handler(TypeHandler(Update, note), group=-2)
    backlog = []
    for text in ("/queue", "/mine"):
        fake_telegram.send_text(ADMIN_ID, text)
        backlog.append(fake_telegram.last_update_id())
    await _start(application)
    try:
        for update_id in backlog:
            await fake_telegram.wait_confirmed(update_id)
        fake_telegram.send_text(ADMIN_ID, "/queue")
        new = fake_telegram.last_update_id()
        await fake_telegram.wait_confirmed(new)
        assert [seen[u] for u in backlog] == [False, False]
        assert seen[new] is True

        del seen[new]
        fake_telegram.redeliver(new)  # as after a webhook answer that never arrived
        for _ in range(500):
            if new in seen:
                break
            await asyncio.sleep(0.01)
        assert seen.get(new) is False
    finally:
        await _stop(application)
