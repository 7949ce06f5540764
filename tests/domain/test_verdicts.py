"""Which verdicts stand and how they decide a claim's status: single and blind second review."""

from __future__ import annotations

from itertools import count

from domain.verdicts import Act, ClaimStatus, Rating, VerdictKind, decide_status, standing

R, S, IMP, X = (
    VerdictKind.REVIEW,
    VerdictKind.SETTLEMENT,
    VerdictKind.IMPORT,
    VerdictKind.RETRACTION,
)
F, T, N = Rating.FALSE, Rating.TRUE, Rating.NOT_A_CLAIM


def acts(
    *rows: tuple[int | None, Rating, VerdictKind] | tuple[int | None, Rating, VerdictKind, int],
) -> list[Act]:
    """Acts numbered 1, 2, 3… as given; a fourth item is the id a retraction takes back."""
    ids = count(1)
    return [
        Act(next(ids), row[0], row[1], row[2], row[3] if len(row) > 3 else None) for row in rows
    ]


def test_single_review_takes_the_newest_verdict() -> None:
    assert decide_status([], 1) is ClaimStatus.PENDING
    assert decide_status(acts((1, F, R)), 1) is ClaimStatus.CHECKED
    assert decide_status(acts((1, F, R), (2, N, R)), 1) is ClaimStatus.NOT_A_CLAIM
    assert [a.id for a in standing(acts((1, F, R), (2, N, R)), 1)] == [2]  # 1 is superseded


def test_second_review_waits_agrees_or_disputes() -> None:
    assert decide_status(acts((1, F, R)), 2) is ClaimStatus.PENDING
    assert decide_status(acts((1, F, R), (1, T, R)), 2) is ClaimStatus.PENDING  # one reviewer
    assert decide_status(acts((1, F, R), (2, F, R)), 2) is ClaimStatus.CHECKED
    assert decide_status(acts((1, F, R), (2, T, R)), 2) is ClaimStatus.DISPUTED
    assert decide_status(acts((1, F, R), (2, T, R), (1, T, R)), 2) is ClaimStatus.CHECKED
    assert [a.id for a in standing(acts((1, F, R), (2, T, R), (1, T, R)), 2)] == [2, 3]


def test_settlement_and_import_are_final_and_stand_alone() -> None:
    settled = acts((1, F, R), (2, T, R), (3, N, S))
    assert decide_status(settled, 2) is ClaimStatus.NOT_A_CLAIM
    assert [a.id for a in standing(settled, 2)] == [3]
    assert decide_status(acts((None, F, IMP)), 3) is ClaimStatus.CHECKED


def test_a_retraction_and_what_it_retracts_never_stand() -> None:
    undone = acts((1, F, R), (1, F, X, 1))
    assert standing(undone, 1) == []
    assert decide_status(undone, 1) is ClaimStatus.PENDING
    # the earlier verdict a retracted one had superseded stands again
    back = acts((1, T, R), (2, F, R), (2, F, X, 2))
    assert [a.id for a in standing(back, 1)] == [1]
    assert decide_status(back, 1) is ClaimStatus.CHECKED
