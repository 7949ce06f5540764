"""Loading another desk's archive: the one writer of `factdesk import`.

Imports arrive as staged files (`db.staging`) and are loaded whole at the driver
level, a transaction per file: ``INSERT … SELECT`` from the attached file on SQLite, COPY on
PostgreSQL. No ORM objects and no Python per row in the writer is what makes 100,000 rows a matter
of seconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from db.staging import read_staged
from db.uow import Database
from domain.verdicts import ClaimStatus, VerdictKind

CHECKED, IMPORT = ClaimStatus.CHECKED.value, VerdictKind.IMPORT.value


def _stored_import_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of these import keys are already stored: one PostgreSQL array probe of the unique
    index. (SQLite does this inside its ``INSERT … SELECT``.)"""
    if not keys:
        return set()
    rows = session.connection().exec_driver_sql(
        "SELECT import_key FROM verdict WHERE import_key = ANY(%s)", (keys,)
    )
    return {key for (key,) in rows}


def load_staged(engine: Engine, path: str) -> int:
    """Add the rows of a staged import chunk (`db.staging`) whose import key is not stored yet,
    each as a claim without an article and its verdict; returns how many were added.

    Imported claims sit at position 0: NULL article ids never collide in the (article_id,
    position) unique constraint, on SQLite and PostgreSQL alike.
    """
    if engine.dialect.name == "sqlite":
        return _load_staged_sqlite(engine, path)
    return Database(engine).run_in_session(lambda session: _load_staged_copy(session, path=path))


# Claim ids are ``base + rowid`` of the staged row: one statement per table, no id round trip.
# The claims go in first, for the rows whose key is new; the verdicts then follow the claims (a
# primary-key probe each, cheaper than probing the import keys again; no probe at all when every
# staged row got its claim, as in a first import).
_SQLITE_LOAD_CLAIMS = (
    "INSERT INTO claim (id, article_id, position, text, normalized_text, score, status, "
    "created_at, appearance_url) "
    f"SELECT :base + s.rowid, NULL, 0, s.claim, s.normalized, 0.0, '{CHECKED}', s.created_at, "
    "s.appearance_url FROM staging.staged AS s "
    "WHERE NOT EXISTS (SELECT 1 FROM main.verdict AS v WHERE v.import_key = s.import_key)"
)
_SQLITE_LOAD_ALL_VERDICTS = (
    "INSERT INTO verdict (claim_id, external_reviewer, kind, import_key, rating, source_url, "
    "created_at) "
    f"SELECT :base + s.rowid, s.reviewer, '{IMPORT}', s.import_key, s.rating, s.source_url, "
    "s.created_at FROM staging.staged AS s"
)
_SQLITE_LOAD_VERDICTS = (
    f"{_SQLITE_LOAD_ALL_VERDICTS} "
    "WHERE EXISTS (SELECT 1 FROM main.claim AS c WHERE c.id = :base + s.rowid)"
)
# While loading: a page cache that holds the indexes being filled (SQLite's default is 2 MB, and
# the import-key index is filled in random order), no fsync at each commit and no checkpoint after
# each chunk (`finish_load` checkpoints once). In WAL mode that risks no corruption; a power cut
# could only undo the last chunks, which importing again redoes.
_SQLITE_LOAD_PRAGMAS = {"cache_size": -262_144, "synchronous": 1, "wal_autocheckpoint": 0}


def _load_staged_sqlite(engine: Engine, path: str) -> int:
    """ATTACH the staged file and copy its rows inside SQLite, in one write transaction.

    This works on the driver connection because SQLite refuses ATTACH and DETACH inside a
    transaction, which the ORM session would have opened. BEGIN IMMEDIATE takes the write lock
    first, so max(id) stays ours until COMMIT.
    """
    pooled = engine.raw_connection()
    try:
        connection: Any = pooled.driver_connection
        before = {
            name: connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in _SQLITE_LOAD_PRAGMAS
        }
        for name, value in _SQLITE_LOAD_PRAGMAS.items():
            connection.execute(f"PRAGMA {name}={value}")
        connection.execute("ATTACH DATABASE ? AS staging", (path,))
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                (base,) = connection.execute("SELECT coalesce(max(id), 0) FROM claim").fetchone()
                (staged,) = connection.execute("SELECT count(*) FROM staging.staged").fetchone()
                added = int(connection.execute(_SQLITE_LOAD_CLAIMS, {"base": base}).rowcount)
                verdicts = _SQLITE_LOAD_ALL_VERDICTS if added == staged else _SQLITE_LOAD_VERDICTS
                connection.execute(verdicts, {"base": base})
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.execute("DETACH DATABASE staging")
            for name, value in before.items():
                connection.execute(f"PRAGMA {name}={value}")
    finally:
        pooled.close()
    return added


def finish_load(engine: Engine) -> None:
    """Copy what the loads wrote to SQLite's write-ahead log into the database file, once, and
    give SQLite's planner statistics of the tables (as PostgreSQL's ANALYZE in the COPY path).

    Without statistics SQLite takes any indexed column as selective, ``verdict.standing`` (true
    for nearly every row) included, and scans that index where the claim_id index answers at
    once. ANALYZE reads the indexes once: about a second at 1,000,000 claims.
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            connection.exec_driver_sql("ANALYZE")


_CLAIM_COLUMNS = (
    "id",
    "article_id",
    "position",
    "text",
    "normalized_text",
    "score",
    "status",
    "created_at",
    "appearance_url",
)
_VERDICT_COLUMNS = (
    "claim_id",
    "external_reviewer",
    "kind",
    "import_key",
    "rating",
    "source_url",
    "created_at",
)


def _load_staged_copy(session: Session, *, path: str) -> int:
    """PostgreSQL: the new rows go in by COPY, with claim ids taken from the id sequence."""
    rows = read_staged(path)
    stored = _stored_import_keys(session, [row.import_key for row in rows])
    fresh = [row for row in rows if row.import_key not in stored]
    if not fresh:
        return 0
    connection = session.connection()
    claim_ids = [
        int(value)
        for (value,) in connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('claim', 'id')) FROM generate_series(1, :n)"
            ),
            {"n": len(fresh)},
        )
    ]
    driver_connection: Any = connection.connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY claim ({', '.join(_CLAIM_COLUMNS)}) FROM STDIN") as copy:
            for cid, row in zip(claim_ids, fresh, strict=True):
                copy.write_row(
                    (
                        cid,
                        None,
                        0,
                        row.claim,
                        row.normalized,
                        0.0,
                        CHECKED,
                        f"{row.created_at}+00",
                        row.appearance_url,
                    )
                )
        with cursor.copy(f"COPY verdict ({', '.join(_VERDICT_COLUMNS)}) FROM STDIN") as copy:
            for cid, row in zip(claim_ids, fresh, strict=True):
                copy.write_row(
                    (
                        cid,
                        row.reviewer,
                        IMPORT,
                        row.import_key,
                        row.rating,
                        row.source_url,
                        f"{row.created_at}+00",
                    )
                )
        # A fresh table has no statistics until autovacuum gets to it, and PostgreSQL then plans
        # the import-key lookups as sequential scans. Analysing whenever the table has (at least)
        # doubled keeps the plans right at a logarithmic cost.
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'verdict'")
        known = cursor.fetchone()
        if known is None or known[0] < len(fresh):
            cursor.execute("ANALYZE claim, verdict")
    return len(fresh)
