"""The queue's values: pending claims oldest first, and what /next and /mine hand back.

A claim handed out by /next is locked for the desk's lock time; a lock that runs out puts the
claim back in the queue. With blind second review a reviewer is never handed a claim they rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.verdicts import Rating, VerdictKind
from domain.walk import ClaimCard

PAGE_SIZE = 8


class AssignmentOutcome(StrEnum):
    """How a /next assignment ended. Stored in the database: never rename the values."""

    REVIEWED = "reviewed"
    SETTLED = "settled"
    SKIPPED = "skipped"
    EXPIRED = "expired"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class QueuedClaim:
    claim_id: int
    text: str
    number: int
    article_id: int
    article_title: str | None
    created_at: datetime
    locked: bool


@dataclass(frozen=True, slots=True)
class Assigned:
    card: ClaimCard
    until: datetime
    again: bool  # the caller already held this claim


@dataclass(frozen=True, slots=True)
class QueueEmpty:
    pending: int


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueuedClaim]
    page: int
    pages: int
    pending: int
    articles: int


def page_count(pending: int) -> int:
    return max(1, -(-pending // PAGE_SIZE))


@dataclass(frozen=True, slots=True)
class MineItem:
    claim_id: int
    text: str
    rating: Rating | None
    kind: VerdictKind | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Mine:
    assigned: list[MineItem]
    recent: list[MineItem]
