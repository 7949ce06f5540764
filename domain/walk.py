"""The review walk's rules: what a reviewer's tap or message does, decided without a database.

The service (`services.review`) reads the walk's state, asks these functions what happens next,
and applies the answer in the same unit of work. The values it hands back to the bot live here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.archived import ArchivedVerdict
from domain.tally import Tally
from domain.verdicts import Rating

SKIP = "skip"

NOT_CURRENT = "This claim is no longer the one under review."
ALREADY_WAITING = "A verdict for this claim is already waiting for its source."
WAITING_CHANGED = "The verdict waiting for a source has changed."
NOTHING_TO_CHANGE = "There is no verdict waiting to be changed."
NO_SUCH_VERDICT = "That earlier verdict no longer exists."
LOCKED = "That button is not for you, or its claim does not exist."


# --- what the bot shows ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as it reached the bot."""

    text: str
    source_kind: str  # text, url, forward, document
    url: str | None = None
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClaimCard:
    """A claim as presented for review, with what the archive already knows about it."""

    claim_id: int
    article_id: int
    number: int
    total: int
    text: str
    earlier: ArchivedVerdict | None = None
    similar: tuple[ArchivedVerdict, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordedVerdict:
    """A verdict just stored (or a skip), with what is needed to rewrite the claim's message."""

    claim_id: int
    number: int
    total: int
    text: str
    rating: Rating | None  # None: skipped
    source_url: str | None
    message_id: int | None
    reused: bool = False


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    article_id: int
    title: str | None
    tally: Tally


@dataclass(frozen=True, slots=True)
class Notice:
    """An article someone else submitted is now fully checked: its submitter hears about it."""

    chat_id: int
    summary: ArticleSummary


@dataclass(frozen=True, slots=True)
class Step:
    """The walk moved on: what was recorded, then the next claim or the end of the article.

    `from_queue`: the claim came from /next, so the walk ends with it instead of moving on.
    """

    recorded: RecordedVerdict
    next_card: ClaimCard | None
    summary: ArticleSummary | None
    from_queue: bool = False
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True, slots=True)
class AwaitingSource:
    """A rating was chosen; the reviewer now owes a source link."""

    claim_id: int
    number: int
    total: int
    text: str
    rating: Rating
    message_id: int | None

    @property
    def optional(self) -> bool:
        return not self.rating.needs_source


@dataclass(frozen=True, slots=True)
class Stale:
    """The tap or message refers to a claim the walk is no longer on (double tap, old message).

    `alert`: a refusal worth a pop-up (a button not for this reviewer), not a quiet hint.
    """

    reason: str
    alert: bool = False


@dataclass(frozen=True, slots=True)
class NotWaiting:
    """No source is owed: the text is something else (an article, perhaps)."""


@dataclass(frozen=True, slots=True)
class BadLink:
    reason: str
    awaiting: AwaitingSource


@dataclass(frozen=True, slots=True)
class Submission:
    article_id: int
    total: int
    first: ClaimCard | None
    abandoned: ArticleSummary | None = None
    truncated_at: int | None = None


@dataclass(frozen=True, slots=True)
class Cancelled:
    article_id: int
    pending: int
    message_id: int | None = None
    card: RecordedVerdict | None = None  # the claim the walk was on, to mark on its message


@dataclass(frozen=True, slots=True)
class RetractedVerdict:
    """/undo took a verdict back; the claim's message says so again."""

    claim_id: int
    text: str
    rating: Rating
    status_word: str


# --- the rules -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WalkState:
    """Where a reviewer's walk in one chat stands."""

    article_id: int
    claim_id: int | None
    pending_rating: Rating | None
    message_id: int | None


def refuse_turn(walk: WalkState | None, claim_id: int, *, owes_source: bool) -> Stale | None:
    """Why the walk may not act on this claim now, or None when it may.

    One rule for taps, links and reuse: the walk must be on the claim, and a source must be owed
    exactly when the action pays one. A double tap or a tap on an old card fails here.
    """
    if walk is None or walk.claim_id != claim_id:
        return Stale(NOT_CURRENT)
    if owes_source and walk.pending_rating is None:
        return Stale(WAITING_CHANGED)
    if not owes_source and walk.pending_rating is not None:
        return Stale(ALREADY_WAITING)
    return None


@dataclass(frozen=True, slots=True)
class Advance:
    """What recording (or skipping) the walk's current claim does next."""

    next_claim_id: int | None
    shows_summary: bool
    ends_assignment_as_skipped: bool

    @property
    def ends_walk(self) -> bool:
        return self.next_claim_id is None


def decide_advance(*, rating: Rating | None, from_queue: bool, following_id: int | None) -> Advance:
    """A claim handed out by /next ends the walk; an article's walk goes on to its next
    pending claim, and the reviewer sees the article's summary when there is none."""
    next_id = None if from_queue else following_id
    return Advance(
        next_claim_id=next_id,
        shows_summary=next_id is None and not from_queue,
        ends_assignment_as_skipped=from_queue and rating is None,
    )


def notify_submitter(
    *, became_final: bool, article_done: bool, submitter_id: int, summarised_for: int | None
) -> bool:
    """Closing the loop: the submitter hears once, when a verdict finished their article.

    `summarised_for` is the reviewer whose own walk already ends with the summary.
    """
    return became_final and article_done and submitter_id != summarised_for
