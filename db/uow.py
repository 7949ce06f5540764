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
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
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
        if not event.contains(engine, "after_cursor_execute", _note_write):
            event.listen(engine, "after_cursor_execute", _note_write)
        # SQLite lets one transaction write at a time. Left to SQLite, a waiting thread sleeps in
        # growing steps (up to 100 ms each) or fails at once when its snapshot went stale, so the
        # bot's worker threads would queue behind each other in bursts. They queue here instead,
        # woken the moment the unit before them ends. (Reentrant: a unit may read through a
        # helper that opens its own.) PostgreSQL locks rows, not the database: no queue there.
        self._turn: AbstractContextManager[object] = (
            threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def unit(self, *, effect: bool = True, reads_only: bool = False) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises.

        When it writes anything while an update is being handled (and `effect` is left on), the
        update's id is recorded in the same transaction; if it was recorded already, the unit is
        rolled back and `AlreadyHandled` raised, so a redelivered update writes nothing.
        A unit that `reads_only` does not queue for SQLite's one writer (WAL lets it read
        beside one); a write in it is a bug, and rolls it back.
        """
        turn = nullcontext() if reads_only else self._turn
        with turn, Session(self.engine, expire_on_commit=False) as session:
            wrote = _track_writes(session)
            mark = handling.get() if effect and not reads_only else None
            try:
                tx = UnitOfWork(session)
                yield tx
                session.flush()
                changed = wrote()
                if reads_only and changed:
                    raise RuntimeError("a unit of work that reads only wrote to the database")
                if (
                    mark is not None
                    and not mark.recorded
                    and changed
                    and not tx.updates.claim(mark.update_id)
                ):
                    raise AlreadyHandled(mark.update_id)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            if mark is not None and changed:
                mark.recorded = True

    def run(
        self,
        work: Callable[[UnitOfWork], T],
        *,
        attempts: int = 3,
        effect: bool = True,
        reads_only: bool = False,
    ) -> T:
        """Run `work` in one unit of work, again from the start if the connection dropped.

        `effect=False` for bookkeeping that is not the update's effect (membership);
        `reads_only` for a look that writes nothing (see `unit`)."""
        delay = 0.5
        for attempt in range(1, attempts + 1):
            try:
                with self.unit(effect=effect, reads_only=reads_only) as tx:
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


_WROTE = "factdesk.wrote"


def _note_write(*args: Any) -> None:
    """Engine event: mark the connection once a statement changed a row.

    A compare-and-set UPDATE that matched nothing (a double tap) changed nothing, so it does not
    count; a row count the driver cannot tell (-1) does, to be safe. Listened to once per engine
    (a listener added per session cost more than some statements)."""
    connection, cursor, statement = args[0], args[1], args[2]
    if statement.lstrip()[:6].upper() in _WRITES and cursor.rowcount != 0:
        connection.info[_WROTE] = True


def _track_writes(session: Session) -> Callable[[], bool]:
    """Whether the session has changed a row since this call (see `_note_write`)."""
    connection = session.connection()
    connection.info.pop(_WROTE, None)
    return lambda: bool(connection.info.get(_WROTE))


def is_transient(error: OperationalError) -> bool:
    """Lost connections and locked SQLite files pass; schema errors (no such table) do not."""
    text = str(error.orig).lower()
    return error.connection_invalidated or any(
        marker in text
        for marker in ("connection", "server closed", "terminating", "locked", "timeout", "refused")
    )
