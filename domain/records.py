"""The audit trail's values: a claim with every act on it, and an article's progress.

Blind review holds here too: a reviewer who has not rated a claim that is still open sees its
history without the ratings, so /claim and /history cannot be used to peek.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.tally import Tally
from domain.verdicts import ClaimStatus, Rating, VerdictKind

STATUS_WORDS = {
    ClaimStatus.PENDING: "pending",
    ClaimStatus.CHECKED: "checked",
    ClaimStatus.NOT_A_CLAIM: "not a claim",
    ClaimStatus.DISPUTED: "disputed",
}


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    who: str
    what: str


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    claim_id: int
    text: str
    status: ClaimStatus
    article_id: int | None
    article_title: str | None
    number: int
    final: Rating | None
    final_source: str | None
    events: list[Event]
    hidden: bool  # ratings withheld: blind review still open for this member


@dataclass(frozen=True, slots=True)
class ArticleProgress:
    article_id: int
    title: str | None
    submitted_by: str
    submitted_at: datetime
    tally: Tally
    show_ratings: bool
    claims: list[tuple[int, int, ClaimStatus]]  # (claim id, number, status)


def hides_ratings(*, required: int, status: ClaimStatus, is_admin: bool, rated: bool) -> bool:
    """Blind second review: while a claim is open, only admins and its own reviewers see ratings."""
    return required > 1 and not (status.is_final or is_admin or rated)


def verdict_event(
    *,
    kind: VerdictKind,
    rating: Rating,
    source_url: str | None,
    standing: bool,
    retracts_id: int | None,
    retracted: bool,
    hidden: bool,
) -> str:
    """One verdict row in words, saying plainly when it is history rather than a verdict."""
    label = "a verdict" if hidden else rating.label
    source = f" — {source_url}" if source_url and not hidden else ""
    if kind is VerdictKind.RETRACTION:
        return f"retracted {label} (verdict #{retracts_id})"
    what = {
        VerdictKind.REVIEW: f"rated {label}{source}",
        VerdictKind.SETTLEMENT: f"settled the dispute: {label}",
        VerdictKind.IMPORT: f"imported {label}{source}",
    }[kind]
    if standing:
        return what
    return what + (" (retracted)" if retracted else " (superseded)")
