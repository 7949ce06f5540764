"""Backing up and restoring the database, for `factdesk db backup` / `factdesk db restore`.

SQLite uses its online backup API, so a backup taken while the bot runs is a consistent snapshot
(the bot's writes wait a moment, they are not lost). PostgreSQL uses `pg_dump`'s custom format and
`pg_restore`, the server's own tools, which must be on PATH; the password goes to them in the
environment, never on the command line where `ps` would show it.

A restore replaces the database's content with the backup's, then brings the schema up to date,
so a backup from an older Factdesk restores into a newer one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from db.migrate import upgrade

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    bytes: int


def backup(database_url: str, target: Path) -> BackupResult:
    """Write a backup of the database to `target` (replaced if it exists)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_path(url), target)
    elif url.get_backend_name() == "postgresql":
        _pg_dump(url, target)
    else:
        raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
    return BackupResult(target, target.stat().st_size)


def restore(database_url: str, source: Path) -> None:
    """Replace the database's content with the backup's, then migrate it to the current schema."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = make_url(database_url)
    with source.open("rb") as stream:
        head = stream.read(16)
    if url.get_backend_name() == "sqlite":
        if not head.startswith(_SQLITE_MAGIC):
            raise BackupError(f"{source} is not a SQLite backup")
        _sqlite_restore(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        if not head.startswith(_PG_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        _pg_restore(url, source)
    else:
        raise BackupError(f"restoring {url.get_backend_name()} databases is not supported")
    upgrade(database_url)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"the database file {database} does not exist")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database, timeout=30)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed ({error})") from None
    finally:
        source.close()
    partial.replace(target)  # a half-written backup never carries the final name


def _sqlite_restore(source: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    backup_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if backup_connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError(f"{source} is damaged (SQLite's quick check failed)")
        live = sqlite3.connect(database, timeout=30)
        try:
            backup_connection.backup(live)
        finally:
            live.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} could not be restored ({error})") from None
    finally:
        backup_connection.close()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools (Debian: "
            f"postgresql-client) matching the server's version"
        )
    return found


def _pg_target(url: URL) -> tuple[str, dict[str, str]]:
    """libpq's connection URL without the password, and an environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{what} could not be started ({error})") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit code {done.returncode}"
        raise BackupError(f"{what} failed: {reason}")


def _pg_dump(url: URL, target: Path) -> None:
    tool = _pg_tool("pg_dump")
    dsn, env = _pg_target(url)
    partial = target.with_name(target.name + ".partial")
    try:
        _run(
            [tool, "--format=custom", "--no-owner", "--file", str(partial), "--dbname", dsn],
            env,
            "pg_dump",
        )
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def _pg_restore(url: URL, source: Path) -> None:
    tool = _pg_tool("pg_restore")
    dsn, env = _pg_target(url)
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dsn,
            str(source),
        ],
        env,
        "pg_restore",
    )


__all__ = ["BackupError", "BackupResult", "backup", "restore"]
