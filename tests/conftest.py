"""Shared fixtures: databases (SQLite files and the local PostgreSQL) and the bot under test.

The bot runs as the real PTB Application, long-polling a fake Bot API server on 127.0.0.1.
"""

from __future__ import annotations

import os

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bot.app import ALLOWED_UPDATES, build_application, services_of
from bot.context import FactdeskApp
from bot.polling import ConfirmingPoller
from db.engine import make_engine
from db.migrate import upgrade
from factdesk.config import Settings
from services.registry import Services
from tests.support.botapi import TOKEN, FakeBotApi, SentMessage, parse_html

PG_ADMIN_URL = os.environ.get(
    "FACTDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

ADMIN_ID = 1001
ADMIN_NAME = "Alma Admin"


def _postgres_reason() -> str | None:
    """None when the local PostgreSQL answers, else why the PostgreSQL tests are skipped."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure means: not reachable here
        return f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({type(error).__name__})"
    return None


_PG_REASON = _postgres_reason()
if _PG_REASON and os.environ.get("FACTDESK_REQUIRE_POSTGRES"):
    raise RuntimeError(f"FACTDESK_REQUIRE_POSTGRES is set but {_PG_REASON}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if _PG_REASON:
        pytest.skip(_PG_REASON)
    name = f"factdesk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'factdesk.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'factdesk.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


# --- the bot under test ----------------------------------------------------------------------


def shown(message: SentMessage) -> str:
    """The text as the reviewer sees it: HTML markup rendered away."""
    text = message.text or message.caption or ""
    if (message.parse_mode or "").upper() == "HTML":
        return parse_html(text)[0]
    return text


@dataclass
class BotHarness:
    """The fake Telegram plus the running bot, with the gestures a reviewer makes."""

    server: FakeBotApi
    settings: Settings
    application: FactdeskApp
    started: list[FactdeskApp] = field(default_factory=list)

    async def restart(self) -> None:
        """Stop the bot and start a new process-equivalent on the same database."""
        await _stop(self.application)
        self.application = build_application(self.settings)
        await _start(self.application)

    def say(self, user_id: int, text: str, **kwargs: Any) -> int:
        return self.server.send_text(user_id, text, **kwargs)

    async def reply_to(
        self, user_id: int, text: str, contains: str, *, timeout: float = 15.0
    ) -> SentMessage:
        """Send a text and wait for a bot message containing `contains` (sent after it)."""
        before = set(self.server.messages)
        self.server.send_text(user_id, text)
        return await self.server.wait_for_message(
            user_id,
            lambda m: (m.chat_id, m.message_id) not in before and contains in shown(m),
            timeout=timeout,
        )

    async def card(self, chat_id: int, number: int, *, timeout: float = 15.0) -> SentMessage:
        """Wait for the card of claim `number` (with its verdict buttons)."""
        return await self.server.wait_for_message(
            chat_id,
            lambda m: (
                shown(m).startswith(f"Claim {number} of ") and "What is your verdict?" in shown(m)
            ),
            timeout=timeout,
        )

    def button(self, message: SentMessage, label: str) -> str:
        """The callback data of the button whose text contains `label`."""
        current = self.server.messages[(message.chat_id, message.message_id)]
        for text_, data in self.server.buttons(current):
            if label in text_:
                return data
        raise AssertionError(f"no button {label!r} on {self.server.buttons(current)}")

    def press(self, user_id: int, message: SentMessage, label: str) -> str:
        current = self.server.messages[(message.chat_id, message.message_id)]
        return self.server.press_button(user_id, current, self.button(message, label))


_POLLING: dict[int, tuple[asyncio.Task[None], asyncio.Event]] = {}


async def _start(application: FactdeskApp) -> None:
    """Start the bot as `factdesk run` does: the confirming long poll of `bot.polling`."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    stop = asyncio.Event()
    poller = ConfirmingPoller(application, timeout=1, allowed_updates=ALLOWED_UPDATES)
    _POLLING[id(application)] = (asyncio.create_task(poller.run(stop)), stop)


async def stop_polling(application: FactdeskApp) -> None:
    """Stop fetching updates (the handlers in hand finish), as a process does on SIGTERM."""
    task, stop = _POLLING.pop(id(application), (None, None))
    if task is not None and stop is not None:
        stop.set()
        await task


async def _stop(application: FactdeskApp) -> None:
    await stop_polling(application)
    if application.running:
        await application.stop()
    await application.shutdown()
    services_of(application).close()


def make_settings(server: FakeBotApi, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": server.base_url,
        "telegram_file_url": server.base_file_url,
        "database_url": database_url,
        "factdesk_admins": str(ADMIN_ID),
        "factdesk_allow_private_urls": True,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake_telegram: FakeBotApi, database_url: str) -> AsyncIterator[BotHarness]:
    """The bot running against the fake Telegram and a migrated database (SQLite and PostgreSQL)."""
    upgrade(database_url)
    settings = make_settings(fake_telegram, database_url)
    harness = BotHarness(fake_telegram, settings, build_application(settings))
    await _start(harness.application)
    yield harness
    await _stop(harness.application)


@pytest.fixture
async def bot_with(
    fake_telegram: FakeBotApi, database_url: str
) -> AsyncIterator[Callable[..., Awaitable[BotHarness]]]:
    """Like `bot`, with settings overrides: `harness = await bot_with(factdesk_lock_minutes=…)`."""
    upgrade(database_url)
    running: list[BotHarness] = []

    async def start(**overrides: Any) -> BotHarness:
        settings = make_settings(fake_telegram, database_url, **overrides)
        harness = BotHarness(fake_telegram, settings, build_application(settings))
        await _start(harness.application)
        running.append(harness)
        return harness

    yield start
    for harness in running:
        await _stop(harness.application)


__all__ = ["ADMIN_ID", "SHARED_DATA", "BotHarness", "Services", "make_settings", "shown"]
