"""The tables.

Telegram ids are BIGINT: user ids exceed 2**31 and group chat ids are large negatives.
Verdicts are append-only: a changed verdict is a new row, so a claim's history is its verdicts.
Review progress (which claim a reviewer is on, which rating awaits a source) lives in
`review_session`, not in memory, so a restart or another replica continues where one stopped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from domain.verdicts import ClaimStatus, Rating, Role, VerdictKind

E = TypeVar("E", bound=StrEnum)

#: The condition of the partial index on "Not a claim" sentences, written out so that a query
#: can repeat it word for word (SQLite uses a partial index only for a literal condition).
NOT_A_CLAIM_SQL = f"status = '{ClaimStatus.NOT_A_CLAIM.value}'"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are UTC and aware on the way out, on SQLite (which drops the zone) as well."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StrEnumType(TypeDecorator[E], Generic[E]):
    """A domain enum stored as its string value (a plain VARCHAR), read back as the enum.

    The words stored are the enums' values, which the domain promises never to rename; queries
    compare against enum members, never against bare strings.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 16) -> None:
        super().__init__(length)
        self._enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self._enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self._enum(value)


def _timestamp(*, nullable: bool = False, index: bool = False) -> datetime:
    return Field(  # type: ignore[no-any-return]
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class Reviewer(SQLModel, table=True):
    __tablename__ = "reviewer"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    name: str = Field(max_length=200)
    username: str | None = Field(default=None, max_length=64)
    role: Role = Field(sa_column=Column(StrEnumType(Role), nullable=False))
    active: bool = Field(default=True)
    created_at: datetime = _timestamp()
    removed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Article(SQLModel, table=True):
    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=2048)
    title: str | None = Field(default=None, max_length=500)
    source_kind: str = Field(max_length=16)
    submitted_by_id: int = Field(foreign_key="reviewer.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    submitted_at: datetime = _timestamp(index=True)
    # Check-worthy sentences found; more than the claims stored when the cap held some back.
    claims_found: int | None = Field(default=None)
    # Sentences left out because the desk had marked them "Not a claim" before.
    not_claims_left_out: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )


class Claim(SQLModel, table=True):
    """A claim to check. Imported claims (from another desk's archive) have no article."""

    __tablename__ = "claim"
    __table_args__ = (
        UniqueConstraint("article_id", "position"),
        # Only the sentences marked "Not a claim", which every new article is checked against.
        Index(
            "ix_claim_not_a_claim_text",
            "normalized_text",
            sqlite_where=text(NOT_A_CLAIM_SQL),
            postgresql_where=text(NOT_A_CLAIM_SQL),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Looked up through the unique (article_id, position) index; no index of its own.
    article_id: int | None = Field(default=None, foreign_key="article.id")
    position: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    normalized_text: str = Field(sa_column=Column(Text, nullable=False))
    score: float = Field(default=0.0)
    status: ClaimStatus = Field(
        default=ClaimStatus.PENDING,
        sa_column=Column(StrEnumType(ClaimStatus), nullable=False, index=True),
    )
    created_at: datetime = _timestamp()
    appearance_url: str | None = Field(default=None, max_length=2048)
    locked_by_id: int | None = Field(default=None, foreign_key="reviewer.id")
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The article's own sentence when `text` was made standalone, who it quotes, and the
    # paragraph it came from (for the reviewer's "Context"). None for imported claims.
    sentence: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    claimant: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    context: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Verdict(SQLModel, table=True):
    """One row per act: a review, an admin's settlement, a retraction, or an imported verdict.

    Imported verdicts name their reviewer in `external_reviewer` and have no reviewer row;
    `import_key` makes importing the same file twice a no-op.
    """

    __tablename__ = "verdict"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    reviewer_id: int | None = Field(default=None, foreign_key="reviewer.id", index=True)
    external_reviewer: str | None = Field(default=None, max_length=200)
    kind: VerdictKind = Field(
        default=VerdictKind.REVIEW,
        sa_column=Column(StrEnumType(VerdictKind), nullable=False, server_default="review"),
    )
    retracts_id: int | None = Field(default=None, foreign_key="verdict.id")
    import_key: str | None = Field(default=None, max_length=64, unique=True)
    rating: Rating = Field(sa_column=Column(StrEnumType(Rating), nullable=False))
    source_url: str | None = Field(default=None, max_length=2048)
    # The second and third source links, one per line (the first is `source_url`).
    more_sources: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reused_from_id: int | None = Field(default=None, foreign_key="verdict.id")
    created_at: datetime = _timestamp(index=True)
    # The reviewer's chat message that shows the claim, so /undo can mark it retracted.
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # Whether the row counts now (`domain.verdicts.standing`): recomputed for the claim in the
    # same unit of work as every verdict written, so every count and export filters on it.
    standing: bool = Field(
        default=True,
        sa_column=Column(Boolean, nullable=False, server_default=true(), index=True),
    )


class ReviewSession(SQLModel, table=True):
    """One reviewer walking one article in one chat."""

    __tablename__ = "review_session"
    __table_args__ = (UniqueConstraint("reviewer_id", "chat_id"),)

    id: int | None = Field(default=None, primary_key=True)
    reviewer_id: int = Field(foreign_key="reviewer.id")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    article_id: int = Field(foreign_key="article.id")
    claim_id: int | None = Field(default=None, foreign_key="claim.id")
    claim_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    pending_rating: Rating | None = Field(
        default=None, sa_column=Column(StrEnumType(Rating), nullable=True)
    )
    # A text that came while a claim was waiting: kept until the reviewer says what it is.
    pending_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # A note the reviewer attached to the claim, saved with its verdict.
    pending_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The current claim's message did not reach Telegram: the reviewer's next message resends it.
    card_lost: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    # The reviewer pressed "Edit": their next text restates the claim.
    editing: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    updated_at: datetime = _timestamp()


class PendingSettlement(SQLModel, table=True):
    """An admin chose a dispute's verdict and was asked why: their reply to the question is the
    reason, and settles the claim. `message_id` is the dispute's message, marked when settled."""

    __tablename__ = "pending_settlement"
    __table_args__ = (UniqueConstraint("chat_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    reviewer_id: int = Field(foreign_key="reviewer.id")
    claim_id: int = Field(foreign_key="claim.id")
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    rating: Rating = Field(sa_column=Column(StrEnumType(Rating), nullable=False))
    created_at: datetime = _timestamp()


class Invite(SQLModel, table=True):
    """A one-time deep-link code an admin hands to a new reviewer."""

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True)
    created_by_id: int = Field(foreign_key="reviewer.id")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_by_id: int | None = Field(default=None, foreign_key="reviewer.id")
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Assignment(SQLModel, table=True):
    """A claim handed to a reviewer by /next: a lock until `expires_at`, kept as history."""

    __tablename__ = "assignment"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    reviewer_id: int = Field(foreign_key="reviewer.id", index=True)
    assigned_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    outcome: str | None = Field(default=None, max_length=16)


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update whose effect is stored: written in the same transaction as the effect,
    so an update Telegram delivers again (the bot died before confirming it) changes nothing.
    Rows older than a day are pruned; Telegram gives up redelivering long before that."""

    __tablename__ = "processed_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = _timestamp(index=True)
