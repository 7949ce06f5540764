"""Telegram update ids already handled, so that a redelivered update changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db.models import ProcessedUpdate, utcnow


class UpdateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def seen(self, update_id: int) -> bool:
        statement = select(ProcessedUpdate.update_id).where(
            col(ProcessedUpdate.update_id) == update_id
        )
        return self._session.exec(statement).first() is not None

    def claim(self, update_id: int) -> bool:
        """Record the update as handled; False when it already was (by anyone, anywhere).

        On PostgreSQL a second replica handling the same update waits on the unique key until
        the first commits, then finds the row: exactly one of them keeps its effect.
        """
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
        inserted = self._session.execute(
            insert(table)
            .values(update_id=update_id, processed_at=utcnow())
            .on_conflict_do_nothing(index_elements=["update_id"])
            .returning(table.c.update_id)
        )
        return inserted.first() is not None

    def prune(self, before: datetime) -> int:
        result = self._session.execute(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
