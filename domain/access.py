"""Who may use the bot: admins come from the settings, reviewers are the people admins added."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

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


def role_of(telegram_id: int, admin_ids: Set[int]) -> Role:
    """The settings are authoritative: an admin is whoever FACTDESK_ADMINS names, today.

    A stored role never outlives the settings, so removing someone from the list is enough to
    take the admin rights away; they stay a reviewer with their history.
    """
    return Role.ADMIN if telegram_id in admin_ids else Role.REVIEWER
