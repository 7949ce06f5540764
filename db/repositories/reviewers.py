"""Reviewers: the desk's members, their roles and their names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db.models import Assignment, Reviewer, Verdict, utcnow
from domain.access import Person
from domain.team import MemberRow
from domain.verdicts import Role


class ReviewerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_telegram_id(self, telegram_id: int) -> Reviewer | None:
        return self._session.exec(
            select(Reviewer).where(Reviewer.telegram_id == telegram_id)
        ).first()

    def ensure(self, person: Person, role: Role) -> Reviewer:
        """The person's row, created if missing in one statement that cannot race.

        Two first updates of a new admin arriving at once (two workers, two replicas) both run
        this; `ON CONFLICT DO NOTHING` lets the second find the first one's row instead of failing
        on the unique Telegram id.
        """
        values = {
            "telegram_id": person.telegram_id,
            "name": person.name,
            "username": person.username,
            "role": role,
            "active": True,
            "created_at": utcnow(),
        }
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = Reviewer.__table__  # type: ignore[attr-defined]
        self._session.execute(
            insert(table).values(**values).on_conflict_do_nothing(index_elements=["telegram_id"])
        )
        found = self.by_telegram_id(person.telegram_id)
        assert found is not None
        return found

    def lock(self, reviewer_id: int) -> None:
        """Serialise one reviewer's units of work (PostgreSQL): two /next or two articles from
        the same person on two replicas run one after the other instead of both writing a walk.
        SQLite has one writer at a time already."""
        if self._session.get_bind().dialect.name == "postgresql":
            self._session.exec(
                select(Reviewer.id).where(col(Reviewer.id) == reviewer_id).with_for_update()
            ).first()

    def save(self, reviewer: Reviewer) -> None:
        self._session.add(reviewer)
        self._session.flush()

    def names(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        if not wanted:
            return {}
        rows = self._session.exec(
            select(Reviewer.id, Reviewer.name).where(col(Reviewer.id).in_(wanted))
        )
        return {rid: name for rid, name in rows if rid is not None}

    def deactivate(self, reviewer: Reviewer, now: datetime) -> None:
        reviewer.active, reviewer.removed_at = False, now
        self.save(reviewer)

    def activate(self, reviewer: Reviewer) -> None:
        reviewer.active, reviewer.removed_at = True, None
        self.save(reviewer)

    def set_role(self, reviewer_id: int, role: Role) -> None:
        self._session.exec(
            update(Reviewer).where(col(Reviewer.id) == reviewer_id).values(role=role)
        )

    def roster(self) -> list[MemberRow]:
        """Every member with their standing verdicts and open assignments."""
        verdicts = (
            select(Verdict.reviewer_id, func.count().label("n"))
            .where(col(Verdict.standing))
            .group_by(col(Verdict.reviewer_id))
            .subquery()
        )
        assigned = (
            select(Assignment.reviewer_id, func.count().label("n"))
            .where(col(Assignment.ended_at).is_(None))
            .group_by(col(Assignment.reviewer_id))
            .subquery()
        )
        statement = (
            select(Reviewer, verdicts.c.n, assigned.c.n)
            .outerjoin(verdicts, verdicts.c.reviewer_id == Reviewer.id)
            .outerjoin(assigned, assigned.c.reviewer_id == Reviewer.id)
            .order_by(col(Reviewer.active).desc(), col(Reviewer.name))
        )
        rows = []
        for reviewer, n_verdicts, n_assigned in self._session.exec(statement):
            assert reviewer.id is not None
            rows.append(
                MemberRow(
                    reviewer.id,
                    reviewer.telegram_id,
                    reviewer.name,
                    reviewer.username,
                    reviewer.role,
                    reviewer.active,
                    int(n_verdicts or 0),
                    int(n_assigned or 0),
                )
            )
        return rows
