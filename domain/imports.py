"""Importing another desk's archive of fact-checks, so that matching knows it from day one.

Accepted files: CSV (columns ``claim``, ``verdict``, ``source``; optional ``date``, ``reviewer``,
``url``), JSON (an array of objects with the same keys, e.g. ``factdesk export json``), and
schema.org ClaimReview JSON-LD (one object, an array, or an ``@graph``; as exported by this tool or
by other fact-checkers). Factdesk's own CSV/JSON column names (``reviewed_at``, ``article_url``)
are read too, so every export is also an importable archive.

Each row becomes a claim without an article and a verdict of kind ``import``. Verdict words are
mapped by :mod:`domain.verdict_words`. A row's ``import_key`` is a hash of its claim, verdict,
source, date and reviewer, stored unique, so importing a file twice adds nothing. Bad rows are
rejected with their line number (CSV) or record number (JSON) and the good ones are kept. Rows are
written in batches, each its own transaction, with SQLAlchemy core bulk inserts; an interrupted
import is finished by running it again. Imported verdicts reach the matcher on its next refresh,
which picks up new verdicts by id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache, partial
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import archive_queries
from db.archive_queries import ImportedVerdictRow
from db.engine import transaction
from domain.links import LinkError, check_source_link
from domain.normalize import normalize_claim
from domain.verdict_words import rating_from_word

REQUIRED_COLUMNS = ("claim", "verdict", "source")
_ALIASES = {
    "claim": ("claim", "claimreviewed", "claim_reviewed", "text"),
    "verdict": ("verdict", "rating", "alternatename", "label"),
    "source": ("source", "source_url", "link"),
    "date": ("date", "reviewed_at", "datepublished", "date_published"),
    "reviewer": ("reviewer", "author", "fact_checker"),
    "url": ("url", "article_url", "appearance", "appearance_url"),
}
_MAX_REVIEWER = 200


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, format, columns, empty); one line."""


@dataclass(frozen=True, slots=True)
class Rejection:
    where: str  # "line 7" or "record 3"
    reason: str
    unknown_verdict: str | None = None


@dataclass(frozen=True, slots=True)
class ImportRow:
    where: str
    claim: str
    rating: str
    source_url: str | None
    reviewer: str | None
    appearance_url: str | None
    reviewed_at: datetime | None
    key: str


@dataclass(frozen=True, slots=True)
class ImportSource:
    """A readable file: its kind, how many records it holds, and its rows (parsed lazily)."""

    kind: str
    total: int
    rows: Iterator[ImportRow | Rejection]


@dataclass
class ImportSummary:
    added: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unknown_verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.added + self.duplicates + len(self.rejected)


# --- reading files ---------------------------------------------------------------------------


def read_import_file(path: Path) -> ImportSource:
    """Decode and recognise the file; row-level problems come later, as Rejections."""
    text = _decode(path.read_bytes())
    if not text.strip():
        raise ImportFileError("the file is empty: nothing to import")
    suffix = path.suffix.lower()
    if suffix in {".json", ".jsonld"} or (suffix != ".csv" and text.lstrip()[:1] in "[{"):
        return _json_source(text)
    return _csv_source(text)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as UTF-8 and import again"
        ) from None


def _csv_source(text: str) -> ImportSource:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None) or []
    names = [name.strip().lower() for name in header]
    columns: dict[str, int] = {}
    for canonical, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in names:
                columns[canonical] = names.index(alias)
                break
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(
            f"missing column(s): {', '.join(missing)} (found: {', '.join(header) or 'none'}); "
            f"a CSV needs {', '.join(REQUIRED_COLUMNS)} and may have date, reviewer, url"
        )

    def rows() -> Iterator[ImportRow | Rejection]:
        try:
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                values = {
                    name: record[index] if index < len(record) else ""
                    for name, index in columns.items()
                }
                yield parse_row(values, where=f"line {reader.line_num}")
        except csv.Error as error:
            yield Rejection(f"line {reader.line_num}", f"unreadable CSV ({error}); stopped here")

    total = max(text.count("\n") - (0 if text.endswith("\n") else -1) - 1, 0)
    return ImportSource(kind="csv", total=total, rows=rows())


