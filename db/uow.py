"""The unit of work: one transaction, with the repositories bound to it, committed once.

A service writes

    def work(tx: UnitOfWork) -> Result: ...
    return self._db.run(work)

and everything `work` reads and writes through `tx.claims`, `tx.verdicts`, `tx.walks`, … is one
transaction: committed when it returns, rolled back if it raises. `run` retries the whole unit
when the connection drops, which is safe because a unit either commits whole or not at all; that
is what lets the bot ride out a database restart of a second or two.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from db.repositories.archive import ArchiveRepository
from db.repositories.articles import ArticleRepository
from db.repositories.assignments import AssignmentRepository
from db.repositories.claims import ClaimRepository
from db.repositories.exports import ExportRepository
from db.repositories.invites import InviteRepository
from db.repositories.reviewers import ReviewerRepository
from db.repositories.verdicts import VerdictRepository
from db.repositories.walks import WalkRepository

logger = logging.getLogger(__name__)
T = TypeVar("T")


class UnitOfWork:
    """The repositories of one transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.reviewers = ReviewerRepository(session)
        self.articles = ArticleRepository(session)
        self.claims = ClaimRepository(session)
        self.verdicts = VerdictRepository(session)
        self.walks = WalkRepository(session)
        self.assignments = AssignmentRepository(session)
        self.invites = InviteRepository(session)
        self.exports = ExportRepository(session)
        self.archive = ArchiveRepository(session)


class Database:
    """The engine and the way services use it: `unit()` as a block, `run(work)` with retries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield UnitOfWork(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def run(self, work: Callable[[UnitOfWork], T], *, attempts: int = 3) -> T:
        """Run `work` in one unit of work, again from the start if the connection dropped."""
        delay = 0.5
        for attempt in range(1, attempts + 1):
            try:
                with self.unit() as tx:
                    return work(tx)
            except OperationalError as error:
                if attempt == attempts or not is_transient(error):
                    raise
                logger.warning("database unavailable (%s); retrying in %.1fs", error.orig, delay)
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def run_in_session(self, work: Callable[[Session], T]) -> T:
        """For the bulk loaders, which work below the repositories (COPY, ATTACH)."""
        return self.run(lambda tx: work(tx.session))

    def dispose(self) -> None:
        self.engine.dispose()


def is_transient(error: OperationalError) -> bool:
    """Lost connections and locked SQLite files pass; schema errors (no such table) do not."""
    text = str(error.orig).lower()
    return error.connection_invalidated or any(
        marker in text
        for marker in ("connection", "server closed", "terminating", "locked", "timeout", "refused")
    )
