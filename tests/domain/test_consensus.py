"""How standing verdicts decide a claim's status, single and blind second review."""

from __future__ import annotations

from domain.verdicts import ClaimStatus, Rating, VerdictKind, decide_status

R, S, IMP = VerdictKind.REVIEW, VerdictKind.SETTLEMENT, VerdictKind.IMPORT
F, T, N = Rating.FALSE, Rating.TRUE, Rating.NOT_A_CLAIM


def test_single_review_takes_the_newest_verdict() -> None:
    assert decide_status([], 1) is ClaimStatus.PENDING
    assert decide_status([(1, F, R)], 1) is ClaimStatus.CHECKED
    assert decide_status([(1, F, R), (2, N, R)], 1) is ClaimStatus.NOT_A_CLAIM


def test_second_review_waits_agrees_or_disputes() -> None:
    assert decide_status([(1, F, R)], 2) is ClaimStatus.PENDING
    assert decide_status([(1, F, R), (1, T, R)], 2) is ClaimStatus.PENDING  # same reviewer twice
    assert decide_status([(1, F, R), (2, F, R)], 2) is ClaimStatus.CHECKED
    assert decide_status([(1, F, R), (2, T, R)], 2) is ClaimStatus.DISPUTED
    assert decide_status([(1, F, R), (2, T, R), (1, T, R)], 2) is ClaimStatus.CHECKED


def test_settlement_and_import_are_final() -> None:
    assert decide_status([(1, F, R), (2, T, R), (3, N, S)], 2) is ClaimStatus.NOT_A_CLAIM
    assert decide_status([(None, F, IMP)], 3) is ClaimStatus.CHECKED
