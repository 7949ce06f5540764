"""What an export selects and what each exported row carries, independent of any format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.verdicts import Rating, VerdictKind


class RowKind(StrEnum):
    """What an exported row is in the record today: a verdict that counts, or history.

    Standing verdicts keep their own kind (review, settlement, import); history rows say why they
    no longer count. History appears only when the export asks for it.
    """

    REVIEW = "review"
    SETTLEMENT = "settlement"
    IMPORT = "import"
    RETRACTION = "retraction"
    RETRACTED = "retracted"
    SUPERSEDED = "superseded"

    @property
    def is_history(self) -> bool:
        return self in (RowKind.RETRACTION, RowKind.RETRACTED, RowKind.SUPERSEDED)


def row_kind(kind: VerdictKind, *, standing: bool, retracted: bool) -> RowKind:
    if kind is VerdictKind.RETRACTION:
        return RowKind.RETRACTION
    if standing:
        return RowKind(kind.value)
    return RowKind.RETRACTED if retracted else RowKind.SUPERSEDED


@dataclass(frozen=True, slots=True)
class VerdictFilter:
    """Which verdicts an export covers; every field left as None means "all"."""

    since: datetime | None = None
    until: datetime | None = None
    article_id: int | None = None
    reviewer: str | None = None
    ratings: frozenset[Rating] | None = None
    final_only: bool = False  # one row per final claim: its verdict (ClaimReview)
    include_history: bool = False  # retractions, retracted and superseded rows too


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One verdict row with everything any export format shows next to it."""

    verdict_id: int
    claim_id: int
    claim: str
    rating: Rating
    source_url: str | None
    reviewer: str
    kind: RowKind
    created_at: datetime
    article_id: int | None
    article_title: str | None
    appearance_url: str | None
    note: str | None
