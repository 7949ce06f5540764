"""Matching on the user's path: `factdesk import`, then `factdesk search` in a fresh process.

Usage::

    .venv/bin/python bench/archive_search.py quality                 # MAP@5, CT2020-2 / CT2021-2B
    .venv/bin/python bench/archive_search.py speed --claims 100000   # synthetic archive
    .venv/bin/python bench/archive_search.py speed --claims 100000 --real
    .venv/bin/python bench/archive_search.py speed --claims 1000000 --fill 0
    .venv/bin/python bench/archive_search.py bot --claims 1000000 --folder /tmp/archive-1m

``--folder`` keeps the archive (database and index) for the next run, which then only times the
search (or the bot); a run that changes the index (a lookup embeds a few claims) changes it there.

**quality**: the verified claims' text only (no titles; the desk stores claim text) is written to
a CSV, imported into a new SQLite database with ``factdesk import --embed now``, and every test
query goes through one ``factdesk search --json --limit 5`` process. MAP@5 against the gold pairs.
Targets: >= 0.92 (CT2020 task 2), >= 0.45 (CT2021 task 2B). CheckThat! data is read from
``<repo>/../shared/data`` for evaluation only.

**speed**: a templated synthetic archive (bench/matching.py's small vocabulary: the worst case
for a word index), or with ``--real`` the PolitiFact and Snopes claims first, padded with
synthetic ones. It times ``factdesk import --embed later`` (rows loaded and the word index built;
target < 120 s at 1,000,000), then ``factdesk index fill --limit F`` (embedding claims/s of the
background fill), then one ``factdesk search --json`` process fed one query at a time: the first
answer from process start (target < 1.5 s) and the per-query latency p50 / p95 (target p95 < 20
ms), seen from outside the process. Query mix as bench/matching.py (repeats, paraphrases,
near-misses, unrelated).

**bot**: the same archive, then `factdesk run` in its own process against the test suite's fake
Bot API (tests/support/botapi.py, as bench/load.py does): the time from process start to its first
getUpdates (ready; target < 5 s), its resident memory when ready and at its peak (target < 1 GB),
then each query as `/search <text>` and the first 20 that are not unrelated as one-claim
articles, each timed from the update's delivery to the bot's reply (the search results; the
claim's card, or its note that no claim is check-worthy) at the fake server.
The bot's background embedding fill starts 30 s after start, so a long run measures it too.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))

from calibrate_matching import (  # noqa: E402
    CT20,
    CT21,
    _pol_id,
    _read_qrels,
    average_precision_at_k,
)
from matching import make_queries, percentile, synthetic_claim  # noqa: E402

FACTDESK = [str(REPO / ".venv" / "bin" / "factdesk")]


def _env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'desk.db'}",
        "TMPDIR": str(folder),
        "FACTDESK_LOG_LEVEL": "WARNING",
    }


def _write_csv(path: Path, claims: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["claim", "verdict", "source", "date"])
        for i, claim in enumerate(claims):
            writer.writerow([claim, "False", f"https://fc.example/{i}", "2024-01-01"])


def _run(args: list[str], folder: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [*FACTDESK, *args], env=_env(folder), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"factdesk {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


class SearchProcess:
    """One `factdesk search --json` process, asked one line at a time."""

    def __init__(self, folder: Path, limit: int) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*FACTDESK, "search", "--json", "--limit", str(limit)],
            env=_env(folder),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def ask(self, text: str) -> tuple[list[dict[str, object]], float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        start = time.perf_counter()
        self.process.stdin.write(" ".join(text.split()) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        seconds = time.perf_counter() - start
        if not line:
            raise SystemExit("factdesk search stopped")
        matches: list[dict[str, object]] = json.loads(line)["matches"]
        return matches, seconds

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


# -- quality --------------------------------------------------------------------------------


def _ct2020() -> tuple[dict[int, str], dict[str, str], dict[str, set[int]]]:
    vclaims: dict[int, str] = {}
    with (CT20 / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as fh:
        for record in csv.DictReader(fh, delimiter="\t"):
            key = record[""] if "" in record else record["id"]
            vclaims[int(key)] = record["vclaim"]
    queries: dict[str, str] = {}
    with (CT20 / "test.tweets.queries.tsv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        for row in reader:
            queries[row[0]] = row[1]
    gold = _read_qrels(CT20 / "test.tweet-vclaim-pairs.qrels")
    return vclaims, queries, {q: {int(v) for v in vs} for q, vs in gold.items()}


def _ct2021() -> tuple[dict[int, str], dict[str, str], dict[str, set[int]]]:
    vclaims: dict[int, str] = {}
    for line in (CT21 / "politifact_vclaims.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        vclaims[_pol_id(row["vclaim_id"])] = row["vclaim"]
    queries: dict[str, str] = {}
    for line in (CT21 / "test.iclaims.queries.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        queries[qid.strip()] = text
    gold = _read_qrels(CT21 / "test.qrels.tsv")
    return vclaims, queries, {q: {_pol_id(v) for v in vs} for q, vs in gold.items()}


def _key(text: str) -> str:
    return " ".join(text.split())


def quality() -> None:
    if not CT20.is_dir() or not CT21.is_dir():
        raise SystemExit(f"the CheckThat! data is not in {CT20.parent}")
    print(f"{'set':12}{'claims':>8}{'queries':>8}{'MAP@5':>8}{'target':>8}{'import s':>10}")
    for name, loader, target in (("CT2020-2", _ct2020, 0.92), ("CT2021-2B", _ct2021, 0.45)):
        vclaims, queries, qrels = loader()
        by_text: dict[str, set[int]] = {}
        for vid, text in vclaims.items():
            by_text.setdefault(_key(text), set()).add(vid)
        with tempfile.TemporaryDirectory(prefix="factdesk-bench-") as scratch:
            folder = Path(scratch)
            _write_csv(folder / "archive.csv", list(vclaims.values()))
            seconds = _run(["import", str(folder / "archive.csv"), "--embed", "now"], folder)
            search = SearchProcess(folder, 5)
            scores = []
            for qid, text in queries.items():
                if qid not in qrels:
                    continue
                matches, _ = search.ask(text)
                ranked: list[int] = []
                for match in matches:
                    ids = by_text.get(_key(str(match["claim"])), set())
                    hit = ids & qrels[qid]
                    ranked.append(next(iter(hit)) if hit else next(iter(ids), -1))
                scores.append(average_precision_at_k(ranked, qrels[qid]))
            search.close()
        value = sum(scores) / len(scores)
        print(
            f"{name:12}{len(vclaims):>8}{len(scores):>8}{value:>8.3f}{target:>8.2f}{seconds:>10.1f}"
        )


# -- speed ----------------------------------------------------------------------------------


def _real_claims() -> list[str]:
    claims: list[str] = []
    if CT21.is_dir():
        for line in (CT21 / "politifact_vclaims.jsonl").read_text(encoding="utf-8").splitlines():
            claims.append(json.loads(line)["vclaim"])
    if CT20.is_dir():
        with (CT20 / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as fh:
            claims.extend(r["vclaim"] for r in csv.DictReader(fh, delimiter="\t"))
    return claims


@dataclass
class Prepared:
    """The archive a speed run works on, and the queries it asks."""

    folder: Path
    asked: list[tuple[str, str]]
    imported: float = 0.0  # seconds of `factdesk import` (0: kept from an earlier run)
    filled: float = 0.0  # seconds of `factdesk index fill`


@contextmanager
def _prepared(args: argparse.Namespace) -> Iterator[Prepared]:
    """The archive in ``--folder`` (built there unless it holds one already) or a scratch one."""
    rng = random.Random(args.seed)
    archive = _real_claims()[: args.claims] if args.real else []
    while len(archive) < args.claims:
        archive.append(synthetic_claim(rng))
    asked = make_queries(archive, args.queries, rng)
    with tempfile.TemporaryDirectory(prefix="factdesk-bench-") as scratch:
        prepared = Prepared(args.folder or Path(scratch), asked)
        folder = prepared.folder
        if not (folder / "desk.db").exists():
            folder.mkdir(parents=True, exist_ok=True)
            _write_csv(folder / "archive.csv", archive)
            command = ["import", str(folder / "archive.csv"), "--embed", "later"]
            prepared.imported = _run(command, folder)
            fill = min(args.fill, args.claims)
            if fill:
                prepared.filled = _run(["index", "fill", "--limit", str(fill)], folder)
        yield prepared


def _print_archive(args: argparse.Namespace, prepared: Prepared) -> None:
    kind_name = "real + synthetic" if args.real else "synthetic"
    print(f"archive: {args.claims:,} claims ({kind_name}); load average {_load_average()}")
    if not prepared.imported:
        print(f"archive kept from an earlier run in {prepared.folder}: import and fill not timed")
        return
    print(
        f"factdesk import --embed later (rows + word index): {prepared.imported:.1f} s  (< 120 s)"
    )
    if prepared.filled:
        fill = min(args.fill, args.claims)
        rate = fill / prepared.filled
        print(f"factdesk index fill --limit {fill}: {prepared.filled:.1f} s = {rate:.0f} claims/s")
    else:
        print("embeddings: none filled (words only; lookups embed the few candidates shown)")


def _load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def speed(args: argparse.Namespace) -> None:
    with _prepared(args) as prepared:
        asked = prepared.asked
        search = SearchProcess(prepared.folder, 5)
        search.ask(asked[0][1])
        first_answer = time.perf_counter() - search.started
        latencies: dict[str, list[float]] = {}
        for kind, text in asked[1:]:
            _, seconds = search.ask(text)
            latencies.setdefault(kind, []).append(seconds * 1000)
        peak = search.peak_rss_mb()
        search.close()
    _print_archive(args, prepared)
    print(f"first answer from process start: {first_answer:.2f} s  (target < 1.5 s)")
    print(f"peak RSS of the search process: {peak:.0f} MB")
    _print_latencies(latencies, "target p95 < 20")


def _print_latencies(latencies: dict[str, list[float]], target: str) -> None:
    print(f"{'queries':<12}{'n':>6}{'p50':>8}{'p95':>8}{'max':>8}  (ms, {target})")
    everything: list[float] = []
    for kind, values in latencies.items():
        everything.extend(values)
        print(
            f"{kind:<12}{len(values):>6}{percentile(values, 0.5):>8.1f}"
            f"{percentile(values, 0.95):>8.1f}{max(values):>8.1f}"
        )
    print(
        f"{'all':<12}{len(everything):>6}{percentile(everything, 0.5):>8.1f}"
        f"{percentile(everything, 0.95):>8.1f}{max(everything):>8.1f}"
    )


# -- the bot --------------------------------------------------------------------------------

_FIRST_USER = 5000
_ARTICLES = 20
_LOST_MS = 30_000.0  # an update not answered within 30 s counts as this
_CARD_OR_NOTHING = ("What is your verdict?", "found no check-worthy claims")


def _status_mb(pid: int, field: str) -> float:
    """A memory figure of a process from /proc (Linux): VmRSS now, VmHWM its peak."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    line = next(x for x in status.splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def bot(args: argparse.Namespace) -> None:
    with _prepared(args) as prepared:
        figures = asyncio.run(_bot(prepared, args.queries))
    _print_archive(args, prepared)
    ready, ready_rss, peak, searches, cards = figures
    print(f"factdesk run ready (first getUpdates) after {ready:.2f} s  (target < 5 s)")
    print(f"bot RSS when ready {ready_rss:.0f} MB, peak {peak:.0f} MB  (target < 1 GB)")
    _print_latencies(searches, "update -> reply at the fake Bot API")
    _print_latencies(cards, "one-claim article -> its card")


