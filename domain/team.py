"""Managing the team: invites, adding and removing reviewers, the roster.

Only admins manage; the handlers check that, and so does every method here, so a button or
command that reaches the service by another path cannot skip the check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, queue_queries, team_queries
from db.engine import transaction
from db.models import utcnow
from db.team_queries import MemberRow
from domain.access import Member, Person
from domain.verdicts import Role


class NotAllowed(Exception):
    """The caller's role does not allow this."""


@dataclass(frozen=True, slots=True)
class InviteCode:
    code: str
    hours: float


@dataclass(frozen=True, slots=True)
class Redeemed:
    name: str
    already_member: bool = False


@dataclass(frozen=True, slots=True)
class InviteRefused:
    reason: str


class TeamService:
    def __init__(self, engine: Engine, admin_ids: frozenset[int], *, invite_hours: float) -> None:
        self._engine = engine
        self._admin_ids = admin_ids
        self._invite_hours = invite_hours

    def invite(self, member: Member) -> InviteCode:
        _require_admin(member)
        code = secrets.token_urlsafe(12)
        expires = utcnow() + timedelta(hours=self._invite_hours)
        transaction(
            self._engine,
            lambda s: team_queries.add_invite(
                session=s, code=code, created_by_id=member.reviewer_id, expires_at=expires
            ),
        )
        return InviteCode(code, self._invite_hours)

    def redeem(self, person: Person, code: str) -> Redeemed | InviteRefused:
        """A deep link's code: the first person to use it joins; later uses are refused."""

        def work(session: Session) -> Redeemed | InviteRefused:
            reviewer = queries.get_reviewer_by_telegram_id(
                session=session, telegram_id=person.telegram_id
            )
            if reviewer is not None and reviewer.active:
                return Redeemed(reviewer.name, already_member=True)
            invite = team_queries.get_invite(session=session, code=code)
            if invite is None:
                return InviteRefused("That invite link is not valid.")
            if reviewer is None:
                reviewer = queries.add_reviewer(
                    session=session,
                    telegram_id=person.telegram_id,
                    name=person.name,
                    username=person.username,
                    role=Role.REVIEWER,
                )
            assert reviewer.id is not None
            if not team_queries.use_invite(
                session=session, code=code, used_by_id=reviewer.id, now=utcnow()
            ):
                raise _Refused("That invite link was already used or has expired.")
            reviewer.active, reviewer.removed_at = True, None
            session.add(reviewer)
            return Redeemed(reviewer.name)

        try:
            return transaction(self._engine, work)
        except _Refused as refused:
            return InviteRefused(str(refused))

    def add_reviewer(self, member: Member, telegram_id: int) -> str:
        """Add (or re-admit) a reviewer by Telegram user id; their name is filled in on first
        contact."""
        _require_admin(member)

        def work(session: Session) -> str:
            reviewer = queries.get_reviewer_by_telegram_id(session=session, telegram_id=telegram_id)
            if reviewer is None:
                reviewer = queries.add_reviewer(
                    session=session,
                    telegram_id=telegram_id,
                    name=f"user {telegram_id}",
                    username=None,
                    role=Role.REVIEWER,
                )
            reviewer.active, reviewer.removed_at = True, None
            session.add(reviewer)
            return reviewer.name

        return transaction(self._engine, work)

    def remove_reviewer(self, member: Member, telegram_id: int) -> str | None:
        """Removed reviewers keep their history but can no longer act; their locks are freed."""
        _require_admin(member)
        if telegram_id in self._admin_ids:
            raise NotAllowed("Admins come from FACTDESK_ADMINS and cannot be removed here.")

        def work(session: Session) -> str | None:
            reviewer = queries.get_reviewer_by_telegram_id(session=session, telegram_id=telegram_id)
            if reviewer is None or reviewer.id is None:
                return None
            now = utcnow()
            reviewer.active, reviewer.removed_at = False, now
            session.add(reviewer)
            queue_queries.release_reviewer(session=session, reviewer_id=reviewer.id, now=now)
            return reviewer.name

        return transaction(self._engine, work)

    def roster(self, member: Member) -> list[MemberRow]:
        _require_admin(member)
        return transaction(self._engine, lambda s: team_queries.team_rows(session=s))


class _Refused(Exception):
    """Rolls back a redemption that lost the race for the code."""


def _require_admin(member: Member) -> None:
    if not member.is_admin:
        raise NotAllowed("Only the desk's admins can do that.")
