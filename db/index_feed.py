"""What the search index of archived claims reads from the database. Never commits.

The ``verdict`` table is an append-only log (reviews, settlements, retractions, imports), so the
index follows it by verdict id: the ids written since it last looked (and the ids it is still
waiting for, see ``domain/log_position.py``) name the claims whose standing changed, and
:func:`claim_states` says what each of those claims now is. A claim is *archived* (matched
against new claims) while it is final and its newest standing verdict (``Verdict.standing``)
judges it ("Not a claim" is not reused).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, case, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from db.models import Claim, Reviewer, Verdict
from domain.verdicts import ClaimStatus, Rating

# Statuses and ratings compared as the text stored: turning a million rows into enums was a fifth
# of a rebuild's time. (Statements run on the session's connection, without the ORM's row
# processing, for the same reason.)
_FINAL = frozenset(status.value for status in ClaimStatus if status.is_final)
_JUDGEMENTS = frozenset(rating.value for rating in Rating if rating.is_judgement)


@dataclass(frozen=True, slots=True)
class ClaimState:
    """A claim as the index needs it: its texts, and whether it belongs in the archive now."""

    claim_id: int
    text: str
    normalized_text: str
    archived: bool


@dataclass(frozen=True, slots=True)
class StandingVerdict:
    """The verdict a matched claim shows: its newest one that counts (not retracted)."""

    claim_id: int
    claim_text: str
    verdict_id: int
    rating: Rating
    source_url: str | None
    reviewer: str
    checked_at: datetime


def _rows(session: Session, statement: Any, parameters: Any = None) -> Any:
    """Rows of a Core statement, run on the session's connection (in its transaction)."""
    return session.connection().execute(statement, parameters)


def _newest_standing() -> Any:
    """The id of a claim's newest standing verdict, as an aggregate over its verdicts.

    The claim ids are the only condition of the queries that use it, so the planner always
    takes the claim_id index: with ``standing`` in the WHERE clause, SQLite without statistics
    (no ANALYZE yet) walked the index on ``standing`` instead, i.e. every verdict (0.3 s per
    lookup at 1,000,000 claims).
    """
    return func.max(case((col(Verdict.standing), col(Verdict.id))))


def newest_verdict_id(*, session: Session) -> int:
    """The highest verdict id committed so far (0 for an empty log)."""
    return int(session.execute(sa_select(func.max(Verdict.id))).scalar() or 0)


def count_claims(*, session: Session) -> int:
    """All claims, archived or not (the total of a rebuild's progress bar)."""
    return int(session.execute(sa_select(func.count()).select_from(Claim)).scalar() or 0)


def verdicts_after(
    *, session: Session, after_id: int, also: Collection[int] = (), limit: int = 100_000
) -> list[tuple[int, int]]:
    """``(verdict_id, claim_id)`` of the verdicts above ``after_id`` (at most ``limit``, lowest
    first) and of those among ``also`` (ids below it that were not committed when last seen)."""
    params = {"after": after_id, "limit": limit + len(also)}
    statement = _VERDICTS_ABOVE
    if also:  # ids still awaited: rare, and a statement of their own
        above = col(Verdict.id) > bindparam("after")
        statement = _verdicts_where(or_(above, col(Verdict.id).in_(list(also))))
    return [(int(vid), int(cid)) for vid, cid in _rows(session, statement, params)]


def _verdicts_where(condition: Any) -> Any:
    return (
        sa_select(col(Verdict.id), col(Verdict.claim_id))
        .where(condition)
        .order_by(col(Verdict.id))
        .limit(bindparam("limit"))
    )


# Built once: read before every lookup.
_VERDICTS_ABOVE = _verdicts_where(col(Verdict.id) > bindparam("after"))


def _claim_rows_statement() -> Any:
    status = type_coerce(col(Claim.status), String)
    return sa_select(col(Claim.id), col(Claim.text), col(Claim.normalized_text), status)


def _ratings(session: Session, statement: Any, params: dict[str, Any]) -> dict[int, str]:
    return dict(_rows(session, statement, params).all())


