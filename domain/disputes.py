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
OWN_DISPUTE = "You cast one of its verdicts: another admin settles this dispute."
MAX_REASON_CHARS = 500


def may_settle(*, cast_a_verdict: bool, admins: int) -> bool:
    """An admin does not judge their own dispute, unless there is no other admin to ask."""
    return not cast_a_verdict or admins <= 1


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
    reason: str | None = None
    message_id: int | None = None  # the dispute's message, to mark settled


@dataclass(frozen=True, slots=True)
class SettleAsked:
    """The admin chose the verdict; the reason comes as a reply to the question."""

    claim_id: int
    rating: Rating


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
