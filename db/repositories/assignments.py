"""Assignments: the claims /next handed out, kept as history of who held what and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import Assignment
from domain.queue import AssignmentOutcome


class AssignmentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, claim_id: int, reviewer_id: int, now: datetime, until: datetime) -> None:
        self._session.add(
            Assignment(
                claim_id=claim_id, reviewer_id=reviewer_id, assigned_at=now, expires_at=until
            )
        )
        self._session.flush()

    def is_open(self, *, claim_id: int, reviewer_id: int) -> bool:
        statement = (
            select(Assignment.id)
            .where(col(Assignment.claim_id) == claim_id)
            .where(col(Assignment.reviewer_id) == reviewer_id)
            .where(col(Assignment.ended_at).is_(None))
        )
        return self._session.exec(statement).first() is not None

    def end(
        self, *, claim_id: int, reviewer_id: int, outcome: AssignmentOutcome, now: datetime
    ) -> None:
        self._session.exec(
            update(Assignment)
            .where(col(Assignment.claim_id) == claim_id)
            .where(col(Assignment.reviewer_id) == reviewer_id)
            .where(col(Assignment.ended_at).is_(None))
            .values(ended_at=now, outcome=outcome)
        )

    def end_expired(self, now: datetime) -> None:
        self._session.exec(
            update(Assignment)
            .where(col(Assignment.ended_at).is_(None))
            .where(col(Assignment.expires_at) < now)
            .values(ended_at=now, outcome=AssignmentOutcome.EXPIRED)
        )

    def end_all_of(self, reviewer_id: int, now: datetime) -> None:
        self._session.exec(
            update(Assignment)
            .where(col(Assignment.reviewer_id) == reviewer_id)
            .where(col(Assignment.ended_at).is_(None))
            .values(ended_at=now, outcome=AssignmentOutcome.RELEASED)
        )

    def of_claim(self, claim_id: int) -> list[Assignment]:
        statement = (
            select(Assignment)
            .where(col(Assignment.claim_id) == claim_id)
            .order_by(col(Assignment.id))
        )
        return list(self._session.exec(statement).all())
