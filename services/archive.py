"""The archive of checked claims that every new claim is matched against.

The fuzzy index lives in memory; the database is the truth. Each lookup first takes in the
verdicts recorded since the index last looked, inside the caller's unit of work, so several bot
replicas sharing one database see each other's work and a lookup costs no transaction of its own.
"""

from __future__ import annotations

import threading

from db.uow import Database, UnitOfWork
from domain.archived import ArchivedVerdict
from domain.matching import ClaimIndex


class ClaimArchive:
    def __init__(self, *, same_threshold: float, similar_threshold: float) -> None:
        self._index = ClaimIndex(same_threshold=same_threshold, similar_threshold=similar_threshold)
        self._seen_verdict_id = 0
        self._refresh_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def load(self, db: Database) -> None:
        """Build the index from the whole archive (at start, before the first update)."""
        db.run(self.refresh, effect=False)

    def refresh(self, tx: UnitOfWork) -> None:
        """Take in verdicts recorded since the last refresh (all of them, the first time)."""
        with self._refresh_lock:
            changed = tx.archive.changed_since(self._seen_verdict_id)
            # One row per changed claim, so removals and additions do not depend on their order.
            for item in changed:
                if not item.matchable:
                    self._index.remove(item.claim_id)
            self._index.add_many(
                [(item.claim_id, item.normalized_text) for item in changed if item.matchable],
                normalized=True,
            )
            for item in changed:
                self._seen_verdict_id = max(self._seen_verdict_id, item.verdict_id)

    def lookup(
        self, tx: UnitOfWork, text: str, *, exclude: int | None = None
    ) -> tuple[ArchivedVerdict | None, list[ArchivedVerdict]]:
        """The earlier verdict on the same claim, if any, and earlier verdicts on similar ones;
        each archived claim once, and never the claim `exclude` itself (blind review)."""
        self.refresh(tx)
        same, similar = self._index.find(text)
        matches = [m for m in ([same] if same else []) + similar if m.claim_id != exclude]
        found = _once(tx.archive.describe((m.claim_id, m.score, m.same) for m in matches))
        first = found[0] if found and found[0].same else None
        return first, [item for item in found if item is not first]

    def search(self, tx: UnitOfWork, text: str, *, limit: int = 5) -> list[ArchivedVerdict]:
        """The best candidates whatever their score, best first."""
        self.refresh(tx)
        matches = self._index.best_matches(text, limit=limit)
        return _once(tx.archive.describe((m.claim_id, m.score, m.same) for m in matches))


def _once(found: list[ArchivedVerdict]) -> list[ArchivedVerdict]:
    seen: set[int] = set()
    unique = []
    for item in found:
        if item.claim_id not in seen:
            seen.add(item.claim_id)
            unique.append(item)
    return unique


class ArchiveSearch:
    """/search and `factdesk search`: the archive's best candidates for a text, in one unit."""

    def __init__(self, db: Database, archive: ClaimArchive) -> None:
        self._db = db
        self._archive = archive

    def claims_like(self, text: str, *, limit: int = 5) -> list[ArchivedVerdict]:
        return self._db.run(lambda tx: self._archive.search(tx, text, limit=limit))
