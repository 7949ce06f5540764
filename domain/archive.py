"""The archive of checked claims that every new claim is matched against.

The fuzzy index lives in memory; the database is the truth. Before each lookup the index takes in
the verdicts recorded since it last looked, so several bot replicas sharing one database see each
other's work within one query.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, verdict_queries
from db.engine import transaction
from db.models import Verdict
from domain.matching import ClaimIndex, Match
from domain.verdicts import Rating


@dataclass(frozen=True, slots=True)
class ArchivedVerdict:
    """An earlier verdict as the reviewer sees it next to a new claim."""

    claim_id: int
    claim_text: str
    verdict_id: int
    rating: Rating
    source_url: str | None
    reviewer: str
    checked_at: datetime
    score: float
    same: bool


class ClaimArchive:
    def __init__(self, engine: Engine, *, same_threshold: float, similar_threshold: float) -> None:
        self._engine = engine
        self._index = ClaimIndex(same_threshold=same_threshold, similar_threshold=similar_threshold)
        self._seen_verdict_id = 0
        self._refresh_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def refresh(self) -> None:
        """Take in verdicts recorded since the last refresh (all of them, the first time)."""
        with self._refresh_lock:
            changed = transaction(
                self._engine,
                lambda session: queries.verdicts_since(
                    session=session, after_verdict_id=self._seen_verdict_id
                ),
            )
            # One row per changed claim, so removals and additions do not depend on their order.
            judged = []
            for item in changed:
                if item.final and Rating(item.rating).is_judgement:
                    judged.append((item.claim_id, item.normalized_text))
                else:
                    self._index.remove(item.claim_id)
            self._index.add_many(judged, normalized=True)
            for item in changed:
                self._seen_verdict_id = max(self._seen_verdict_id, item.verdict_id)

    def lookup(self, text: str) -> tuple[ArchivedVerdict | None, list[ArchivedVerdict]]:
        """The earlier verdict on the same claim, if any, and earlier verdicts on similar ones."""
        self.refresh()
        same, similar = self._index.find(text)
        matches = ([same] if same else []) + similar
        if not matches:
            return None, []
        found = transaction(self._engine, lambda session: _describe(session, matches))
        first = found[0] if same and found and found[0].claim_id == same.claim_id else None
        return first, [item for item in found if item is not first]

    def search(self, text: str, *, limit: int = 5) -> list[ArchivedVerdict]:
        """The best candidates whatever their score, best first."""
        self.refresh()
        matches = self._index.best_matches(text, limit=limit)
        return transaction(self._engine, lambda session: _describe(session, matches))


def _describe(session: Session, matches: list[Match]) -> list[ArchivedVerdict]:
    """Attach each matched claim's newest verdict; matches whose verdict vanished are dropped."""
    result: list[ArchivedVerdict] = []
    verdicts = []
    for match in matches:
        claim = queries.get_claim(session=session, claim_id=match.claim_id)
        standing = verdict_queries.standing_verdicts(session=session, claim_id=match.claim_id)
        verdict = standing[-1] if standing else None
        if claim is None or verdict is None or not Rating(verdict.rating).is_judgement:
            continue
        verdicts.append((match, claim.text, verdict))
    names = queries.reviewer_names(
        session=session, ids=(v.reviewer_id for _, _, v in verdicts if v.reviewer_id is not None)
    )
    for match, text, verdict in verdicts:
        assert verdict.id is not None
        result.append(
            ArchivedVerdict(
                claim_id=match.claim_id,
                claim_text=text,
                verdict_id=verdict.id,
                rating=Rating(verdict.rating),
                source_url=verdict.source_url,
                reviewer=_reviewer_name(verdict, names),
                checked_at=verdict.created_at,
                score=match.score,
                same=match.same,
            )
        )
    return result


def _reviewer_name(verdict: Verdict, names: dict[int, str]) -> str:
    """Our reviewer's name, or the fact-checker named in an imported archive."""
    if verdict.reviewer_id is not None:
        return names.get(verdict.reviewer_id, "?")
    return verdict.external_reviewer or "imported archive"
