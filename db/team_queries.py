"""Reviewers and invites, for managing the team. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from db.models import Assignment, Invite, Reviewer, Verdict


def add_invite(*, session: Session, code: str, created_by_id: int, expires_at: datetime) -> Invite:
    invite = Invite(code=code, created_by_id=created_by_id, expires_at=expires_at)
    session.add(invite)
    session.flush()
    return invite


def use_invite(*, session: Session, code: str, used_by_id: int, now: datetime) -> bool:
    """Compare-and-set: only the first redemption of an unexpired code wins."""
    result = session.exec(
        update(Invite)
        .where(col(Invite.code) == code)
        .where(col(Invite.used_by_id).is_(None))
        .where(col(Invite.expires_at) >= now)
        .values(used_by_id=used_by_id, used_at=now)
    )
    return bool(result.rowcount == 1)


def get_invite(*, session: Session, code: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.code == code)).first()


def get_reviewer(*, session: Session, reviewer_id: int) -> Reviewer | None:
    return session.get(Reviewer, reviewer_id)


@dataclass(frozen=True, slots=True)
class MemberRow:
    reviewer_id: int
    telegram_id: int
    name: str
    username: str | None
    role: str
    active: bool
    verdicts: int
    open_assignments: int


def team_rows(*, session: Session) -> list[MemberRow]:
    verdicts = (
        select(Verdict.reviewer_id, func.count().label("n"))
        .where(col(Verdict.kind).in_(["review", "settlement"]))
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
    for reviewer, n_verdicts, n_assigned in session.exec(statement):
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
