"""Scratch files that carry prepared import rows from a worker process to the writer.

A worker writes a chunk's rows into a small SQLite file of its own; the process that owns the
database then loads the file in one statement per table (``INSERT … SELECT`` from the attached
file on SQLite, ``COPY`` on PostgreSQL). Handing rows over this way costs the writer no Python per
row, and the writer is the one part of an import that cannot run in parallel.

Timestamps are stored as UTC text in SQLAlchemy's own SQLite format, so on SQLite they are copied
as they are and compare correctly with the ones the ORM writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple


class StagedRow(NamedTuple):
    """One imported row on its way to the claim and verdict tables."""

    claim: str
    normalized: str
    rating: str
    source_url: str | None
    reviewer: str | None
    appearance_url: str | None
    created_at: str  # UTC, as `sqlite_timestamp` writes it
    import_key: str


def write_staged(path: str, rows: Iterable[StagedRow]) -> None:
    """Write rows to a new scratch file at `path`; nothing here needs to survive a crash."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(f"CREATE TABLE staged ({', '.join(StagedRow._fields)})")
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO staged VALUES ({', '.join('?' for _ in StagedRow._fields)})", rows
        )
        connection.execute("COMMIT")
    finally:
        connection.close()


@lru_cache(maxsize=8192)
def sqlite_timestamp(when: datetime) -> str:
    """The text SQLAlchemy stores for a UTC datetime on SQLite (archives repeat their dates)."""
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}.{when.microsecond:06d}"
    )


def read_staged(path: str) -> list[StagedRow]:
    """The staged rows in file order."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT * FROM staged ORDER BY rowid").fetchall()
        return [StagedRow._make(row) for row in rows]
    finally:
        connection.close()
