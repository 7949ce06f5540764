"""The one definition of the desk's numbers."""

from __future__ import annotations

from domain.tally import ClaimState, tally
from domain.verdicts import ClaimStatus, Rating

P, C, N, D = ClaimStatus.PENDING, ClaimStatus.CHECKED, ClaimStatus.NOT_A_CLAIM, ClaimStatus.DISPUTED


def test_open_claims_are_told_apart_and_only_final_ones_have_a_verdict() -> None:
    counted = tally(
        [
            ClaimState(C, Rating.FALSE, 1),
            ClaimState(N, Rating.NOT_A_CLAIM, 1),
            ClaimState(P, None, 1),  # rated once, waiting for the second reviewer
            ClaimState(P, None, 0),  # skipped, or its verdict undone
            ClaimState(D, None, 2),
        ]
    )
    assert (counted.total, counted.final, counted.open) == (5, 2, 3)
    assert (counted.awaiting_review, counted.unreviewed, counted.disputed) == (1, 1, 1)
    assert counted.by_rating == {Rating.FALSE: 1, Rating.NOT_A_CLAIM: 1}
    assert not counted.done


def test_done_means_every_claim_final() -> None:
    assert tally([ClaimState(C, Rating.TRUE)]).done
    assert not tally([]).done