def _json_source(text: str) -> ImportSource:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    items = _json_items(document)
    if not items:
        raise ImportFileError("the JSON holds no records: nothing to import")
    claimreview = any(_is_claimreview(item) for item in items)

    def rows() -> Iterator[ImportRow | Rejection]:
        for number, item in enumerate(items, start=1):
            where = f"record {number}"
            if not isinstance(item, dict):
                yield Rejection(where, "not a JSON object")
            elif _is_claimreview(item):
                yield parse_row(_claimreview_values(item), where=where)
            else:
                lowered = {str(k).lower(): v for k, v in item.items()}
                values = {
                    canonical: next((lowered[a] for a in aliases if a in lowered), None)
                    for canonical, aliases in _ALIASES.items()
                }
                yield parse_row(values, where=where)

    kind = "claimreview" if claimreview else "json"
    return ImportSource(kind=kind, total=len(items), rows=rows())


def _json_items(document: Any) -> list[Any]:
    if isinstance(document, dict):
        if "@graph" in document:
            return _json_items(document["@graph"])
        for key in ("claims", "items", "records", "verdicts"):
            if isinstance(document.get(key), list):
                return _json_items(document[key])
        return [document]
    if isinstance(document, list):
        items: list[Any] = []
        for element in document:
            items.extend(_json_items(element) if isinstance(element, list) else [element])
        return items
    return []


