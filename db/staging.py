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
from typing import Any

STAGED_COLUMNS = (
    "claim",
    "normalized",
    "rating",
    "source_url",
    "reviewer",
    "appearance_url",
    "created_at",
    "import_key",
)
StagedRow = tuple[str, str, str, str | None, str | None, str | None, datetime, str]


def write_staged(path: str, rows: Iterable[StagedRow]) -> None:
    """Write rows to a new scratch file at `path`; nothing here needs to survive a crash."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(f"CREATE TABLE staged ({', '.join(STAGED_COLUMNS)})")
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO staged VALUES ({', '.join('?' for _ in STAGED_COLUMNS)})",
            ((*row[:6], sqlite_timestamp(row[6]), row[7]) for row in rows),
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


def read_staged(path: str) -> list[tuple[Any, ...]]:
    """The staged rows in file order, as tuples in the order of STAGED_COLUMNS."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT * FROM staged ORDER BY rowid").fetchall()
    finally:
        connection.close()
