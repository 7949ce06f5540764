"""The review walk's rules: what a reviewer's tap or message does, decided without a database.

The service (`services.review`) reads the walk's state, asks these functions what happens next,
and applies the answer in the same unit of work. The values it hands back to the bot live here.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

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
    note: str | None = None  # the reviewer's note, waiting for the verdict
    claimant: str | None = None  # who the sentence says made the claim
    has_context: bool = False  # the paragraph it came from is known ("📄 Context")


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
    more_sources: tuple[str, ...] = ()
    note: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return ((self.source_url,) if self.source_url else ()) + self.more_sources


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    article_id: int
    title: str | None
    tally: Tally
    left_out: int = 0  # remembered as "Not a claim": skipped, not offered


@dataclass(frozen=True, slots=True)
class Notice:
    """An article someone else submitted is now fully checked: its submitter hears about it."""

    chat_id: int
    summary: ArticleSummary


@dataclass(frozen=True, slots=True)
class DisputeAlert:
    """A verdict just made its claim disputed: the admins hear about it."""

    claim_id: int
    text: str


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
    dispute: DisputeAlert | None = None


@dataclass(frozen=True, slots=True)
class AwaitingSource:
    """A rating was chosen; the reviewer now owes a source link."""

    claim_id: int
    number: int
    total: int
    text: str
    rating: Rating
    message_id: int | None
    note: str | None = None

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
class TextQuestion:
    """A text came while a claim waits: the reviewer says what it is before anything happens.

    `resend`: the claim's own message never reached the chat, so it is shown again first.
    """

    claim_id: int
    number: int
    owes_source: bool
    resend: ClaimCard | AwaitingSource | None = None
    fingerprint: str = ""  # of the held text: an older question's buttons no longer act on it
    joined: bool = False  # an earlier unanswered text is held with this one, nothing dropped


@dataclass(frozen=True, slots=True)
class Resent:
    """The claim's message was lost on the way; the reviewer's next message gets it again."""

    current: ClaimCard | AwaitingSource


def fingerprint(text: str) -> str:
    """Eight hex digits naming a held text, carried by its question's buttons."""
    return f"{zlib.crc32(text.encode('utf-8')):08x}"


class TextChoice(StrEnum):
    """The answers to a `TextQuestion`."""

    ARTICLE = "a"  # read the text as a new article
    KEEP = "k"  # drop the text, show the claim again
    NOTE = "o"  # keep the text as the note of the claim's verdict


@dataclass(frozen=True, slots=True)
class TextAnswered:
    """What the answer did: `article` is the text to read; otherwise the claim to show again."""

    choice: TextChoice
    article: str | None = None
    current: ClaimCard | AwaitingSource | None = None
    note: str | None = None


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
    found: int = 0  # check-worthy sentences found; more than `total` when the cap held some back
    title: str | None = None
    language: str | None = None
    other_language: bool = False  # claims weighed by figures, names and attributions only
    reusable: int = 0  # every claim was checked before: "♻️ Reuse all" offers their verdicts
    left_out: int = 0  # sentences the desk marked "Not a claim" before, not offered again

    @property
    def held_back(self) -> int:
        return max(self.found - self.total, 0)


@dataclass(frozen=True, slots=True)
class ReusedAll:
    """ "♻️ Reuse all": the earlier verdicts recorded for an article's claims, and its tally."""

    article_id: int
    reused: int
    summary: ArticleSummary
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True, slots=True)
class MoreClaims:
    """/more: claims the cap held back, added to the article.

    `first` is set when the walk was started on them; otherwise they follow the current claim.
    """

    article_id: int
    added: int
    left: int
    first: ClaimCard | None


def most_worthy(scores: list[float], cap: int) -> list[int]:
    """The indices of the `cap` highest scores (earlier first on ties), in article order."""
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:cap]
    return sorted(ranked)


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
    pending_text: str | None = None
    pending_note: str | None = None
    card_lost: bool = False
    editing: bool = False


#: Fewer words than this, after a lost claim message, is a nudge ("hello?"), not an article.
NUDGE_WORDS = 5


class TextRoute(StrEnum):
    EDIT = "edit"  # the reviewer pressed "Edit": the text restates the claim
    ARTICLE = "article"  # no claim waits (or a link while a verdict waits): read it as one
    SOURCE = "source"  # a source is owed and the text holds a link: the verdict's source
    ASK = "ask"  # anything else while a claim waits: ask first, drop nothing
    RESEND = "resend"  # the claim's message was lost and this is a nudge: show it again


def route_text(walk: WalkState | None, *, has_link: bool, is_link: bool, words: int) -> TextRoute:
    """Where a text goes while the reviewer may be in a walk.

    A text is never read as an article, nor dropped, behind the reviewer's back: a stray note in
    the middle of an article used to end the walk silently. A bare link while a verdict waits is
    still an article to fetch: sending a link is deliberate.
    """
    if walk is None or walk.claim_id is None:
        return TextRoute.ARTICLE
    if walk.editing and walk.pending_rating is None and not is_link:
        return TextRoute.EDIT
    if walk.pending_rating is not None and has_link:
        return TextRoute.SOURCE
    if walk.pending_rating is None and is_link:
        return TextRoute.ARTICLE
    if walk.card_lost and words < NUDGE_WORDS:
        return TextRoute.RESEND
    return TextRoute.ASK


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


MAX_NOTE_CHARS = 500


def add_note(earlier: str | None, more: str | None) -> str | None:
    """A verdict's note is short: what the reviewer added, joined, cut at 500 characters."""
    parts = [part.strip() for part in (earlier, more) if part and part.strip()]
    if not parts:
        return None
    joined = " · ".join(parts)
    return joined if len(joined) <= MAX_NOTE_CHARS else joined[: MAX_NOTE_CHARS - 1] + "…"


def notify_submitter(
    *,
    became_final: bool,
    article_done: Callable[[], bool],
    submitter_id: int,
    summarised_for: int | None,
) -> bool:
    """Closing the loop: the submitter hears once, when a verdict finished their article.

    `summarised_for` is the reviewer whose own walk already ends with the summary.
    `article_done` is asked last: it tallies the article's claims and verdicts, and most
    verdicts are given by the submitter, who needs no notice.
    """
    return became_final and submitter_id != summarised_for and article_done()


def distinct_matches(
    earlier: ArchivedVerdict | None, similar: list[ArchivedVerdict], limit: int = 3
) -> tuple[ArchivedVerdict, ...]:
    """The similar claims to list on a card: each checked claim once (the same claim can stand
    in the archive under several verdicts or texts), none repeating the earlier verdict shown."""
    ids: set[int] = set()
    texts: set[str] = set()
    if earlier is not None:
        ids.add(earlier.claim_id)
        texts.add(" ".join(earlier.claim_text.casefold().split()))
    kept: list[ArchivedVerdict] = []
    for match in similar:
        text = " ".join(match.claim_text.casefold().split())
        if match.claim_id in ids or text in texts:
            continue
        ids.add(match.claim_id)
        texts.add(text)
        kept.append(match)
        if len(kept) == limit:
            break
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """ "📄 Context": the paragraph a claim came from, and the sentence in it to mark."""

    claim_id: int
    number: int
    paragraph: str
    sentence: str
    claimant: str | None = None


@dataclass(frozen=True, slots=True)
class EditAsked:
    """ "✏️ Edit" was pressed: the next text restates claim `number`."""

    claim_id: int
    number: int
    text: str


#: A restated claim is a sentence: at least this many words.
MIN_EDIT_WORDS = 3
