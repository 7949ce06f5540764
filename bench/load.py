"""Load through the real bot: reviewers working articles over the fake Bot API, timed per update.

    .venv/bin/python bench/load.py [--rate 100] [--seconds 60] [--reviewers 50]
                                   [--database sqlite|postgres] [--limiter off|on]

`factdesk run` runs as its own process, exactly as deployed, against the test suite's fake Bot API
(in this process). Each reviewer is a loop that submits an article, rates each claim False and
sends its source link, and now and then asks for /queue; a shared pace offers `--rate` updates a
second across all of them. An update's time is from its delivery to the bot's answer that
matters to the reviewer (the card, the source prompt, the next card, the queue), measured by the
fake server's clock. At the end the database is checked: one article per submission, one verdict
per source link (0 lost, 0 duplicated). The bot's CPU time per update comes from /proc.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402

from tests.support.botapi import TOKEN, Call, FakeBotApi, SentMessage  # noqa: E402

PG_ADMIN = os.environ.get("FACTDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
FIRST_REVIEWER = 3000
ARTICLE = (
    "The U.S. economy added {jobs:,} jobs in April, the Labor Department said on Friday.\n"
    "The unemployment rate rose to {rate}% in {place}, the highest level since 2022.\n"
    "Average hourly earnings increased {wages}% last month, the report showed.\n"
)
PLACES = ("Ohio", "Texas", "Kenya", "Brazil", "Japan", "Norway", "Chile", "Ghana")
SOURCE = "https://www.bls.gov/news.release/empsit.nr0.htm"
REPLY_METHODS = {"sendMessage", "editMessageText"}


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    articles: int = 0
    links: int = 0
    lost: int = 0
    sent: int = 0


class Replies:
    """Routes the bot's calls to the chat they answer, in one pass over the server's log."""

    def __init__(self, server: FakeBotApi) -> None:
        self._server = server
        self._seen = 0
        self._queues: dict[int, asyncio.Queue[Call]] = defaultdict(asyncio.Queue)

    async def run(self) -> None:
        while True:
            calls = self._server.calls
            for call in calls[self._seen :]:
                if call.method in REPLY_METHODS:
                    chat = int(call.params.get("chat_id", 0))
                    self._queues[chat].put_nowait(call)
            self._seen = len(calls)
            await asyncio.sleep(0.002)

    async def next(self, chat: int, wanted: str, wait: float = 10.0) -> Call | None:
        """The first reply in the chat whose text contains `wanted`."""
        deadline = time.monotonic() + wait
        queue = self._queues[chat]
        while (left := deadline - time.monotonic()) > 0:
            try:
                call = await asyncio.wait_for(queue.get(), left)
            except TimeoutError:
                return None
            if wanted in str(call.params.get("text", "")):
                return call
        return None


class Pace:
    """Offers `rate` updates a second in all: each send waits for its slot."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = time.monotonic()

    async def slot(self) -> None:
        now = time.monotonic()
        self._next = max(self._next + self._interval, now)
        await asyncio.sleep(max(0.0, self._next - now))


async def reviewer(
    index: int, server: FakeBotApi, replies: Replies, pace: Pace, tally: Tally, until: float
) -> None:
    user = FIRST_REVIEWER + index
    rng = random.Random(index)
    card = None
    while time.monotonic() < until:
        await pace.slot()
        if rng.random() < 0.1:
            await _timed(server.send_text, (user, "/queue"), user, "Queue", "queue", replies, tally)
            continue
        if card is None:
            article = ARTICLE.format(
                jobs=rng.randrange(100_000, 300_000),
                rate=round(rng.uniform(3, 9), 1),
                place=rng.choice(PLACES),
                wages=round(rng.uniform(0.1, 0.9), 1),
            )
            card = await _timed(
                server.send_text,
                (user, article),
                user,
                "What is your verdict?",
                "article",
                replies,
                tally,
            )
            tally.articles += 1
            continue
        message = _latest_card(server, user)
        prompt = None
        if message is not None:
            data = next((d for label, d in server.buttons(message) if label == "❌ False"), None)
            if data is not None:
                prompt = await _timed(
                    server.press_button,
                    (user, message, data),
                    user,
                    "send the link",
                    "press",
                    replies,
                    tally,
                )
        if prompt is None:
            card = None
            continue
        await pace.slot()
        card = await _timed(
            server.send_text,
            (user, SOURCE),
            user,
            "What is your verdict?",
            "link",
            replies,
            tally,
            also="Article #",
        )
        tally.links += 1
        if card is not None and "What is your verdict?" not in str(card.params.get("text")):
            card = None


def _latest_card(server: FakeBotApi, user: int) -> SentMessage | None:
    for message in reversed(server.bot_messages(user)):
        if "What is your verdict?" in (message.text or ""):
            return message
    return None


async def _timed(
    send: Callable[..., object],
    args: tuple[object, ...],
    chat: int,
    wanted: str,
    kind: str,
    replies: Replies,
    tally: Tally,
    *,
    also: str | None = None,
) -> Call | None:
    started = time.monotonic()
    send(*args)
    tally.sent += 1
    found = (
        await replies.next(chat, wanted)
        if also is None
        else await _either(replies, chat, wanted, also)
    )
    if found is None:
        tally.lost += 1
        if os.environ.get("LOAD_DEBUG"):
            print(f"lost {kind} in chat {chat}", file=sys.stderr)
        return None
    tally.latencies[kind].append((found.at - started) * 1000)
    return found


