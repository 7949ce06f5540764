"""Review walks (`review_session`): which claim a reviewer is on in a chat, and what it owes.

The moves are compare-and-set updates (a step is taken only if the walk is still where the button
was drawn for), so of two racing taps only one moves the walk.
"""

from __future__ import annotations

from sqlalchemy import Update, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from db.models import ReviewSession, utcnow
from domain.verdicts import Rating
from domain.walk import WalkState, fingerprint


def _walk_of(reviewer_id: int, chat_id: int) -> Update:
    """An UPDATE of one reviewer's walk in one chat; callers add their compare-and-set guard."""
    return (
        update(ReviewSession)
        .where(col(ReviewSession.reviewer_id) == reviewer_id)
        .where(col(ReviewSession.chat_id) == chat_id)
    )


# Built once, in the order of WalkState's fields.
_STATE = sa_select(
    col(ReviewSession.article_id),
    col(ReviewSession.claim_id),
    col(ReviewSession.pending_rating),
    col(ReviewSession.claim_message_id),
    col(ReviewSession.pending_text),
    col(ReviewSession.pending_note),
    col(ReviewSession.card_lost),
    col(ReviewSession.editing),
).where(
    col(ReviewSession.reviewer_id) == bindparam("reviewer_id"),
    col(ReviewSession.chat_id) == bindparam("chat_id"),
)


class WalkRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, reviewer_id: int, chat_id: int) -> ReviewSession | None:
        statement = (
            select(ReviewSession)
            .where(ReviewSession.reviewer_id == reviewer_id)
            .where(ReviewSession.chat_id == chat_id)
        )
        return self._session.exec(statement).first()

    def state(self, reviewer_id: int, chat_id: int) -> WalkState | None:
        """Read as plain columns, not as an ORM object: read on every step, it then costs no
        identity-map bookkeeping, and the compare-and-set UPDATEs have no object to refresh."""
        row = self._session.execute(
            _STATE, {"reviewer_id": reviewer_id, "chat_id": chat_id}
        ).first()
        return None if row is None else WalkState(*row)

    def start(self, *, reviewer_id: int, chat_id: int, article_id: int, claim_id: int) -> None:
        """Point the reviewer's walk in this chat at a claim, replacing any earlier walk."""
        walk = self.get(reviewer_id, chat_id)
        if walk is None:
            walk = ReviewSession(reviewer_id=reviewer_id, chat_id=chat_id, article_id=article_id)
        walk.article_id, walk.claim_id = article_id, claim_id
        walk.claim_message_id, walk.pending_rating, walk.updated_at = None, None, utcnow()
        walk.pending_text, walk.pending_note, walk.card_lost = None, None, False
        walk.editing = False
        self._session.add(walk)
        self._session.flush()

    def owe_source(
        self,
        *,
        reviewer_id: int,
        chat_id: int,
        claim_id: int,
        rating: Rating,
        message_id: int | None,
    ) -> bool:
        """Compare-and-set the rating awaiting a source (and the card's message). False when a
        double tap or another replica got there first, so one tap gives one verdict."""
        result = self._session.exec(
            _walk_of(reviewer_id, chat_id)
            .where(col(ReviewSession.claim_id) == claim_id)
            .where(col(ReviewSession.pending_rating).is_(None))
            .values(pending_rating=rating, claim_message_id=message_id, updated_at=utcnow())
        )
        return bool(result.rowcount == 1)

    def move(
        self,
        *,
        reviewer_id: int,
        chat_id: int,
        from_claim_id: int,
        to_claim_id: int | None,
    ) -> bool:
        """Advance the walk past a claim, only if it is still on that claim."""
        result = self._session.exec(
            _walk_of(reviewer_id, chat_id)
            .where(col(ReviewSession.claim_id) == from_claim_id)
            .values(
                claim_id=to_claim_id,
                pending_rating=None,
                claim_message_id=None,
                pending_text=None,
                pending_note=None,
                card_lost=False,
                editing=False,
                updated_at=utcnow(),
            )
        )
        return bool(result.rowcount == 1)

    def clear_pending(self, *, reviewer_id: int, chat_id: int, claim_id: int) -> bool:
        result = self._session.exec(
            _walk_of(reviewer_id, chat_id)
            .where(col(ReviewSession.claim_id) == claim_id)
            .where(col(ReviewSession.pending_rating).is_not(None))
            .values(pending_rating=None, updated_at=utcnow())
        )
        return bool(result.rowcount == 1)

    def hold_text(self, *, reviewer_id: int, chat_id: int, text: str | None) -> None:
        """Keep (or forget, with None) the text the reviewer has not yet said what to do with."""
        self._session.exec(
            _walk_of(reviewer_id, chat_id).values(
                pending_text=text, card_lost=False, updated_at=utcnow()
            )
        )

    def take_text(self, *, reviewer_id: int, chat_id: int, claim_id: int, named: str) -> str | None:
        """The held text named by `named` (its fingerprint), taken once: a double tap on the
        question, or a tap on a question a newer text replaced, finds nothing."""
        walk = self.get(reviewer_id, chat_id)
        if walk is None or walk.claim_id != claim_id or walk.pending_text is None:
            return None
        text = walk.pending_text
        if fingerprint(text) != named:
            return None
        result = self._session.exec(
            update(ReviewSession)
            .where(col(ReviewSession.id) == walk.id)
            .where(col(ReviewSession.pending_text) == text)
            .values(pending_text=None, updated_at=utcnow())
        )
        return text if result.rowcount == 1 else None

    def set_note(self, *, reviewer_id: int, chat_id: int, note: str | None) -> None:
        self._session.exec(
            _walk_of(reviewer_id, chat_id).values(pending_note=note, updated_at=utcnow())
        )

    def mark_card_lost(self, *, reviewer_id: int, chat_id: int, claim_id: int) -> None:
        """The claim's message never arrived; only while the walk is still on that claim."""
        self._session.exec(
            _walk_of(reviewer_id, chat_id)
            .where(col(ReviewSession.claim_id) == claim_id)
            .values(card_lost=True)
        )

    def clear_card_lost(self, *, reviewer_id: int, chat_id: int) -> None:
        self._session.exec(
            _walk_of(reviewer_id, chat_id)
            .where(col(ReviewSession.card_lost).is_(True))
            .values(card_lost=False)
        )

    def set_editing(self, *, reviewer_id: int, chat_id: int, claim_id: int, on: bool) -> bool:
        """Start or stop restating the walk's claim; False when the walk is elsewhere."""
        result = self._session.exec(
            _walk_of(reviewer_id, chat_id)
            .where(col(ReviewSession.claim_id) == claim_id)
            .where(col(ReviewSession.pending_rating).is_(None))
            .values(editing=on, updated_at=utcnow())
        )
        return bool(result.rowcount == 1)

    def end(self, reviewer_id: int, chat_id: int) -> None:
        walk = self.get(reviewer_id, chat_id)
        if walk is not None:
            self._session.delete(walk)
            self._session.flush()
