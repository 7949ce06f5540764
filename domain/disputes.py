"""Disagreements and second thoughts: what /disputed, a settlement and /undo hand back.

Neither deletes anything. A settlement is a verdict row of kind 'settlement' naming the admin;
an undo is a row of kind 'retraction' pointing at the verdict it takes back.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.verdicts import ClaimStatus, Rating
from domain.walk import Notice

ADMINS_ONLY = "Only the desk's admins settle disputes."
NO_SUCH_CLAIM = "There is no such claim."
NOT_DISPUTED = "This claim is not disputed (any more)."


@dataclass(frozen=True, slots=True)
class Opinion:
    reviewer: str
    rating: Rating
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Dispute:
    claim_id: int
    article_id: int | None
    text: str
    opinions: list[Opinion]


@dataclass(frozen=True, slots=True)
class Settled:
    claim_id: int
    text: str
    rating: Rating
    notices: tuple[Notice, ...]


@dataclass(frozen=True, slots=True)
class Undone:
    """A verdict retracted; `message_id` is the reviewer's message that showed it, if known."""

    claim_id: int
    number: int
    total: int
    text: str
    rating: Rating
    status: ClaimStatus
    message_id: int | None


@dataclass(frozen=True, slots=True)
class Refused:
    reason: str


def undo_refusal(minutes: float) -> Refused:
    return Refused(f"You have no verdict from the last {minutes:g} minutes to undo.")
