"""The verdict scale a desk uses, and what each rating asks of the reviewer."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Rating(StrEnum):
    """A reviewer's verdict on a claim. The values are stored in the database: never rename them."""

    TRUE = "true"
    MOSTLY_TRUE = "mostly_true"
    MISLEADING = "misleading"
    FALSE = "false"
    UNVERIFIABLE = "unverifiable"
    NOT_A_CLAIM = "not_a_claim"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def needs_source(self) -> bool:
        """A rating that judges the claim must cite where the reviewer checked it."""
        return self in {Rating.TRUE, Rating.MOSTLY_TRUE, Rating.MISLEADING, Rating.FALSE}

    @property
    def may_have_source(self) -> bool:
        """Unverifiable may cite what was tried, but can be saved without a link."""
        return self.needs_source or self is Rating.UNVERIFIABLE

    @property
    def is_judgement(self) -> bool:
        """Ratings that say something about the claim's truth, and so can be reused later."""
        return self is not Rating.NOT_A_CLAIM


_LABELS = {
    Rating.TRUE: "True",
    Rating.MOSTLY_TRUE: "Mostly true",
    Rating.MISLEADING: "Misleading",
    Rating.FALSE: "False",
    Rating.UNVERIFIABLE: "Unverifiable",
    Rating.NOT_A_CLAIM: "Not a claim",
}

#: Ratings in the order the buttons and reports show them.
RATING_ORDER: tuple[Rating, ...] = tuple(Rating)


class ClaimStatus(StrEnum):
    """Where a claim stands in review. Stored in the database: never rename the values."""

    PENDING = "pending"
    CHECKED = "checked"
    NOT_A_CLAIM = "not_a_claim"
    DISPUTED = "disputed"

    @property
    def is_final(self) -> bool:
        return self in {ClaimStatus.CHECKED, ClaimStatus.NOT_A_CLAIM}


class VerdictKind(StrEnum):
    """What a verdict row records. Stored in the database: never rename the values."""

    REVIEW = "review"
    SETTLEMENT = "settlement"
    RETRACTION = "retraction"
    IMPORT = "import"


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"


def status_after(rating: Rating) -> ClaimStatus:
    return ClaimStatus.NOT_A_CLAIM if rating is Rating.NOT_A_CLAIM else ClaimStatus.CHECKED


def decide_status(
    acts: Sequence[tuple[int | None, Rating, VerdictKind]], required: int
) -> ClaimStatus:
    """Where a claim stands given its standing verdicts (oldest first, retractions taken out).

    A settlement (or an imported verdict) is final whatever came before. With one review
    required the newest review stands, as a changed verdict always did; with more, each
    reviewer's newest review counts once, and the claim is final when `required` reviewers
    agree and disputed when they do not.
    """
    settled = [rating for _, rating, kind in acts if kind is not VerdictKind.REVIEW]
    if settled:
        return status_after(settled[-1])
    if not acts:
        return ClaimStatus.PENDING
    if required <= 1:
        return status_after(acts[-1][1])
    newest = {reviewer: rating for reviewer, rating, _ in acts}
    if len(newest) < required:
        return ClaimStatus.PENDING
    ratings = set(newest.values())
    return status_after(ratings.pop()) if len(ratings) == 1 else ClaimStatus.DISPUTED