async def _bot(
    prepared: Prepared, queries: int
) -> tuple[float, float, float, dict[str, list[float]], dict[str, list[float]]]:
    """`factdesk run` on the archive against the test suite's fake Bot API: the time until it
    polls, its memory, then `/search` for each query and one-claim articles (each from a
    reviewer of its own, so that no walk is in the way), timed from update to reply."""
    from tests.support.botapi import TOKEN, FakeBotApi

    server = FakeBotApi()
    await server.start()
    # A kept archive remembers the update ids an earlier run handled, and every fake server
    # counts from 1: the bot would drop the articles as redeliveries.
    with sqlite3.connect(prepared.folder / "desk.db") as database:
        database.execute("DELETE FROM processed_update")
    users = max(queries, _ARTICLES)
    # Reviewers new to a kept archive: one from an earlier run has a claim waiting for its verdict,
    # and the bot asks before reading another article.
    first_user = _FIRST_USER + 1000 * (int(time.time()) % 1_000_000)
    env = {
        **{k: v for k, v in _env(prepared.folder).items() if not k.startswith("TELEGRAM_")},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "TELEGRAM_FILE_URL": server.base_file_url,
        "FACTDESK_ADMINS": ",".join(str(first_user + i) for i in range(users)),
        "NO_PROXY": "127.0.0.1,localhost",
        "PTB_TIMEDELTA": "1",
    }
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *FACTDESK, "run", cwd=prepared.folder, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        polled = await server.wait_for("getUpdates", timeout=300)
        ready = polled.at - started
        ready_rss = _status_mb(process.pid, "VmRSS")
        searches: dict[str, list[float]] = {}
        for user, (kind, text) in enumerate(prepared.asked, start=first_user):
            reply = await _answer(server, user, f"/search {text}")
            searches.setdefault(kind, []).append(reply)
        cards: dict[str, list[float]] = {}
        claims = [(kind, text) for kind, text in prepared.asked if kind != "unrelated"]
        for user, (kind, text) in enumerate(claims[:_ARTICLES], start=first_user):
            # The card, or the note that the text holds no check-worthy claim.
            # A sentence without its full stop reads as a headline, which is not offered.
            article = text if text.endswith((".", "!", "?")) else f"{text}."
            reply = await _answer(server, user, article, done=_CARD_OR_NOTHING)
            cards.setdefault(kind, []).append(reply)
        peak = _status_mb(process.pid, "VmHWM")
    finally:
        process.terminate()
        _, stderr = await process.communicate()
        if process.returncode not in (0, -15) or os.environ.get("BENCH_DEBUG"):
            print(stderr.decode()[-3000:], file=sys.stderr)
        await server.stop()
    return ready, ready_rss, peak, searches, cards


