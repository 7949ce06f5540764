"""An earlier verdict as the archive hands it back next to a new claim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.verdicts import Rating


@dataclass(frozen=True, slots=True)
class ArchivedVerdict:
    """A checked claim the archive found, with its standing verdict and how well it matched."""

    claim_id: int
    claim_text: str
    verdict_id: int
    rating: Rating
    source_url: str | None
    reviewer: str
    checked_at: datetime
    score: float
    same: bool
