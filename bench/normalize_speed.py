"""Speed of ``domain.normalize.normalize_claim``: microseconds per claim on three data sets.

    .venv/bin/python bench/normalize_speed.py [--repeat 5] [--reference path/to/normalize.py]

Why: normalisation is on the hot path of the archive import (100,000 claims in < 3 s on a 2-core
machine), so its per-claim cost is worth watching on its own. Data sets: the synthetic archive
claims that bench/reports.py imports ("Texas jobs rose 42% in 2011, the minister said in speech
123"), and, when ``<repo>/../shared/data`` is present, the PolitiFact claims (CT2021-2B) and the
ClaimBuster sentences. Each run starts with empty figure / number-word caches, as a fresh import
process does. Timings on a shared machine are noisy, so the clock is the process's CPU time (time
spent waiting for a core does not count) and the table shows the minimum over ``--repeat`` runs.
``--reference`` times another copy of the module too (e.g. the previous
version, saved with ``git show HEAD~1:domain/normalize.py > /tmp/normalize_ref.py``) and checks
that both give identical output.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))

TOPICS = ("jobs", "unemployment", "inflation", "rents", "wages", "taxes", "crime", "exports")
PLACES = ("Texas", "Ohio", "Germany", "France", "Kenya", "Brazil", "India", "Japan")
VERDICTS = ("True", "Mostly-True", "half-true", "pants-fire", "False", "Unproven")
CHECKERS = ("PolitiFact", "Snopes", "AFP", "Full Fact", "Maldita")


def synthetic_claims(rows: int = 100_000) -> list[str]:
    """The claim column of bench/reports.py's generated archive."""
    rng = random.Random(7)
    claims = []
    for i in range(rows):
        claims.append(
            f"{rng.choice(PLACES)} {rng.choice(TOPICS)} rose {i % 97}% in "
            f"{2000 + i % 25}, the minister said in speech {i}"
        )
        rng.choice(VERDICTS)  # bench/reports.py draws a verdict and a checker per row too
        rng.choice(CHECKERS)
    return claims


def data_sets() -> dict[str, list[str]]:
    sets = {"synthetic": synthetic_claims()}
    politifact = DATA / "clef2021_task2b_debates_politifact" / "politifact_vclaims.jsonl"
    if politifact.exists():
        with politifact.open(encoding="utf-8") as stream:
            sets["PolitiFact"] = [json.loads(line)["vclaim"] for line in stream if line.strip()]
    claimbuster = DATA / "claimbuster_2class_ncs" / "2.5xNCS.json"
    if claimbuster.exists():
        sets["ClaimBuster"] = [row["text"] for row in json.loads(claimbuster.read_text("utf-8"))]
    return sets


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def per_claim_us(modules: dict[str, ModuleType], texts: list[str], repeat: int) -> dict[str, float]:
    """Per module: minimum over ``repeat`` cold-cache runs of the mean time per text, in µs.

    The modules take turns within each repeat, so that a burst of load elsewhere on the machine
    hits them alike.
    """
    best = dict.fromkeys(modules, float("inf"))
    for _ in range(repeat):
        for name, module in modules.items():
            normalize: Callable[[str], str] = module.normalize_claim
            for cache in ("_figure_cache", "_number_word_cache"):
                getattr(module, cache, {}).clear()
            started = time.process_time()
            for text in texts:
                normalize(text)
            best[name] = min(best[name], time.process_time() - started)
    return {name: seconds / len(texts) * 1e6 for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reference", type=Path, help="another normalize.py to time and compare")
    args = parser.parse_args()

    modules = {"current": load_module(REPO / "domain" / "normalize.py", "normalize_current")}
    if args.reference:
        modules = {"reference": load_module(args.reference, "normalize_reference")} | modules
    sets = data_sets()
    if args.reference:
        reference, current = modules["reference"], modules["current"]
        for name, texts in sets.items():
            differ = sum(reference.normalize_claim(t) != current.normalize_claim(t) for t in texts)
            print(f"{name}: {len(texts):,} texts, {differ} differ from the reference")

    header = f"{'data set':<12} {'claims':>8}" + "".join(f" {m + ' µs':>13}" for m in modules)
    print(header)
    print("-" * len(header))
    for name, texts in sets.items():
        timings = per_claim_us(modules, texts, args.repeat)
        print(f"{name:<12} {len(texts):>8,}" + "".join(f" {us:>13.1f}" for us in timings.values()))


if __name__ == "__main__":
    main()
