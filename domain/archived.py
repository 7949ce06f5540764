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
    # Why it matched (the hybrid archive, services/archive.py): "same figures: 8000";
    # and what differs when it is only similar: "13 → 31", "another person: Obama / Clinton".
    agrees: tuple[str, ...] = ()
    differs: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """One line for the card: "Same claim (…)" or "Similar, not the same: 13 → 31"."""
        if self.same:
            return "Same claim" + (f" ({', '.join(self.agrees)})" if self.agrees else "")
        if self.differs:
            return "Similar, not the same: " + "; ".join(self.differs)
        return f"Similar, not the same ({self.score:.0f}%)"
