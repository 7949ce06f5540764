"""Speed benchmark of the claim matcher (domain.matching.ClaimIndex) on 100,000 claims.

Usage::

    .venv/bin/python bench/matching.py                 # 100,000 claims, 1,000 queries
    .venv/bin/python bench/matching.py --claims 20000 --queries 500 --seed 7

The archive is synthetic (templated claims with varied subjects, figures, places, verbs and
speakers), so the benchmark runs without the research data. When ``<repo>/../shared/data`` holds
the PolitiFact archive (CT2021-2B), its 19,250 claims replace part of the synthetic fill, which
gives the inverted index a realistic vocabulary.

Queries are a mix of exact repeats, paraphrases (abbreviations, number formats, word order),
near-misses (another figure / place / action / negation) and unrelated sentences. The script
prints build time (from raw text, and from the stored normalised text as the bot does at startup)
and per-query latency (mean, p50, p95, max) for ``find`` — the call the bot makes — and the
requirement it checks: p95 < 20 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from domain.matching import ClaimIndex  # noqa: E402
from domain.normalize import normalize_claim  # noqa: E402

POLITIFACT = REPO.parent / "shared" / "data" / "clef2021_task2b_debates_politifact"

SUBJECTS = (
    "unemployment",
    "violent crime",
    "the murder rate",
    "inflation",
    "the national debt",
    "child poverty",
    "gas prices",
    "the deficit",
    "illegal immigration",
    "teen pregnancy",
    "the minimum wage",
    "health insurance premiums",
    "rent",
    "college tuition",
    "drug overdoses",
    "gun deaths",
    "the prison population",
    "electricity prices",
    "food stamp enrollment",
    "carbon emissions",
    "hospital waiting times",
    "knife crime",
    "homelessness",
    "tax revenue",
    "military spending",
    "foreign aid",
    "vaccine injuries",
    "wildfires",
    "school shootings",
    "manufacturing jobs",
    "wages",
    "the trade deficit",
    "opioid prescriptions",
    "voter turnout",
)
PLACES = (
    "the US",
    "the UK",
    "France",
    "Germany",
    "Texas",
    "Florida",
    "California",
    "New York",
    "Chicago",
    "London",
    "Ohio",
    "Georgia",
    "Canada",
    "Mexico",
    "Italy",
    "Spain",
    "Wisconsin",
    "Arizona",
    "Scotland",
    "Ireland",
    "Australia",
    "Brazil",
    "India",
    "Japan",
    "the EU",
)
VERBS_UP = ("rose", "increased", "doubled", "jumped", "climbed", "soared")
VERBS_DOWN = ("fell", "decreased", "dropped", "declined", "plunged", "halved")
SPEAKERS = (
    "the governor",
    "the senator",
    "the mayor",
    "a viral post",
    "the president",
    "a Facebook post",
    "the prime minister",
    "the candidate",
    "a TV ad",
    "the congressman",
    "a campaign mailer",
)
UNITS = ("%", " percent", " people", " dollars", "", " million", " jobs", " cases")
TAILS = (
    "since {year}",
    "in {year}",
    "last year",
    "under the current administration",
    "over the past decade",
    "in the last {n} years",
    "since the law took effect",
)
UNRELATED = (
    "The football club signed a new striker for the season",
    "My cat refuses to eat anything but fish on Fridays",
    "The recipe calls for two cups of flour and a pinch of salt",
    "The museum opens a new exhibition about ancient Egypt next week",
    "Our team meeting was moved to Thursday afternoon",
)


def synthetic_claim(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    place = rng.choice(PLACES)
    verb = rng.choice(VERBS_UP + VERBS_DOWN)
    figure = f"{rng.randint(1, 999)}{rng.choice(['', ',000', '.5'])}{rng.choice(UNITS)}"
    tail = rng.choice(TAILS).format(year=rng.randint(1990, 2024), n=rng.randint(2, 20))
    speaker = rng.choice(SPEAKERS)
    pattern = rng.randrange(3)
    if pattern == 0:
        return f"{subject.capitalize()} in {place} {verb} by {figure} {tail}"
    if pattern == 1:
        return f"{speaker.capitalize()} says {subject} {verb} to {figure} in {place} {tail}"
    return f"In {place}, {subject} {verb} {tail}, reaching {figure}, according to {speaker}"


def build_archive(size: int, rng: random.Random) -> list[str]:
    claims: list[str] = []
    if POLITIFACT.is_dir():
        path = POLITIFACT / "politifact_vclaims.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            claims.append(json.loads(line)["vclaim"])
        claims = claims[:size]
    while len(claims) < size:
        claims.append(synthetic_claim(rng))
    return claims


def paraphrase(text: str, rng: random.Random) -> str:
    words = text.replace(",", "").split()
    if len(words) > 4 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    out = " ".join(words)
    for a, b in (("the US", "the United States"), ("%", " per cent"), ("the UK", "Britain")):
        out = out.replace(a, b)
    return out.upper() if rng.random() < 0.2 else out


def near_miss(text: str, rng: random.Random) -> str:
    for a, b in (("rose", "fell"), ("increased", "decreased"), ("France", "Germany")):
        if a in text:
            return text.replace(a, b)
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if digits:
        i = rng.choice(digits)
        return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
    return "It is not true that " + text


def make_queries(archive: list[str], count: int, rng: random.Random) -> list[tuple[str, str]]:
    queries: list[tuple[str, str]] = []
    kinds = ("repeat", "paraphrase", "near-miss", "unrelated")
    for i in range(count):
        kind = kinds[i % len(kinds)]
        base = rng.choice(archive)
        if kind == "repeat":
            text = base
        elif kind == "paraphrase":
            text = paraphrase(base, rng)
        elif kind == "near-miss":
            text = near_miss(base, rng)
        else:
            text = f"{rng.choice(UNRELATED)} ({rng.randint(1, 10_000)})"
        queries.append((kind, text))
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20240)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    archive = build_archive(args.claims, rng)
    source = "PolitiFact + synthetic" if POLITIFACT.is_dir() else "synthetic"
    index = ClaimIndex()
    started = time.perf_counter()
    index.add_many(enumerate(archive))
    build_s = time.perf_counter() - started
    # At startup the bot loads the normalised text the database stores with every claim.
    stored = [(cid, normalize_claim(text)) for cid, text in enumerate(archive)]
    started = time.perf_counter()
    ClaimIndex().add_many(stored, normalized=True)
    build_stored_s = time.perf_counter() - started

    queries = make_queries(archive, args.queries, rng)
    latencies: dict[str, list[float]] = {}
    outcomes: dict[str, list[int]] = {}
    for kind, text in queries:
        t0 = time.perf_counter()
        same, similar = index.find(text)
        latencies.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        counts = outcomes.setdefault(kind, [0, 0])
        counts[0] += same is not None
        counts[1] += bool(similar)

    print(f"archive: {len(index):,} claims ({source}); build {build_s:.2f} s")
    print(f"build from stored normalized text: {build_stored_s:.2f} s")
    print(f"{'queries':<12}{'n':>6}{'mean':>8}{'p50':>8}{'p95':>8}{'max':>8}  same  similar")
    everything: list[float] = []
    for kind, values in latencies.items():
        everything.extend(values)
        same_n, similar_n = outcomes[kind]
        print(
            f"{kind:<12}{len(values):>6}{statistics.fmean(values):>8.2f}"
            f"{percentile(values, 0.5):>8.2f}{percentile(values, 0.95):>8.2f}{max(values):>8.2f}"
            f"  {same_n:>4}  {similar_n:>7}"
        )
    p95 = percentile(everything, 0.95)
    print(
        f"{'all':<12}{len(everything):>6}{statistics.fmean(everything):>8.2f}"
        f"{percentile(everything, 0.5):>8.2f}{p95:>8.2f}{max(everything):>8.2f}   (ms)"
    )
    verdict = "OK" if p95 < 20 else "TOO SLOW"
    print(f"requirement p95 < 20 ms: {verdict}")
    return 0 if p95 < 20 else 1


if __name__ == "__main__":
    raise SystemExit(main())
