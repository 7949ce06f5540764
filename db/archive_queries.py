"""Queries for exports and for importing another desk's archive.

Like `db.queries`, every function takes the caller's session and never commits. Exports stream with
`yield_per`; imports use SQLAlchemy core `insert()` with many parameter sets (one round trip per
batch, no ORM objects), which is what makes 100,000 rows a matter of seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, insert, or_, text, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from db.models import Article, Claim, Reviewer, Verdict


@dataclass(frozen=True, slots=True)
class VerdictFilter:
    """Which verdicts an export covers; every field left as None means "all"."""

    since: datetime | None = None
    until: datetime | None = None
    article_id: int | None = None
    reviewer: str | None = None
    ratings: frozenset[str] | None = None
    final_only: bool = False


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One verdict with everything any export format shows next to it."""

    verdict_id: int
    claim_id: int
    claim: str
    rating: str
    source_url: str | None
    reviewer: str
    kind: str
    created_at: datetime
    article_id: int | None
    article_title: str | None
    appearance_url: str | None
    note: str | None


def _export_statement(filters: VerdictFilter) -> Select[*tuple[Any, ...]]:
    reviewer_name = func.coalesce(col(Reviewer.name), col(Verdict.external_reviewer), "")
    statement = (
        sa_select(
            col(Verdict.id),
            col(Verdict.claim_id),
            col(Claim.text),
            col(Verdict.rating),
            col(Verdict.source_url),
            reviewer_name,
            col(Verdict.kind),
            col(Verdict.created_at),
            col(Claim.article_id),
            col(Article.title),
            func.coalesce(col(Article.url), col(Claim.appearance_url)),
            col(Verdict.note),
        )
        .join(Claim, col(Claim.id) == Verdict.claim_id)
        .outerjoin(Article, col(Article.id) == Claim.article_id)
        .outerjoin(Reviewer, col(Reviewer.id) == Verdict.reviewer_id)
    )
    if filters.final_only:
        newest = (
            sa_select(func.max(col(Verdict.id)).label("vid"))
            .group_by(col(Verdict.claim_id))
            .scalar_subquery()
        )
        statement = statement.where(col(Verdict.id).in_(newest))
    if filters.since is not None:
        statement = statement.where(col(Verdict.created_at) >= filters.since)
    if filters.until is not None:
        statement = statement.where(col(Verdict.created_at) < filters.until)
    if filters.article_id is not None:
        statement = statement.where(col(Claim.article_id) == filters.article_id)
    if filters.ratings is not None:
        statement = statement.where(col(Verdict.rating).in_(sorted(filters.ratings)))
    if filters.reviewer is not None:
        wanted = filters.reviewer.lstrip("@").casefold()
        conditions = [
            func.lower(col(Reviewer.name)) == wanted,
            func.lower(col(Reviewer.username)) == wanted,
            func.lower(col(Verdict.external_reviewer)) == wanted,
        ]
        if wanted.isdigit():
            conditions.append(col(Reviewer.telegram_id) == int(wanted))
        statement = statement.where(or_(*conditions))
    return statement.order_by(col(Verdict.id))


def iter_export_records(
    *, session: Session, filters: VerdictFilter, batch_size: int = 5000
) -> Iterator[ExportRecord]:
    """The verdicts a filter selects, oldest first, streamed in batches (flat memory)."""
    statement = _export_statement(filters).execution_options(
        stream_results=True, yield_per=batch_size
    )
    row: Any
    for row in session.connection().execute(statement):
        yield ExportRecord(*row)


# --- import ----------------------------------------------------------------------------------


def existing_import_keys(*, session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these import keys are already stored (a batch at a time, from the caller)."""
    wanted = list(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        rows = session.connection().execute(
            sa_select(col(Verdict.import_key)).where(col(Verdict.import_key).in_(chunk))
        )
        found.update(key for (key,) in rows if key is not None)
    return found


@dataclass(frozen=True, slots=True)
class ImportedVerdictRow:
    """A row ready to insert: a claim without an article and its imported verdict."""

    claim: str
    normalized: str
    rating: str
    source_url: str | None
    reviewer: str | None
    appearance_url: str | None
    created_at: datetime
    import_key: str


def _allocate_claim_ids(session: Session, count: int) -> list[int]:
    """Reserve `count` claim ids, so claims and verdicts go in as two plain bulk inserts.

    PostgreSQL: taken from the id sequence, safe beside concurrent writers. SQLite has one writer
    at a time: a no-op write takes the database's write lock first, after which max(id) + 1… is ours
    until commit (the same ids SQLite would have picked).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('claim', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [int(value) for (value,) in rows]
    connection.execute(update(Claim).where(false()).values(position=0))
    highest = connection.execute(sa_select(func.max(col(Claim.id)))).scalar_one() or 0
    return list(range(highest + 1, highest + 1 + count))


def insert_imported(*, session: Session, rows: Sequence[ImportedVerdictRow]) -> int:
    """Insert claims (no article, position 0) and their verdicts with two bulk statements.

    NULL article ids never collide in the (article_id, position) unique constraint, on SQLite and
    PostgreSQL alike, so every imported claim may sit at position 0.
    """
    if not rows:
        return 0
    claim_ids = _allocate_claim_ids(session, len(rows))
    connection = session.connection()
    connection.execute(
        insert(Claim),
        [
            {
                "id": claim_id,
                "article_id": None,
                "position": 0,
                "text": row.claim,
                "normalized_text": row.normalized,
                "score": 0.0,
                "status": "checked",
                "created_at": row.created_at,
                "appearance_url": row.appearance_url,
            }
            for claim_id, row in zip(claim_ids, rows, strict=True)
        ],
    )
    connection.execute(
        insert(Verdict),
        [
            {
                "claim_id": claim_id,
                "reviewer_id": None,
                "external_reviewer": row.reviewer,
                "kind": "import",
                "import_key": row.import_key,
                "rating": row.rating,
                "source_url": row.source_url,
                "created_at": row.created_at,
            }
            for claim_id, row in zip(claim_ids, rows, strict=True)
        ],
    )
    return len(rows)
