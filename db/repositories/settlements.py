"""Settlements waiting for their reason: one per admin and chat, the latest choice."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from db.models import PendingSettlement
from domain.verdicts import Rating


class SettlementRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def hold(
        self,
        *,
        chat_id: int,
        reviewer_id: int,
        claim_id: int,
        rating: Rating,
        message_id: int | None,
    ) -> None:
        """The admin's choice, replacing any earlier one of theirs in this chat."""
        self._session.exec(
            delete(PendingSettlement)
            .where(col(PendingSettlement.chat_id) == chat_id)
            .where(col(PendingSettlement.reviewer_id) == reviewer_id)
        )
        self._session.add(
            PendingSettlement(
                chat_id=chat_id,
                reviewer_id=reviewer_id,
                claim_id=claim_id,
                rating=rating,
                message_id=message_id,
            )
        )
        self._session.flush()

    def take(self, *, chat_id: int, reviewer_id: int, claim_id: int) -> PendingSettlement | None:
        """The admin's choice for this claim, removed so that it settles once."""
        statement = (
            select(PendingSettlement)
            .where(col(PendingSettlement.chat_id) == chat_id)
            .where(col(PendingSettlement.reviewer_id) == reviewer_id)
            .where(col(PendingSettlement.claim_id) == claim_id)
        )
        found = self._session.exec(statement).first()
        if found is None:
            return None
        result = self._session.exec(
            delete(PendingSettlement).where(col(PendingSettlement.id) == found.id)
        )
        return found if result.rowcount == 1 else None
