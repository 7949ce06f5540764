"""The unit of work survives a database that drops its connections for a moment."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from db.engine import make_engine
from db.migrate import upgrade
from db.uow import Database, UnitOfWork
from tests.conftest import PG_ADMIN_URL


def _kill_connections(database: str) -> int:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        ).scalar_one()
    admin.dispose()
    return int(killed)


@pytest.mark.postgres
def test_transaction_reconnects_after_the_server_dropped_connections(postgres_url: str) -> None:
    upgrade(postgres_url)
    db = Database(make_engine(postgres_url))
    assert db.run(lambda tx: tx.session.execute(text("SELECT 1")).one()) == (1,)
    assert _kill_connections(postgres_url.rsplit("/", 1)[1]) >= 1
    assert db.run(lambda tx: tx.session.execute(text("SELECT 2")).one()) == (2,)
    db.dispose()


def test_transient_failure_is_retried_and_permanent_one_is_not(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    db = Database(make_engine(sqlite_url))
    attempts: list[int] = []

    def flaky(tx: UnitOfWork) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return "done"

    assert db.run(flaky) == "done"
    assert len(attempts) == 2

    def broken(tx: UnitOfWork) -> None:
        tx.session.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(OperationalError, match="no_such_table"):
        db.run(broken)
    db.dispose()