def _ratings_statement(claim_filter: Any) -> Any:
    """The rating of each claim's newest standing verdict, over ``claim_filter`` (a range or
    list of claim ids, served by the claim_id index; a correlated subquery per claim was
    quadratic on SQLite once ``verdict.standing`` had an index of its own)."""
    newest = (
        sa_select(col(Verdict.claim_id), _newest_standing().label("vid"))
        .where(claim_filter)
        .group_by(col(Verdict.claim_id))
        .subquery()
    )
    return sa_select(newest.c.claim_id, type_coerce(col(Verdict.rating), String)).join(
        Verdict, col(Verdict.id) == newest.c.vid
    )


# Built once: the index asks for a few claims' states after every verdict.
_CLAIMS_NAMED = _claim_rows_statement().where(col(Claim.id).in_(bindparam("ids", expanding=True)))
_RATINGS_NAMED = _ratings_statement(col(Verdict.claim_id).in_(bindparam("ids", expanding=True)))


def _states(claims: list[Any], ratings: dict[int, str]) -> list[ClaimState]:
    """The state of each claim row (id, text, normalized text, status), given the rating of
    its newest standing verdict."""
    return [
        ClaimState(
            claim_id=claim_id,
            text=text,
            normalized_text=normalized,
            archived=status in _FINAL and ratings.get(claim_id) in _JUDGEMENTS,
        )
        for claim_id, text, normalized, status in claims
    ]


def claim_states(*, session: Session, claim_ids: Collection[int]) -> list[ClaimState]:
    """The current state of each claim named (unknown ids are left out)."""
    ids = list(claim_ids)
    states: list[ClaimState] = []
    for start in range(0, len(ids), 10_000):  # bound the bound parameters (SQLite's limit)
        chunk = {"ids": ids[start : start + 10_000]}
        rows = list(_rows(session, _CLAIMS_NAMED, chunk))
        if rows:
            states.extend(_states(rows, _ratings(session, _RATINGS_NAMED, chunk)))
    return states


def claims_after(*, session: Session, after_claim_id: int, limit: int) -> list[ClaimState]:
    """The next ``limit`` claims by id after ``after_claim_id``, archived or not (a rebuild and
    the embedding fill page through the archive with this)."""
    statement = (
        _claim_rows_statement()
        .where(col(Claim.id) > after_claim_id)
        .order_by(col(Claim.id))
        .limit(limit)
    )
    rows = list(_rows(session, statement))
    if not rows:
        return []
    first, last = int(rows[0][0]), int(rows[-1][0])
    in_range = _ratings_statement(col(Verdict.claim_id).between(first, last))
    return _states(rows, _ratings(session, in_range, {}))


def _standing_statement() -> Any:
    """Built once: the newest standing verdict of each claim in an expanding list of ids."""
    ids: Any = bindparam("ids", expanding=True)
    newest = (
        sa_select(_newest_standing().label("vid"))
        .where(col(Verdict.claim_id).in_(ids))
        .group_by(col(Verdict.claim_id))
        .subquery()
    )
    return (
        sa_select(
            col(Verdict.claim_id),
            col(Verdict.id),
            col(Verdict.rating),
            col(Verdict.source_url),
            col(Verdict.external_reviewer),
            col(Verdict.created_at),
            col(Claim.text),
            col(Reviewer.name),
            col(Verdict.reviewer_id),
        )
        .join(newest, newest.c.vid == col(Verdict.id))
        .join(Claim, col(Claim.id) == col(Verdict.claim_id))
        .join(Reviewer, col(Reviewer.id) == col(Verdict.reviewer_id), isouter=True)
    )


_STANDING = _standing_statement()


def standing_verdicts(
    *, session: Session, claim_ids: Collection[int]
) -> dict[int, StandingVerdict]:
    """Each named claim's newest verdict that counts, when it is a judgement (one query, on
    every lookup: the statement is built once)."""
    if not claim_ids:
        return {}
    newest: dict[int, StandingVerdict] = {}
    rows = _rows(session, _STANDING, {"ids": list(claim_ids)})
    for cid, vid, rating, source, external, created, text, name, reviewer_id in rows:
        # Our reviewer's name, or the fact-checker named in an imported archive.
        who = (name or "?") if reviewer_id is not None else (external or "imported archive")
        newest[int(cid)] = StandingVerdict(
            claim_id=int(cid),
            claim_text=text,
            verdict_id=int(vid),
            rating=Rating(rating),
            source_url=source,
            reviewer=who,
            checked_at=created,
        )
    return {cid: v for cid, v in newest.items() if v.rating.is_judgement}
