"""Who may use the bot. Admins come from the settings; reviewers are the people admins added."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries
from db.engine import transaction
from domain.verdicts import Role


@dataclass(frozen=True, slots=True)
class Person:
    """Whoever sent an update, as far as the domain cares."""

    telegram_id: int
    name: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """A person allowed to submit and rate, with their reviewer row's id."""

    reviewer_id: int
    telegram_id: int
    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class AccessService:
    def __init__(self, engine: Engine, admin_ids: Set[int]) -> None:
        self._engine = engine
        self._admin_ids = frozenset(admin_ids)

    def member(self, person: Person) -> Member | None:
        """The person's membership, or None for a stranger.

        Nothing is written for strangers. An admin's reviewer row is created on first contact, so
        verdicts always point at a row.
        """
        return transaction(self._engine, lambda session: self._member(session, person))

    def _member(self, session: Session, person: Person) -> Member | None:
        reviewer = queries.get_reviewer_by_telegram_id(
            session=session, telegram_id=person.telegram_id
        )
        is_admin = person.telegram_id in self._admin_ids
        if reviewer is None:
            if not is_admin:
                return None
            reviewer = queries.add_reviewer(
                session=session,
                telegram_id=person.telegram_id,
                name=person.name,
                username=person.username,
                role=Role.ADMIN,
            )
        elif is_admin and (reviewer.role != Role.ADMIN or not reviewer.active):
            reviewer.role, reviewer.active = Role.ADMIN, True
            session.add(reviewer)
        elif not is_admin and not reviewer.active:
            return None
        if reviewer.name != person.name or reviewer.username != person.username:
            reviewer.name, reviewer.username = person.name, person.username
            session.add(reviewer)
        assert reviewer.id is not None
        return Member(
            reviewer_id=reviewer.id,
            telegram_id=reviewer.telegram_id,
            name=reviewer.name,
            role=Role.ADMIN if is_admin else Role(reviewer.role),
        )
