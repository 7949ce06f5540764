"""The one definition of every number the desk shows: checked, pending, disputed, verdicts.

`/stats`, `/article`, `/team`, `/mine`, `/queue`, the summaries and the exports all count through
these functions, so no two views can disagree. A claim is *final* when it is checked (a judgement
stands) or marked not a claim; *open* when pending or disputed. Only standing verdicts
(`domain.verdicts.standing`) are verdicts: retractions and superseded rows are history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from domain.verdicts import RATING_ORDER, ClaimStatus, Rating


@dataclass(frozen=True, slots=True)
class ClaimState:
    """What counting needs to know of one claim."""

    status: ClaimStatus
    final_rating: Rating | None = None  # set when the claim is final
    reviews: int = 0  # standing reviews so far (blind second review: fewer than required)


@dataclass(frozen=True, slots=True)
class Tally:
    """Claims by where they stand, and final claims by their verdict."""

    total: int = 0
    checked: int = 0
    not_a_claim: int = 0
    disputed: int = 0
    awaiting_review: int = 0  # pending with a verdict already, waiting for another reviewer
    unreviewed: int = 0  # pending with no standing verdict: never rated, skipped or undone
    by_rating: dict[Rating, int] = field(default_factory=dict)

    @property
    def final(self) -> int:
        return self.checked + self.not_a_claim

    @property
    def pending(self) -> int:
        return self.awaiting_review + self.unreviewed

    @property
    def open(self) -> int:
        return self.pending + self.disputed

    @property
    def done(self) -> bool:
        """Every claim has a final verdict (an article with no claims is not 'done')."""
        return self.total > 0 and self.open == 0


def tally(claims: Iterable[ClaimState]) -> Tally:
    statuses: Counter[ClaimStatus] = Counter()
    ratings: Counter[Rating] = Counter()
    awaiting = 0
    for claim in claims:
        statuses[claim.status] += 1
        if claim.status.is_final and claim.final_rating is not None:
            ratings[claim.final_rating] += 1
        if claim.status is ClaimStatus.PENDING and claim.reviews:
            awaiting += 1
    return Tally(
        total=sum(statuses.values()),
        checked=statuses[ClaimStatus.CHECKED],
        not_a_claim=statuses[ClaimStatus.NOT_A_CLAIM],
        disputed=statuses[ClaimStatus.DISPUTED],
        awaiting_review=awaiting,
        unreviewed=statuses[ClaimStatus.PENDING] - awaiting,
        by_rating={r: ratings[r] for r in RATING_ORDER if ratings[r]},
    )
