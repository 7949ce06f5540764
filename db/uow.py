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
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

if TYPE_CHECKING:
    from db.repositories.archive import ArchiveRepository
    from db.repositories.articles import ArticleRepository
    from db.repositories.assignments import AssignmentRepository
    from db.repositories.claims import ClaimRepository
    from db.repositories.exports import ExportRepository
    from db.repositories.invites import InviteRepository
    from db.repositories.reviewers import ReviewerRepository
    from db.repositories.settlements import SettlementRepository
    from db.repositories.updates import UpdateRepository
    from db.repositories.verdicts import VerdictRepository
    from db.repositories.walks import WalkRepository

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class UpdateMark:
    """The Telegram update being handled. Its id is written by the first unit of work that
    stores an effect, in that same transaction; later units of the same update leave it be."""

    update_id: int
    recorded: bool = False


#: Set by the bot for each update (`services.updates.handling`); copied into worker threads.
handling: ContextVar[UpdateMark | None] = ContextVar("handling", default=None)


class AlreadyHandled(Exception):
    """This update's effect is already stored: Telegram delivered it again. Nothing was written."""


class UnitOfWork:
    """The repositories of one transaction.

    Each repository is made (and its module imported) when first used: a command that only
    reads the archive does not load the review workflow's modules (0.1 s of its start).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    @cached_property
    def reviewers(self) -> ReviewerRepository:
        from db.repositories.reviewers import ReviewerRepository

        return ReviewerRepository(self.session)

    @cached_property
    def articles(self) -> ArticleRepository:
        from db.repositories.articles import ArticleRepository

        return ArticleRepository(self.session)

    @cached_property
    def claims(self) -> ClaimRepository:
        from db.repositories.claims import ClaimRepository

        return ClaimRepository(self.session)

    @cached_property
    def verdicts(self) -> VerdictRepository:
        from db.repositories.verdicts import VerdictRepository

        return VerdictRepository(self.session)

    @cached_property
    def walks(self) -> WalkRepository:
        from db.repositories.walks import WalkRepository

        return WalkRepository(self.session)

    @cached_property
    def assignments(self) -> AssignmentRepository:
        from db.repositories.assignments import AssignmentRepository

        return AssignmentRepository(self.session)

    @cached_property
    def invites(self) -> InviteRepository:
        from db.repositories.invites import InviteRepository

        return InviteRepository(self.session)

    @cached_property
    def exports(self) -> ExportRepository:
        from db.repositories.exports import ExportRepository

        return ExportRepository(self.session)

    @cached_property
    def archive(self) -> ArchiveRepository:
        from db.repositories.archive import ArchiveRepository

        return ArchiveRepository(self.session)

    @cached_property
    def updates(self) -> UpdateRepository:
        from db.repositories.updates import UpdateRepository

        return UpdateRepository(self.session)

    @cached_property
    def settlements(self) -> SettlementRepository:
        from db.repositories.settlements import SettlementRepository

        return SettlementRepository(self.session)


class Database:
    """The engine and the way services use it: `unit()` as a block, `run(work)` with retries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit(self, *, effect: bool = True) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises.

        When it writes anything while an update is being handled (and `effect` is left on), the
        update's id is recorded in the same transaction; if it was recorded already, the unit is
        rolled back and `AlreadyHandled` raised, so a redelivered update writes nothing.
        """
        with Session(self.engine, expire_on_commit=False) as session:
            mark = handling.get() if effect else None
            wrote = _track_writes(session) if mark is not None else []
            try:
                tx = UnitOfWork(session)
                yield tx
                if mark is not None and not mark.recorded and wrote:
                    session.flush()
                    if not tx.updates.claim(mark.update_id):
                        raise AlreadyHandled(mark.update_id)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            if mark is not None and wrote:
                mark.recorded = True

    def run(self, work: Callable[[UnitOfWork], T], *, attempts: int = 3, effect: bool = True) -> T:
        """Run `work` in one unit of work, again from the start if the connection dropped.

        `effect=False` for bookkeeping that is not the update's effect (membership)."""
        delay = 0.5
        for attempt in range(1, attempts + 1):
            try:
                with self.unit(effect=effect) as tx:
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


_WRITES = ("INSERT", "UPDATE", "DELETE")


def _track_writes(session: Session) -> list[bool]:
    """A list that becomes non-empty once the session changes a row.

    A compare-and-set UPDATE that matched nothing (a double tap) changed nothing, so it does not
    count; a row count the driver cannot tell (-1) does, to be safe.
    """
    wrote: list[bool] = []

    def on_cursor(*args: Any) -> None:
        cursor, statement = args[1], args[2]
        if statement.lstrip()[:6].upper() in _WRITES and cursor.rowcount != 0:
            wrote.append(True)

    event.listen(session.connection(), "after_cursor_execute", on_cursor)
    return wrote


def is_transient(error: OperationalError) -> bool:
    """Lost connections and locked SQLite files pass; schema errors (no such table) do not."""
    text = str(error.orig).lower()
    return error.connection_invalidated or any(
        marker in text
        for marker in ("connection", "server closed", "terminating", "locked", "timeout", "refused")
    )