async def _either(replies: Replies, chat: int, first: str, second: str) -> Call | None:
    deadline = time.monotonic() + 10
    queue = replies._queues[chat]
    while (left := deadline - time.monotonic()) > 0:
        try:
            call = await asyncio.wait_for(queue.get(), left)
        except TimeoutError:
            return None
        body = str(call.params.get("text", ""))
        if first in body or second in body:
            return call
    return None


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench(args: argparse.Namespace) -> None:
    server = FakeBotApi()
    await server.start()
    workdir = Path(tempfile.mkdtemp(prefix="factdesk-load-"))
    database, drop = _database(args.database, workdir)
    admins = ",".join(str(FIRST_REVIEWER + i) for i in range(args.reviewers))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("FACTDESK_", "TELEGRAM_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "TELEGRAM_FILE_URL": server.base_file_url,
        "DATABASE_URL": database,
        "FACTDESK_ADMINS": admins,
        "FACTDESK_RATE_LIMIT": "true" if args.limiter == "on" else "false",
        "FACTDESK_LOG_LEVEL": "WARNING",
        "FACTDESK_INDEX_DIR": str(workdir / "index"),
        "NO_PROXY": "127.0.0.1,localhost",
        "PTB_TIMEDELTA": "1",
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "factdesk",
        "run",
        cwd=workdir,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await server.wait_for("getUpdates", timeout=120)
        replies = Replies(server)
        router = asyncio.create_task(replies.run())
        tally = Tally()
        profiler = None
        if os.environ.get("LOAD_PROFILE"):  # collapsed stacks of the bot, for py-spy users
            profiler = await asyncio.create_subprocess_exec(
                "py-spy",
                "record",
                "-p",
                str(bot.pid),
                "-f",
                "raw",
                "-r",
                "200",
                "-d",
                str(int(args.seconds)),
                "-o",
                os.environ["LOAD_PROFILE"],
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        cpu_before, started = _cpu_seconds(bot.pid), time.monotonic()
        harness_before = time.process_time()
        until = started + args.seconds
        pace = Pace(args.rate)
        await asyncio.gather(
            *(reviewer(i, server, replies, pace, tally, until) for i in range(args.reviewers))
        )
        elapsed = time.monotonic() - started
        cpu = _cpu_seconds(bot.pid) - cpu_before
        harness = time.process_time() - harness_before
        router.cancel()
        if profiler is not None:
            await profiler.wait()
        stored = _stored(database)
        _report(args, tally, elapsed, cpu, stored)
        # The fake Bot API and the reviewers share this machine with the bot: a busy load
        # generator delays answers too.
        print(f"load generator (fake Bot API + reviewers): {harness / elapsed:.0%} of a core")
    finally:
        bot.terminate()
        _, stderr = await bot.communicate()
        if bot.returncode not in (0, -15):
            print(stderr.decode()[-3000:], file=sys.stderr)
        await server.stop()
        drop()


def _database(kind: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'load.db'}", lambda: None
    name = f"factdesk_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", drop


def _stored(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        articles = connection.execute(text("SELECT count(*) FROM article")).scalar_one()
        verdicts = connection.execute(text("SELECT count(*) FROM verdict")).scalar_one()
    engine.dispose()
    return int(articles), int(verdicts)


def _report(
    args: argparse.Namespace, tally: Tally, elapsed: float, cpu: float, stored: tuple[int, int]
) -> None:
    every = [ms for values in tally.latencies.values() for ms in values]
    handled = len(every)

    def pct(values: list[float], q: int) -> str:
        if len(values) < 2:
            return f"{values[0]:.0f}" if values else "—"
        return f"{statistics.quantiles(values, n=100)[q - 1]:.0f}"

    print(
        f"\nload: {args.database}, rate limiter {args.limiter}, {args.reviewers} reviewers, "
        f"{args.rate:g} updates/s offered for {args.seconds:g} s"
    )
    print(f"{'updates':<10}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in sorted(tally.latencies.items()):
        quantiles = f"{pct(values, 50):>9}{pct(values, 95):>9}{pct(values, 99):>9}"
        print(f"{kind:<10}{len(values):>8}{quantiles}")
    print(f"{'all':<10}{handled:>8}{pct(every, 50):>9}{pct(every, 95):>9}{pct(every, 99):>9}")
    articles, verdicts = stored
    per_update = cpu * 1000 / max(handled, 1)
    print(
        f"handled {handled / elapsed:.1f} updates/s; bot CPU {per_update:.1f} ms per update "
        f"({cpu / elapsed:.0%} of a core)"
    )
    print(
        f"lost {tally.lost} (no answer within 10 s); articles stored {articles} for "
        f"{tally.articles} sent; verdicts stored {verdicts} for {tally.links} links sent "
        f"(duplicated: {max(0, articles - tally.articles) + max(0, verdicts - tally.links)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--limiter", choices=("off", "on"), default="off")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
