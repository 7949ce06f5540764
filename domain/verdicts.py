"""The verdict scale a desk uses, and what each rating asks of the reviewer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Act:
    """A verdict row as the rules see it: who did what to the claim, in the order it happened."""

    id: int
    reviewer_id: int | None
    rating: Rating
    kind: VerdictKind
    retracts_id: int | None = None


def standing(acts: Sequence[Act], required: int) -> list[Act]:
    """The verdicts that count for a claim now, oldest first; everything else is history.

    Retractions and the verdicts they take back never count. A settlement or an imported verdict
    decides the claim alone (the newest one). Otherwise, with one review required the newest
    review stands and supersedes the earlier ones; with more, each reviewer's newest review
    stands. This is the one definition of "a verdict" used by every count, list and export.
    """
    retracted = {act.retracts_id for act in acts if act.retracts_id is not None}
    live = [a for a in acts if a.kind is not VerdictKind.RETRACTION and a.id not in retracted]
    deciding = [a for a in live if a.kind in (VerdictKind.SETTLEMENT, VerdictKind.IMPORT)]
    if deciding:
        return deciding[-1:]
    reviews = [a for a in live if a.kind is VerdictKind.REVIEW]
    if required <= 1:
        return reviews[-1:]
    newest = {act.reviewer_id: act for act in reviews}
    return sorted(newest.values(), key=lambda act: act.id)


def decide_status(acts: Sequence[Act], required: int) -> ClaimStatus:
    """Where a claim stands given all its verdict rows (oldest first).

    Final when a settlement or import decided it, or when `required` reviewers agree (the newest
    review, with one required); disputed when enough reviewers disagree; pending otherwise.
    """
    counted = standing(acts, required)
    if not counted:
        return ClaimStatus.PENDING
    if counted[-1].kind is not VerdictKind.REVIEW or required <= 1:
        return status_after(counted[-1].rating)
    if len(counted) < required:
        return ClaimStatus.PENDING
    ratings = {act.rating for act in counted}
    return status_after(ratings.pop()) if len(ratings) == 1 else ClaimStatus.DISPUTED


def final_verdict(acts: Sequence[Act], required: int) -> Act | None:
    """The verdict a final claim is known by (its newest standing one); None while not final."""
    counted = standing(acts, required)
    return counted[-1] if counted and decide_status(acts, required).is_final else None
