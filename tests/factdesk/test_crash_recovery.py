"""The bot killed (SIGKILL) at random points of a review: nothing lost, nothing doubled.

`factdesk run` runs as a process against the fake Bot API. A reviewer works through articles
(each claim rated False, then its source link), while the bot is killed at a random moment of
each round and started again. Updates the dead process had fetched but not confirmed are
delivered again to the new one, as Telegram does. The database must end with one article per
article sent and exactly one verdict per claim.

Rounds: `FACTDESK_FAULT_ROUNDS` (CI runs 50 on each database; the default keeps a local run
short).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from db.engine import make_engine
from db.migrate import upgrade
from tests.conftest import ADMIN_ID
from tests.support.botapi import TOKEN, FakeBotApi, SentMessage

ROUNDS = int(os.environ.get("FACTDESK_FAULT_ROUNDS", "3"))
ARTICLE = (
    "The economy of {place} added {jobs:,} jobs in April, the Labor Department said.\n"
    "The unemployment rate in {place} rose to {rate}% in March, the highest level since 2022.\n"
    "Average hourly earnings in {place} increased {wages}% last month, the report showed.\n"
)
PLACES = ("Ohio", "Texas", "Kenya", "Brazil", "Japan", "Norway", "Chile", "Ghana", "Peru")
SOURCE = "https://www.bls.gov/news.release/empsit.nr0.htm"


class Bot:
    """The `factdesk run` process, started again whenever it was killed."""

    def __init__(self, server: FakeBotApi, database_url: str, workdir: Path) -> None:
        self._server, self._database_url, self.workdir = server, database_url, workdir
        self.process: asyncio.subprocess.Process | None = None
        self._log = (workdir / "bot.log").open("ab")
        self.kills = 0

    async def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("FACTDESK_", "TELEGRAM_"))},
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": self._server.base_url,
            "TELEGRAM_FILE_URL": self._server.base_file_url,
            "DATABASE_URL": self._database_url,
            "FACTDESK_ADMINS": str(ADMIN_ID),
            "FACTDESK_POLL_TIMEOUT": "1",
            "FACTDESK_INDEX_DIR": str(self.workdir / "index"),
            "NO_PROXY": "127.0.0.1,localhost",
            "PTB_TIMEDELTA": "1",
        }
        mark = self._server.mark()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "factdesk",
            "run",
            cwd=self.workdir,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self._log,
        )
        await self._server.wait_for("getUpdates", after=mark, timeout=60)

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
            self.kills += 1

    async def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)
        self._log.close()


def _walk(engine: Engine) -> tuple[int | None, str | None]:
    """(claim under review, rating waiting for its source) of the reviewer's walk, if any."""
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT claim_id, pending_rating FROM review_session WHERE reviewer_id = 1")
        ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _open_claims(engine: Engine, article_text: str) -> int | None:
    """Claims of the article still without a verdict; None while the article is not stored."""
    with engine.connect() as connection:
        article = connection.execute(
            text("SELECT id FROM article WHERE text = :t"), {"t": article_text}
        ).first()
        if article is None:
            return None
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM claim c WHERE c.article_id = :a AND NOT EXISTS "
                    "(SELECT 1 FROM verdict v WHERE v.claim_id = c.id)"
                ),
                {"a": article[0]},
            ).scalar_one()
        )


async def _settle(engine: Engine, bot: Bot, before: tuple[int | None, str | None]) -> None:
    """Wait until the walk moves on from `before`, starting the bot again if it was killed."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not bot.alive():
            await bot.start()
        if _walk(engine) != before:
            return
        await asyncio.sleep(0.05)


async def _review(server: FakeBotApi, engine: Engine, bot: Bot, article: str) -> None:
    server.send_text(ADMIN_ID, article)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not bot.alive():
            await bot.start()
        left = _open_claims(engine, article)
        if left == 0:
            return
        state = _walk(engine)
        claim_id, pending = state
        if left is None or claim_id is None:  # the article is on its way (maybe redelivered)
            await asyncio.sleep(0.05)
            continue
        if pending is None:
            card = SentMessage(chat_id=ADMIN_ID, message_id=1, text="", reply_markup=None)
            server.press_button(ADMIN_ID, card, f"r:{claim_id}:f", must_exist=False)
        else:
            server.send_text(ADMIN_ID, SOURCE)
        await _settle(engine, bot, state)
    log = (bot.workdir / "bot.log").read_text(errors="replace")[-3000:]
    raise AssertionError(
        f"the review of {article[:40]!r} did not finish: walk {_walk(engine)}, "
        f"{_open_claims(engine, article)} claims open; the bot's log ends:\n{log}"
    )


@pytest.mark.timeout(60 + ROUNDS * 40)
async def test_sigkill_at_random_points_loses_and_doubles_nothing(
    fake_telegram: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    bot = Bot(fake_telegram, database_url, tmp_path)
    rng = random.Random(2026)
    articles = [
        ARTICLE.format(
            place=PLACES[i % len(PLACES)],
            jobs=100_000 + i,
            rate=round(3 + i / 10, 1),
            wages=round(0.1 + i / 100, 2),
        )
        for i in range(ROUNDS)
    ]
    try:
        await bot.start()
        for article in articles:
            killer = asyncio.create_task(bot.kill_after(rng.uniform(0.0, 1.2)))
            await _review(fake_telegram, engine, bot, article)
            await killer
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM article")).scalar_one()
            per_claim = connection.execute(
                text(
                    "SELECT c.id, count(v.id) FROM claim c LEFT JOIN verdict v "
                    "ON v.claim_id = c.id GROUP BY c.id"
                )
            ).all()
        assert stored == len(articles), "an article was stored twice"
        assert per_claim and all(n == 1 for _, n in per_claim), per_claim
        assert bot.kills >= 1
    finally:
        await bot.stop()
        engine.dispose()