async def _answer(server: Any, user: int, text: str, *, done: tuple[str, ...] = ()) -> float:
    """Milliseconds from delivering ``text`` to the bot's message (sent or edited) in that chat
    that contains one of ``done`` (any, when empty), both by the fake server's clock;
    ``_LOST_MS`` when none came within that time."""
    seen = server.mark()
    sent = time.monotonic()
    server.send_text(user, text)
    while time.monotonic() - sent < _LOST_MS / 1000:
        calls = server.calls
        for call in calls[seen:]:
            body = str(call.params.get("text", ""))
            if (
                call.method in ("sendMessage", "editMessageText")
                and int(call.params.get("chat_id", 0)) == user
                and (not done or any(marker in body for marker in done))
            ):
                if os.environ.get("BENCH_DEBUG"):
                    print(f"{user}: {body[:150]!r}", file=sys.stderr)
                return float(call.at - sent) * 1000
        seen = len(calls)
        await asyncio.sleep(0.001)
    if os.environ.get("BENCH_DEBUG"):
        print(server.summary(), file=sys.stderr)
    return _LOST_MS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("quality")
    for name in ("speed", "bot"):
        run = sub.add_parser(name)
        run.add_argument("--claims", type=int, default=100_000)
        run.add_argument("--queries", type=int, default=400 if name == "speed" else 100)
        run.add_argument("--fill", type=int, default=20_000, help="claims to embed (0: none)")
        run.add_argument("--real", action="store_true", help="PolitiFact + Snopes claims first")
        run.add_argument("--seed", type=int, default=20240)
        run.add_argument(
            "--folder",
            type=Path,
            help="keep the archive here; when it holds one already, it is used as it is",
        )
    args = parser.parse_args()
    if args.what == "quality":
        quality()
    elif args.what == "speed":
        speed(args)
    else:
        bot(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
