"""Calibrate and check the claim matcher (domain.matching) on claim-retrieval data.

Usage::

    .venv/bin/python bench/calibrate_matching.py            # full report
    .venv/bin/python bench/calibrate_matching.py --quick    # skip the train/dev threshold sweep

What it prints:

1. Ranking quality of ``ClaimIndex.best_matches`` — MAP@5, MRR@5 and Recall@5 on the
   CheckThat! 2020 task 2 (tweets -> Snopes) and 2021 task 2B (debates -> PolitiFact) sets, next
   to the local BM25 references (0.852 and 0.317 MAP@5 on test).
2. A threshold sweep for ``same``: for every query of train+dev+test, the top-5 candidates are
   labelled relevant (a gold pair: the same claim) or not (a near-miss the ranker liked). For each
   threshold it prints how many pairs would be flagged ``same`` and the precision. A false "same"
   makes a reviewer reuse a wrong verdict, so the default is the lowest threshold whose precision
   on these pairs is >= 0.95, and never below the synthetic near-miss check.
3. A synthetic near-miss set (built here from templates, not from the data): pairs that differ by
   a figure, a negation, a place, an action or an actor must not be ``same``; pairs that differ only
   in surface form (abbreviations, number formats, word order, case) should be.

The data is research-only and is read from ``<repo>/../shared/data``; nothing is copied. The script
exits with a clear message when the folder is absent.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from domain.matching import (  # noqa: E402
    DEFAULT_SAME_THRESHOLD,
    DEFAULT_SIMILAR_THRESHOLD,
    ClaimIndex,
)

DATA = REPO.parent / "shared" / "data"
CT20 = DATA / "clef2020_task2_claim_retrieval"
CT21 = DATA / "clef2021_task2b_debates_politifact"

csv.field_size_limit(10_000_000)


@dataclass(frozen=True)
class Dataset:
    """Verified claims (id -> text), queries (qid -> text) and gold pairs (qid -> ids)."""

    name: str
    vclaims: dict[int, str]
    queries: dict[str, str]
    qrels: dict[str, set[int]]


def _read_qrels(path: Path) -> dict[str, list[str]]:
    gold: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t") if "\t" in line else line.split()
        if len(parts) >= 4 and parts[3].strip() == "1":
            gold.setdefault(parts[0].strip(), []).append(parts[2].strip())
    return gold


def load_ct2020(split: str) -> Dataset:
    """CT2020-T2: vclaim + title as the archived text (as the BM25 reference does)."""
    vclaims: dict[int, str] = {}
    with (CT20 / "verified_claims.docs.tsv").open(encoding="utf-8", newline="") as fh:
        for record in csv.DictReader(fh, delimiter="\t"):
            key = record[""] if "" in record else record["id"]
            vclaims[int(key)] = f"{record['vclaim']} {record['title']}"
    queries: dict[str, str] = {}
    with (CT20 / f"{split}.tweets.queries.tsv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        for row in reader:
            queries[row[0]] = row[1]
    gold = _read_qrels(CT20 / f"{split}.tweet-vclaim-pairs.qrels")
    qrels = {q: {int(v) for v in vs} for q, vs in gold.items()}
    return Dataset(f"CT2020-T2 {split}", vclaims, queries, qrels)


def load_ct2021(split: str) -> Dataset:
    """CT2021-2B: PolitiFact vclaim + title; ids 'vclaim-pol-00042' become 42."""
    vclaims: dict[int, str] = {}
    for line in (CT21 / "politifact_vclaims.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        vclaims[_pol_id(row["vclaim_id"])] = f"{row['vclaim']} {row['title']}"
    qfile = "test.iclaims.queries.tsv" if split == "test" else "train_dev.iclaims.queries.tsv"
    queries: dict[str, str] = {}
    for line in (CT21 / qfile).read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        queries[qid.strip()] = text
    gold = _read_qrels(CT21 / f"{split}.qrels.tsv")
    qrels = {q: {_pol_id(v) for v in vs} for q, vs in gold.items()}
    return Dataset(f"CT2021-2B {split}", vclaims, queries, qrels)


def _pol_id(text: str) -> int:
    return int(text.rsplit("-", 1)[1])


def average_precision_at_k(ranked: Sequence[int], relevant: set[int], k: int = 5) -> float:
    hits = 0
    total = 0.0
    for rank, cid in enumerate(ranked[:k], start=1):
        if cid in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0


@dataclass(frozen=True)
class Labelled:
    """One (query, candidate) pair from the top-5 with its gold label."""

    score: float
    vetoed: bool
    relevant: bool


def evaluate(ds: Dataset, index: ClaimIndex) -> tuple[dict[str, float], list[Labelled]]:
    """MAP@5 / MRR@5 / R@5 of best_matches, plus the labelled top-5 pairs for the sweep."""
    ap = rr = recall = 0.0
    pairs: list[Labelled] = []
    started = time.perf_counter()
    scored = 0
    for qid, relevant in ds.qrels.items():
        text = ds.queries.get(qid)
        if text is None:
            continue
        scored += 1
        matches = index.best_matches(text, limit=5)
        ranked = [m.claim_id for m in matches]
        ap += average_precision_at_k(ranked, relevant)
        rr += next((1.0 / r for r, c in enumerate(ranked, 1) if c in relevant), 0.0)
        recall += len(relevant & set(ranked)) / len(relevant)
        for m in matches:
            vetoed = m.score >= index.same_threshold and not m.same
            pairs.append(Labelled(m.score, vetoed, m.claim_id in relevant))
    elapsed = time.perf_counter() - started
    n = max(scored, 1)
    metrics = {
        "queries": float(scored),
        "MAP@5": ap / n,
        "MRR@5": rr / n,
        "R@5": recall / n,
        "ms/query": 1000 * elapsed / n,
    }
    return metrics, pairs


def build_index(vclaims: dict[int, str], same_threshold: float) -> ClaimIndex:
    index = ClaimIndex(same_threshold=same_threshold)
    index.add_many(vclaims.items())
    return index


# -- synthetic near-miss set -------------------------------------------------------------------

# (kind, archived claim, new claim, expected same?)
SYNTHETIC: tuple[tuple[str, str, str, bool], ...] = (
    ("figure", "Unemployment rose to 5% last year", "Unemployment rose to 7% last year", False),
    (
        "figure",
        "70,000 migrants crossed the Channel in 2022",
        "7,000 migrants crossed the Channel in 2022",
        False,
    ),
    ("figure", "The wall cost $5 billion", "The wall cost $15 billion", False),
    ("figure", "Crime fell in 2019 in London", "Crime fell in 2020 in London", False),
    (
        "figure",
        "One in four children lives in poverty",
        "One in five children lives in poverty",
        False,
    ),
    (
        "negation",
        "The vaccine is safe for pregnant women",
        "The vaccine is not safe for pregnant women",
        False,
    ),
    (
        "negation",
        "Masks prevent the spread of covid",
        "Masks do not prevent the spread of covid",
        False,
    ),
    ("negation", "The senator voted for the bill", "The senator never voted for the bill", False),
    (
        "negation",
        "Climate change is caused by humans",
        "Climate change isn't caused by humans",
        False,
    ),
    (
        "place",
        "Unemployment in France is at a record high",
        "Unemployment in Germany is at a record high",
        False,
    ),
    (
        "place",
        "Texas has the highest murder rate in the country",
        "Florida has the highest murder rate in the country",
        False,
    ),
    (
        "place",
        "Knife crime doubled in London since 2015",
        "Knife crime doubled in Manchester since 2015",
        False,
    ),
    (
        "place",
        "The EU banned the pesticide glyphosate",
        "The US banned the pesticide glyphosate",
        False,
    ),
    (
        "action",
        "Violent crime rose by 10 percent in Chicago",
        "Violent crime fell by 10 percent in Chicago",
        False,
    ),
    (
        "action",
        "The governor raised taxes on the middle class",
        "The governor cut taxes on the middle class",
        False,
    ),
    ("action", "The Senate approved the border bill", "The Senate rejected the border bill", False),
    ("action", "Abortion is legal in Ireland", "Abortion is illegal in Ireland", False),
    (
        "action",
        "More people died of flu than covid in 2020",
        "Fewer people died of flu than covid in 2020",
        False,
    ),
    (
        "actor",
        "Joe Biden said inflation is at 9 percent",
        "Donald Trump said inflation is at 9 percent",
        False,
    ),
    (
        "actor",
        "Obama deported more immigrants than any president",
        "Clinton deported more immigrants than any president",
        False,
    ),
    (
        "actor",
        "Pfizer paid 2 billion dollars in fines",
        "Moderna paid 2 billion dollars in fines",
        False,
    ),
    (
        "surface",
        "Unemployment in the U.S. rose to 8,000,000",
        "US unemployment rose to 8 million",
        True,
    ),
    (
        "surface",
        "11% of British adults smoke",
        "11 per cent of adults in the United Kingdom smoke",
        True,
    ),
    (
        "surface",
        "The NHS spends £5bn on agency staff",
        "the National Health Service spends 5 billion pounds on agency staff",
        True,
    ),
    (
        "surface",
        "Eight people died in the fire at the factory",
        "8 people died in the factory fire",
        True,
    ),
    (
        "surface",
        "The European Union banned plastic straws",
        "Plastic straws were banned by the EU",
        True,
    ),
    ("surface", "Vaccines cause autism", "VACCINES CAUSE AUTISM!!!", True),
    ("surface", "The president doesn't pay taxes", "The President does not pay taxes.", True),
    (
        "surface",
        "1.5 million jobs were lost in America last year",
        "1,500,000 jobs were lost in the USA last year",
        True,
    ),
    ("surface", "The mayor spent $5 on coffee", "The mayor spent 5 dollars on coffee", True),
    (
        "surface",
        "Immigrants commit more crimes than citizens",
        "Immigrants commit more crimes than citizens, says study",
        True,
    ),
)


def synthetic_report(same_threshold: float) -> dict[str, tuple[int, int]]:
    """kind -> (pairs flagged same, pairs) on the synthetic set at ``same_threshold``."""
    result: dict[str, tuple[int, int]] = {}
    for kind, archived, new, _expected in SYNTHETIC:
        index = ClaimIndex(same_threshold=same_threshold)
        index.add_many([(1, archived), (2, "An unrelated claim about football transfers")])
        best = index.best_matches(new, limit=1)
        flagged = int(bool(best) and best[0].claim_id == 1 and best[0].same)
        got, total = result.get(kind, (0, 0))
        result[kind] = (got + flagged, total + 1)
    return result


def synthetic_scores() -> list[tuple[str, float, bool]]:
    rows = []
    for kind, archived, new, _expected in SYNTHETIC:
        index = ClaimIndex(same_threshold=0.0)
        index.add(1, archived)
        best = index.best_matches(new, limit=1)
        rows.append((kind, best[0].score if best else 0.0, bool(best and best[0].same)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="test split only, no sweep")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"SKIP: data folder {DATA} not found (research data is not shipped with the repo)")
        return 0
    print(f"defaults: same >= {DEFAULT_SAME_THRESHOLD}, similar >= {DEFAULT_SIMILAR_THRESHOLD}\n")
    splits = ["test"] if args.quick else ["train", "dev", "test"]
    all_pairs: list[Labelled] = []
    print(f"{'set':<22}{'queries':>8}{'MAP@5':>8}{'MRR@5':>8}{'R@5':>7}{'ms/q':>7}   BM25 ref")
    for loader, ref, have in ((load_ct2020, 0.852, CT20), (load_ct2021, 0.317, CT21)):
        if not have.is_dir():
            print(f"SKIP: {have} not found")
            continue
        index: ClaimIndex | None = None
        for split in splits:
            ds = loader(split)
            if index is None:
                index = build_index(ds.vclaims, 0.0)
            metrics, pairs = evaluate(ds, index)
            all_pairs.extend(pairs)
            ref_text = f"{ref:.3f}" if split == "test" else ""
            print(
                f"{ds.name:<22}{int(metrics['queries']):>8}{metrics['MAP@5']:>8.3f}"
                f"{metrics['MRR@5']:>8.3f}{metrics['R@5']:>7.3f}{metrics['ms/query']:>7.1f}"
                f"   {ref_text}"
            )
    if not args.quick:
        print("\n'same' threshold sweep on top-5 pairs (all splits; vetoes applied):")
        print(f"{'threshold':>9}{'flagged':>9}{'relevant':>9}{'precision':>10}{'synthetic FP':>14}")
        for t in range(50, 101, 5):
            flagged = [p for p in all_pairs if p.score >= t and not p.vetoed]
            good = sum(p.relevant for p in flagged)
            precision = good / len(flagged) if flagged else float("nan")
            synth = synthetic_report(float(t))
            false_same = sum(v[0] for k, v in synth.items() if k != "surface")
            print(f"{t:>9}{len(flagged):>9}{good:>9}{precision:>10.3f}{false_same:>14}")
    print("\nsynthetic near-miss set at the default threshold (flagged same / pairs):")
    for kind, (got, total) in synthetic_report(DEFAULT_SAME_THRESHOLD).items():
        want = "want all" if kind == "surface" else "want 0"
        print(f"  {kind:<9}{got:>3} / {total:<3} {want}")
    print("\nsynthetic pair scores (kind, score, same):")
    for kind, score, same in synthetic_scores():
        print(f"  {kind:<9}{score:>7.2f}  {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