def _is_claimreview(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return "ClaimReview" in kinds or "claimReviewed" in item


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _name_or_url(value: Any, key: str) -> Any:
    value = _first(value)
    return value.get(key) if isinstance(value, dict) else value


def _claimreview_values(item: dict[str, Any]) -> dict[str, Any]:
    rating = _first(item.get("reviewRating"))
    item_reviewed = _first(item.get("itemReviewed"))
    appearance = None
    if isinstance(item_reviewed, dict):
        appearance = _name_or_url(
            item_reviewed.get("appearance") or item_reviewed.get("firstAppearance"), "url"
        )
    return {
        "claim": item.get("claimReviewed"),
        "verdict": rating.get("alternateName") if isinstance(rating, dict) else None,
        "source": item.get("url"),
        "date": item.get("datePublished"),
        "reviewer": _name_or_url(item.get("author"), "name"),
        "url": appearance,
    }


# --- one row ---------------------------------------------------------------------------------


# Most archive links are plain http(s) URLs: accept those at a glance; anything else goes through
# the reviewers' link check, which explains what is wrong.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#][^\s<>]*)?")


def _link(text: str) -> str:
    if len(text) <= 2048 and _PLAIN_URL.fullmatch(text):
        return text
    return check_source_link(text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def parse_row(values: dict[str, Any], *, where: str) -> ImportRow | Rejection:
    """Check one record's values and turn them into an ImportRow, or say why not."""
    claim = _text(values.get("claim"))
    if not claim:
        return Rejection(where, "no claim text")
    word = _text(values.get("verdict"))
    if not word:
        return Rejection(where, "no verdict")
    rating = rating_from_word(word)
    if rating is None:
        return Rejection(where, f"unknown verdict {word!r}", unknown_verdict=word)
    source = _text(values.get("source")) or None
    if source is not None:
        try:
            source = _link(source)
        except LinkError as error:
            return Rejection(where, f"bad source link: {error}")
    elif rating.needs_source:
        return Rejection(where, f"a {rating.label} verdict needs a source link")
    url = _text(values.get("url")) or None
    if url is not None:
        try:
            url = _link(url)
        except LinkError as error:
            return Rejection(where, f"bad url: {error}")
    raw_date = _text(values.get("date"))
    reviewed_at = None
    if raw_date:
        reviewed_at = _parse_when(raw_date)
        if reviewed_at is None:
            return Rejection(where, f"bad date {raw_date!r} (expected e.g. 2026-11-01)")
    reviewer = _text(values.get("reviewer"))[:_MAX_REVIEWER] or None
    key = hashlib.sha256(
        "\x1f".join(
            (
                claim,
                rating.value,
                source or "",
                reviewed_at.isoformat() if reviewed_at else "",
                reviewer or "",
            )
        ).encode("utf-8")
    ).hexdigest()
    return ImportRow(where, claim, rating.value, source, reviewer, url, reviewed_at, key)


@lru_cache(maxsize=4096)
def _parse_when(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = datetime.combine(date.fromisoformat(text[:10]), time(0))
        except ValueError:
            return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


# --- storing ---------------------------------------------------------------------------------


def _batches(
    rows: Iterable[ImportRow | Rejection], size: int
) -> Iterator[list[ImportRow | Rejection]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


# Below this many rows in a batch, worker processes cost more than they save.
_POOL_MIN_BATCH = 2000


def _normalize_many(texts: list[str]) -> list[str]:
    return [normalize_claim(text) for text in texts]


class ImportService:
    """Writes parsed rows into the archive, a batch per transaction.

    Normalising claim text is the costliest step (tens of microseconds a claim), so for large
    files it runs in worker processes while this one parses and inserts the batches before and
    after: a pipeline with a few batches in flight. Small imports stay in-process.
    """

    def __init__(
        self, engine: Engine, *, batch_size: int = 10_000, workers: int | None = None
    ) -> None:
        self._engine = engine
        self._batch_size = batch_size
        self._workers = workers if workers is not None else min(os.cpu_count() or 1, 4)

    def import_rows(
        self,
        rows: Iterable[ImportRow | Rejection],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> ImportSummary:
        summary = ImportSummary()
        seen: set[str] = set()
        imported_at = datetime.now(UTC)
        pool: ProcessPoolExecutor | None = None
        in_flight: deque[tuple[int, list[ImportRow], Future[list[str]] | list[str]]] = deque()

        def finish(batch_size: int, fresh: list[ImportRow], normalized: Any) -> None:
            texts = normalized if isinstance(normalized, list) else normalized.result()
            added = transaction(
                self._engine, partial(self._store, fresh=fresh, texts=texts, at=imported_at)
            )
            summary.added += added
            summary.duplicates += len(fresh) - added
            if progress is not None:
                progress(batch_size)

        try:
            for batch in _batches(rows, self._batch_size):
                fresh = self._fresh_rows(batch, summary, seen)
                claims = [row.claim for row in fresh]
                if pool is None and self._workers > 1 and len(batch) >= _POOL_MIN_BATCH:
                    pool = ProcessPoolExecutor(self._workers, mp_context=get_context("spawn"))
                pending: Future[list[str]] | list[str] = (
                    pool.submit(_normalize_many, claims) if pool else _normalize_many(claims)
                )
                in_flight.append((len(batch), fresh, pending))
                while len(in_flight) > self._workers:
                    finish(*in_flight.popleft())
            while in_flight:
                finish(*in_flight.popleft())
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        return summary

    def _fresh_rows(
        self, batch: list[ImportRow | Rejection], summary: ImportSummary, seen: set[str]
    ) -> list[ImportRow]:
        """The batch's rows neither rejected, nor repeated in the file, nor already stored."""
        candidates: list[ImportRow] = []
        for item in batch:
            if isinstance(item, Rejection):
                summary.rejected.append(item)
                if item.unknown_verdict is not None:
                    summary.unknown_verdicts[item.unknown_verdict] += 1
            elif item.key in seen:
                summary.duplicates += 1
            else:
                seen.add(item.key)
                candidates.append(item)
        stored = transaction(
            self._engine,
            lambda session: archive_queries.existing_import_keys(
                session=session, keys=[row.key for row in candidates]
            ),
        )
        summary.duplicates += len(stored)
        return [row for row in candidates if row.key not in stored]

    @staticmethod
    def _store(session: Session, *, fresh: list[ImportRow], texts: list[str], at: datetime) -> int:
        """Insert the rows; the key check is repeated inside the transaction, so two imports of
        one file at the same time still add each row once (the unique key is the last word)."""
        existing = archive_queries.existing_import_keys(
            session=session, keys=(row.key for row in fresh)
        )
        return archive_queries.insert_imported(
            session=session,
            rows=[
                ImportedVerdictRow(
                    claim=row.claim,
                    normalized=text,
                    rating=row.rating,
                    source_url=row.source_url,
                    reviewer=row.reviewer,
                    appearance_url=row.appearance_url,
                    created_at=row.reviewed_at or at,
                    import_key=row.key,
                )
                for row, text in zip(fresh, texts, strict=True)
                if row.key not in existing
            ],
        )
