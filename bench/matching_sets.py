"""The "same claim" rule on the restatement and near-miss sets, one row per kind.

    .venv/bin/python bench/matching_sets.py [--list]

The sets are Factdesk's own sentences (tests/domain/fixtures/same_claim_pairs.json): 40
restatements (aliases, number formats, synonyms, reordering, passive voice) and near-misses that
differ in a figure, a negation, a place, a direction, an actor, or what is said of the same
subject. Targets: >= 95% of restatements "same", no near-miss "same". ``--list`` prints every
pair that misses, with its cosine and the difference named.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.embedding import get_encoder  # noqa: E402
from domain.matching import compare_claims  # noqa: E402


def main() -> int:
    pairs = json.loads((ROOT / "tests/domain/fixtures/same_claim_pairs.json").read_text())
    encoder = get_encoder()
    show = "--list" in sys.argv
    rows: list[tuple[str, str, str]] = [("restatement", a, b) for a, b in pairs["restatements"]]
    rows += [(kind, a, b) for kind, a, b in pairs["near_misses"]]
    total: Counter[str] = Counter()
    same: Counter[str] = Counter()
    for kind, archived, new in rows:
        vectors = encoder.encode([archived, new])
        cosine = float(vectors[0] @ vectors[1])
        result = compare_claims(new, archived, cosine=cosine, encode=encoder.encode)
        total[kind] += 1
        same[kind] += result.same
        wrong = result.same != (kind == "restatement")
        if show and wrong:
            print(f"  {kind:11} cos {cosine:.3f} {result.differs} | {archived} | {new}")
    print(f"{'set':12} {'pairs':>5} {'same':>5} {'share':>6}")
    for kind in total:
        print(f"{kind:12} {total[kind]:5} {same[kind]:5} {same[kind] / total[kind]:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
