"""The engine and the unit of work. Nothing else in the code base creates sessions."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

logger = logging.getLogger(__name__)
T = TypeVar("T")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine tuned for the backend: SQLite gets WAL and a busy timeout so the bot's worker
    threads and a CLI export can share the file; PostgreSQL gets pre-ping so a restarted server
    costs one reconnect instead of an error."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if dbapi_connection.execute("PRAGMA database_list").fetchone()[2]:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def transaction(engine: Engine, work: Callable[[Session], T], *, attempts: int = 3) -> T:
    """Run `work` in one transaction, retrying when the connection drops.

    A unit of work either commits whole or not at all, so running it again after a lost connection
    is safe; this is what lets the bot ride out a database restart of a second or two.
    """
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            with unit_of_work(engine) as session:
                return work(session)
        except OperationalError as error:
            if attempt == attempts or not _is_transient(error):
                raise
            logger.warning("database unavailable (%s); retrying in %.1fs", error.orig, delay)
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def _is_transient(error: OperationalError) -> bool:
    """Lost connections and locked SQLite files pass; schema errors (no such table) do not."""
    text = str(error.orig).lower()
    return error.connection_invalidated or any(
        marker in text
        for marker in ("connection", "server closed", "terminating", "locked", "timeout", "refused")
    )
