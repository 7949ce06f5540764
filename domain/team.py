"""The team's values: invites, joining, and who may manage the desk."""

from __future__ import annotations

from dataclasses import dataclass

from domain.verdicts import Role

ADMINS_ONLY = "Only the desk's admins can do that."
ADMINS_FROM_SETTINGS = "Admins come from FACTDESK_ADMINS and cannot be removed here."
INVALID_INVITE = "That invite link is not valid."
USED_INVITE = "That invite link was already used or has expired."


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


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member as the roster shows them, with their standing verdicts and open assignments."""

    reviewer_id: int
    telegram_id: int
    name: str
    username: str | None
    role: Role
    active: bool
    verdicts: int
    open_assignments: int
