"""One-time invite codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import Invite


class InviteRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, code: str, created_by_id: int, expires_at: datetime) -> None:
        self._session.add(Invite(code=code, created_by_id=created_by_id, expires_at=expires_at))
        self._session.flush()

    def exists(self, code: str) -> bool:
        return self._session.exec(select(Invite.id).where(Invite.code == code)).first() is not None

    def use(self, *, code: str, used_by_id: int, now: datetime) -> bool:
        """Compare-and-set: only the first redemption of an unexpired code wins."""
        result = self._session.exec(
            update(Invite)
            .where(col(Invite.code) == code)
            .where(col(Invite.used_by_id).is_(None))
            .where(col(Invite.expires_at) >= now)
            .values(used_by_id=used_by_id, used_at=now)
        )
        return bool(result.rowcount == 1)
