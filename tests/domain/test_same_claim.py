"""The "same claim" rule on Factdesk's own restatement and near-miss sets (bench/matching_sets.py
prints the full table)."""

from __future__ import annotations

import json
from pathlib import Path

from domain.embedding import get_encoder
from domain.matching import compare_claims

PAIRS = json.loads(
    (Path(__file__).parent / "fixtures" / "same_claim_pairs.json").read_text(encoding="utf-8")
)


def _cosine(a: str, b: str) -> float:
    vectors = get_encoder().encode([a, b])
    return float(vectors[0] @ vectors[1])


def test_no_near_miss_is_ever_the_same_claim_and_each_names_its_difference() -> None:
    for kind, archived, new in PAIRS["near_misses"]:
        result = compare_claims(
            new, archived, cosine=_cosine(archived, new), encode=get_encoder().encode
        )
        assert not result.same, (kind, archived, new)
        assert result.differs or kind == "subject", (kind, archived, new)


def test_restatements_are_the_same_claim() -> None:
    same = [
        compare_claims(
            new, archived, cosine=_cosine(archived, new), encode=get_encoder().encode
        ).same
        for archived, new in PAIRS["restatements"]
    ]
    # 38 of 40; the misses are listed by bench/matching_sets.py (target: 95%).
    assert sum(same) / len(same) >= 0.95


ADDED = json.loads(
    (Path(__file__).parent / "fixtures" / "same_claim_pairs_added.json").read_text(encoding="utf-8")
)


def test_pairs_written_after_the_calibration_hold_too() -> None:
    """The 20 + 20 pairs added after the rule was tuned: no near-miss is the same claim, and
    16 of 20 restatements are (the four misses are listed by bench/matching_sets.py)."""
    encode = get_encoder().encode
    for kind, archived, new in ADDED["near_misses"]:
        result = compare_claims(new, archived, cosine=_cosine(archived, new), encode=encode)
        assert not result.same and result.differs, (kind, archived, new)
    same = [
        compare_claims(new, archived, cosine=_cosine(archived, new), encode=encode).same
        for archived, new in ADDED["restatements"]
    ]
    assert sum(same) >= 16


def test_a_comparison_turned_around_is_recognised_with_an_attribution_after_it() -> None:
    """ "…, the report claims" after both comparisons does not hide that one is turned around."""
    archived = "Electric cars produce more emissions than petrol cars, the report claims"
    encode = get_encoder().encode
    turned = "Petrol cars emit less than electric cars, the report claims"
    swapped = "Petrol cars produce more emissions than electric cars, the report claims"
    assert compare_claims(turned, archived, cosine=_cosine(archived, turned), encode=encode).same
    result = compare_claims(swapped, archived, cosine=_cosine(archived, swapped), encode=encode)
    assert not result.same and any(d.startswith("roles swapped") for d in result.differs)
