"""How far a reader has followed an append-only log whose ids may commit out of order.

Why: PostgreSQL hands out ids when a row is inserted, not when it commits. Transaction A takes id
41, transaction B takes 42 and commits first; a reader that then remembers "I have seen up to 42"
never sees 41. So the position is the highest id seen **plus the gaps below it**: ids not seen
yet, which are either still uncommitted or rolled back (a rolled-back id never appears). Each poll
asks for the ids above the high mark *and* the gaps; a gap that stays empty for ``GAP_SECONDS`` is
taken to be a rollback and forgotten. The gap list is bounded (the newest ids are kept): a huge
rolled-back import must not make every poll send thousands of ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GAP_SECONDS", "MAX_GAPS", "LogPosition"]

#: How long an id that is missing below the high mark is awaited (a long import transaction
#: holds its ids until it commits; minutes are plenty for a review).
GAP_SECONDS = 600.0
#: At most this many missing ids are awaited (the newest).
MAX_GAPS = 2_000


@dataclass(slots=True)
class LogPosition:
    """The highest id seen and the ids below it still awaited (id -> when first missed)."""

    high: int = 0
    gaps: dict[int, float] = field(default_factory=dict)

    def advance(self, seen: Iterable[int], *, now: float) -> None:
        """Take in the ids a poll returned; ids skipped over become gaps."""
        ids = set(seen)
        for verdict_id in ids:
            self.gaps.pop(verdict_id, None)
        top = max(ids, default=self.high)
        if top > self.high:
            start = max(self.high + 1, top - MAX_GAPS)
            for verdict_id in range(start, top):
                if verdict_id not in ids:
                    self.gaps[verdict_id] = now
            self.high = top
        if len(self.gaps) > MAX_GAPS:
            for verdict_id in sorted(self.gaps)[: len(self.gaps) - MAX_GAPS]:
                del self.gaps[verdict_id]

    def expire(self, *, now: float, older_than: float = GAP_SECONDS) -> None:
        """Forget gaps awaited longer than ``older_than`` seconds (rolled back, for all we know)."""
        for verdict_id in [i for i, since in self.gaps.items() if now - since > older_than]:
            del self.gaps[verdict_id]

    def to_json(self) -> dict[str, Any]:
        return {"high": self.high, "gaps": [[i, t] for i, t in sorted(self.gaps.items())]}

    @classmethod
    def from_json(cls, data: object) -> LogPosition:
        """The position saved by :meth:`to_json`; a missing or malformed one starts at 0."""
        if not isinstance(data, dict):
            return cls()
        try:
            gaps = {int(i): float(t) for i, t in data.get("gaps", [])}
            return cls(high=int(data.get("high", 0)), gaps=gaps)
        except (TypeError, ValueError):
            return cls()
