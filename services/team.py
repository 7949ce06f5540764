"""Managing the team: invites, adding and removing reviewers, the roster.

Only admins manage; the handlers check that, and so does every method here, so a button or
command that reaches the service by another path cannot skip the check.
"""

from __future__ import annotations

import secrets
from collections.abc import Set
from datetime import timedelta

from db.models import utcnow
from db.uow import Database, UnitOfWork
from domain.access import Member, Person, role_of
from domain.team import (
    ADMINS_FROM_SETTINGS,
    ADMINS_ONLY,
    INVALID_INVITE,
    USED_INVITE,
    InviteCode,
    InviteRefused,
    MemberRow,
    NotAllowed,
    Redeemed,
)
from services.access import AccessService


class _Refused(Exception):
    """Rolls back a redemption that lost the race for the code."""


class TeamService:
    def __init__(
        self, db: Database, access: AccessService, admin_ids: Set[int], *, invite_hours: float
    ) -> None:
        self._db = db
        self._access = access
        self._admin_ids = frozenset(admin_ids)
        self._invite_hours = invite_hours

    def invite(self, member: Member) -> InviteCode:
        _require_admin(member)
        code = secrets.token_urlsafe(12)
        expires = utcnow() + timedelta(hours=self._invite_hours)
        self._db.run(
            lambda tx: tx.invites.add(
                code=code, created_by_id=member.reviewer_id, expires_at=expires
            )
        )
        return InviteCode(code, self._invite_hours)

    def redeem(self, person: Person, code: str) -> Redeemed | InviteRefused:
        """A deep link's code: the first person to use it joins; later uses are refused."""

        def work(tx: UnitOfWork) -> Redeemed | InviteRefused:
            reviewer = tx.reviewers.by_telegram_id(person.telegram_id)
            if reviewer is not None and reviewer.active:
                return Redeemed(reviewer.name, already_member=True)
            if not tx.invites.exists(code):
                return InviteRefused(INVALID_INVITE)
            if reviewer is None:
                reviewer = tx.reviewers.ensure(person, role_of(person.telegram_id, self._admin_ids))
            assert reviewer.id is not None
            if not tx.invites.use(code=code, used_by_id=reviewer.id, now=utcnow()):
                raise _Refused(USED_INVITE)
            tx.reviewers.activate(reviewer)
            return Redeemed(reviewer.name)

        try:
            redeemed = self._db.run(work)
        except _Refused as refused:
            return InviteRefused(str(refused))
        self._access.forget(person.telegram_id)
        return redeemed

    def add_reviewer(self, member: Member, telegram_id: int) -> str:
        """Add (or re-admit) a reviewer by Telegram user id; their name is filled in on first
        contact."""
        _require_admin(member)

        def work(tx: UnitOfWork) -> str:
            newcomer = Person(telegram_id, f"user {telegram_id}")
            reviewer = tx.reviewers.ensure(newcomer, role_of(telegram_id, self._admin_ids))
            tx.reviewers.activate(reviewer)
            return reviewer.name

        name = self._db.run(work)
        self._access.forget(telegram_id)
        return name

    def remove_reviewer(self, member: Member, telegram_id: int) -> str | None:
        """Removed reviewers keep their history but can no longer act; their locks are freed."""
        _require_admin(member)
        if telegram_id in self._admin_ids:
            raise NotAllowed(ADMINS_FROM_SETTINGS)

        def work(tx: UnitOfWork) -> str | None:
            reviewer = tx.reviewers.by_telegram_id(telegram_id)
            if reviewer is None or reviewer.id is None:
                return None
            now = utcnow()
            tx.reviewers.deactivate(reviewer, now)
            tx.assignments.end_all_of(reviewer.id, now)
            tx.claims.unlock_all_of(reviewer.id)
            return reviewer.name

        name = self._db.run(work)
        self._access.forget(telegram_id)
        return name

    def roster(self, member: Member) -> list[MemberRow]:
        _require_admin(member)
        return self._db.run(lambda tx: tx.reviewers.roster())


def _require_admin(member: Member) -> None:
    if not member.is_admin:
        raise NotAllowed(ADMINS_ONLY)
