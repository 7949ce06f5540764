"""The review walk: an article becomes claims, and a reviewer rates them one at a time.

Every step is one transaction, and the walk's position is stored (`review_session`), so a restart,
a second replica or a double tap all see the same state. Steps that race (two taps on one button)
are decided by compare-and-set updates in the database, not by in-memory flags.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session

from db import queries, queue_queries
from db.engine import transaction
from db.models import Claim, ReviewSession, utcnow
from domain import consensus
from domain.access import Member
from domain.archive import ArchivedVerdict, ClaimArchive
from domain.extraction import extract_claims
from domain.normalize import normalize_claim
from domain.source_links import LinkError, check_source_link
from domain.verdicts import RATING_ORDER, ClaimStatus, Rating, VerdictKind

# --- what the service hands back -------------------------------------------------------------


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
    """A verdict just stored, with what is needed to rewrite the claim's message as a log line."""

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
    total: int
    counts: dict[Rating, int]
    pending: int


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
    """The tap or message refers to a claim the walk is no longer on (double tap, old message)."""

    reason: str


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


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """An article as it reached the bot."""

    text: str
    source_kind: str  # text, url, forward, document
    url: str | None = None
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


SKIP = "skip"


# --- the service -----------------------------------------------------------------------------


class ReviewService:
    def __init__(
        self,
        engine: Engine,
        archive: ClaimArchive,
        *,
        max_claims: int = 15,
        max_article_chars: int = 200_000,
        reviews_required: int = 1,
    ) -> None:
        self._engine = engine
        self._archive = archive
        self._required = reviews_required
        self._max_claims = max_claims
        self._max_chars = max_article_chars

    # submission ------------------------------------------------------------------------------

    def submit_article(self, member: Member, chat_id: int, article: ArticleInput) -> Submission:
        """Store the article and its claims and point the reviewer's walk at the first claim.

        Extraction runs before the transaction opens: it is the slow part and needs no database.
        """
        readable = article.text[: self._max_chars]
        extracted = extract_claims(readable, max_claims=self._max_claims)
        rows = [(c.text, normalize_claim(c.text), c.score) for c in extracted]

        def work(session: Session) -> tuple[int, int | None, ArticleSummary | None]:
            previous = queries.get_review_session(
                session=session, reviewer_id=member.reviewer_id, chat_id=chat_id
            )
            abandoned = None
            if previous is not None and previous.claim_id is not None:
                abandoned = _summary(session, previous.article_id)
            stored = queries.add_article(
                session=session,
                text=article.text,
                url=article.url,
                title=article.title,
                source_kind=article.source_kind,
                submitted_by_id=member.reviewer_id,
                chat_id=chat_id,
            )
            assert stored.id is not None
            claims = queries.add_claims(session=session, article_id=stored.id, claims=rows)
            first_id = claims[0].id if claims else None
            if first_id is not None:
                queries.start_review_session(
                    session=session,
                    reviewer_id=member.reviewer_id,
                    chat_id=chat_id,
                    article_id=stored.id,
                    claim_id=first_id,
                )
            elif previous is not None:
                queries.end_review_session(session=session, review_session_id=_id(previous))
            return stored.id, first_id, abandoned

        article_id, first_id, abandoned = transaction(self._engine, work)
        first = self.card(first_id) if first_id is not None else None
        truncated = self._max_chars if len(article.text) > self._max_chars else None
        return Submission(article_id, len(rows), first, abandoned, truncated)

    # the walk --------------------------------------------------------------------------------

    def card(self, claim_id: int) -> ClaimCard:
        """A claim ready to show, matched against the archive at the moment it is shown.

        The claim's own verdicts are never shown on its card: a second reviewer reviews blind.
        """
        claim, total = transaction(self._engine, lambda s: _claim_and_total(s, claim_id))
        earlier, similar = self._archive.lookup(claim.text)
        if earlier is not None and earlier.claim_id == claim_id:
            earlier = None
        similar = [item for item in similar if item.claim_id != claim_id]
        return ClaimCard(
            claim_id=claim_id,
            article_id=_article_of(claim),
            number=claim.position + 1,
            total=total,
            text=claim.text,
            earlier=earlier,
            similar=tuple(similar[:3]),
        )

    def walk_to(self, member: Member, chat_id: int, claim_id: int) -> ClaimCard:
        """Point the reviewer's walk in this chat at one claim (a claim /next handed out)."""

        def work(session: Session) -> None:
            claim, _ = _claim_and_total(session, claim_id)
            queries.start_review_session(
                session=session,
                reviewer_id=member.reviewer_id,
                chat_id=chat_id,
                article_id=_article_of(claim),
                claim_id=claim_id,
            )

        transaction(self._engine, work)
        return self.card(claim_id)

    def current_card(self, member: Member, chat_id: int) -> ClaimCard | None:
        walk = transaction(self._engine, lambda s: _walk(s, member, chat_id))
        if walk is None or walk.claim_id is None:
            return None
        return self.card(walk.claim_id)

    def claim_shown(self, member: Member, chat_id: int, claim_id: int, message_id: int) -> None:
        """Remember which message shows the current claim, so it can be edited into a log line."""

        def work(session: Session) -> None:
            walk = _walk(session, member, chat_id)
            if walk is not None:
                queries.set_claim_message(
                    session=session,
                    review_session_id=_id(walk),
                    claim_id=claim_id,
                    message_id=message_id,
                )

        transaction(self._engine, work)

    def choose(
        self, member: Member, chat_id: int, claim_id: int, choice: Rating | str
    ) -> AwaitingSource | Step | Stale:
        """A verdict button was pressed on the claim's message."""
        if choice == SKIP:
            return self._advance(member, chat_id, claim_id, rating=None, source=None)
        rating = Rating(choice)
        if not rating.may_have_source:
            return self._advance(member, chat_id, claim_id, rating=rating, source=None)

        def work(session: Session) -> AwaitingSource | Stale:
            walk = _walk(session, member, chat_id)
            if walk is None or walk.claim_id != claim_id:
                return Stale("This claim is no longer the one under review.")
            if not queries.claim_pending_rating(
                session=session, review_session_id=_id(walk), claim_id=claim_id, rating=rating
            ):
                return Stale("A verdict for this claim is already waiting for its source.")
            return _awaiting(session, walk, rating)

        return transaction(self._engine, work)

    def change_rating(self, member: Member, chat_id: int, claim_id: int) -> ClaimCard | Stale:
        """Take back a chosen rating before its source was given, and show the buttons again."""

        def work(session: Session) -> bool:
            walk = _walk(session, member, chat_id)
            if walk is None or walk.claim_id != claim_id or walk.pending_rating is None:
                return False
            queries.clear_pending_rating(session=session, review_session_id=_id(walk))
            return True

        if not transaction(self._engine, work):
            return Stale("There is no verdict waiting to be changed.")
        return self.card(claim_id)

    def awaiting_source(self, member: Member, chat_id: int) -> AwaitingSource | None:
        def work(session: Session) -> AwaitingSource | None:
            walk = _walk(session, member, chat_id)
            if walk is None or walk.pending_rating is None:
                return None
            return _awaiting(session, walk, Rating(walk.pending_rating))

        return transaction(self._engine, work)

    def give_source(
        self, member: Member, chat_id: int, text: str
    ) -> Step | BadLink | NotWaiting | Stale:
        """The reviewer sent text while a source may be owed."""
        awaiting = self.awaiting_source(member, chat_id)
        if awaiting is None:
            return NotWaiting()
        try:
            url = check_source_link(text)
        except LinkError as error:
            return BadLink(str(error), awaiting)
        return self._advance(
            member, chat_id, awaiting.claim_id, rating=awaiting.rating, source=url, pending=True
        )

    def no_source(self, member: Member, chat_id: int) -> Step | AwaitingSource | NotWaiting:
        """/nosource: save an Unverifiable verdict without a link; other ratings still need one."""
        awaiting = self.awaiting_source(member, chat_id)
        if awaiting is None:
            return NotWaiting()
        if not awaiting.optional:
            return awaiting
        step = self._advance(
            member, chat_id, awaiting.claim_id, rating=awaiting.rating, source=None, pending=True
        )
        return step if isinstance(step, Step) else NotWaiting()

    def reuse(self, member: Member, chat_id: int, claim_id: int, verdict_id: int) -> Step | Stale:
        """Record an earlier verdict and its source for this claim in one tap."""

        def earlier(session: Session) -> tuple[Rating, str | None] | None:
            verdict = queries.get_verdict(session=session, verdict_id=verdict_id)
            if verdict is None or verdict.claim_id == claim_id:
                return None
            return Rating(verdict.rating), verdict.source_url

        found = transaction(self._engine, earlier)
        if found is None:
            return Stale("That earlier verdict no longer exists.")
        rating, source = found
        return self._advance(
            member, chat_id, claim_id, rating=rating, source=source, reused_from=verdict_id
        )

    def cancel(self, member: Member, chat_id: int) -> Cancelled | None:
        """Stop the walk; the article's unreviewed claims stay pending for later."""

        def work(session: Session) -> Cancelled | None:
            walk = _walk(session, member, chat_id)
            if walk is None:
                return None
            pending = queries.count_pending(session=session, article_id=walk.article_id)
            queries.end_review_session(session=session, review_session_id=_id(walk))
            return Cancelled(walk.article_id, pending)

        return transaction(self._engine, work)

    # internals -------------------------------------------------------------------------------

    def _advance(
        self,
        member: Member,
        chat_id: int,
        claim_id: int,
        *,
        rating: Rating | None,
        source: str | None,
        pending: bool = False,
        reused_from: int | None = None,
    ) -> Step | Stale:
        """Record (or skip) the current claim and move the walk on, atomically.

        The move is a compare-and-set on the walk's current claim: of two racing taps, only one
        moves it, and only that one writes a verdict.
        """

        def work(
            session: Session,
        ) -> tuple[RecordedVerdict, int | None, ArticleSummary | None, bool, tuple[Notice, ...]]:
            walk = _walk(session, member, chat_id)
            if walk is None or walk.claim_id != claim_id:
                raise _StaleStep("This claim is no longer the one under review.")
            if pending and walk.pending_rating != (rating.value if rating else None):
                raise _StaleStep("The verdict waiting for a source has changed.")
            if not pending and walk.pending_rating is not None:
                raise _StaleStep("A verdict for this claim is already waiting for its source.")
            claim, total = _claim_and_total(session, claim_id)
            from_queue = (
                queue_queries.open_assignment(
                    session=session, claim_id=claim_id, reviewer_id=member.reviewer_id
                )
                is not None
            )
            following = queries.next_pending_claim(
                session=session,
                article_id=_article_of(claim),
                after_position=claim.position,
                reviewer_id=member.reviewer_id,
                now=utcnow(),
            )
            next_id = following.id if following is not None and not from_queue else None
            message_id = walk.claim_message_id
            if not queries.move_review_session(
                session=session,
                review_session_id=_id(walk),
                from_claim_id=claim_id,
                to_claim_id=next_id,
            ):
                raise _StaleStep("This claim was just handled.")
            notices: tuple[Notice, ...] = ()
            if rating is not None:
                change = consensus.record(
                    session,
                    claim_id=claim_id,
                    reviewer_id=member.reviewer_id,
                    rating=rating,
                    kind=VerdictKind.REVIEW,
                    required=self._required,
                    source_url=source,
                    reused_from_id=reused_from,
                )
                walker = None if from_queue else member.reviewer_id
                notices = finished_notices(session, change, walker)
            elif from_queue:
                queue_queries.end_assignments(
                    session=session,
                    claim_id=claim_id,
                    reviewer_id=member.reviewer_id,
                    outcome="skipped",
                    now=utcnow(),
                )
            summary = None
            if next_id is None:
                if not from_queue:
                    summary = _summary(session, _article_of(claim))
                queries.end_review_session(session=session, review_session_id=_id(walk))
            recorded = RecordedVerdict(
                claim_id=claim_id,
                number=claim.position + 1,
                total=total,
                text=claim.text,
                rating=rating,
                source_url=source,
                message_id=message_id,
                reused=reused_from is not None,
            )
            return recorded, next_id, summary, from_queue, notices

        try:
            recorded, next_id, summary, from_queue, notices = transaction(self._engine, work)
        except _StaleStep as stale:
            return Stale(str(stale))
        next_card = self.card(next_id) if next_id is not None else None
        return Step(recorded, next_card, summary, from_queue, notices)


class _StaleStep(Exception):
    """Raised inside a unit of work to roll it back and report a stale tap."""


def _id(walk: ReviewSession) -> int:
    assert walk.id is not None
    return walk.id


def _walk(session: Session, member: Member, chat_id: int) -> ReviewSession | None:
    return queries.get_review_session(
        session=session, reviewer_id=member.reviewer_id, chat_id=chat_id
    )


def _claim_and_total(session: Session, claim_id: int) -> tuple[Claim, int]:
    claim = queries.get_claim(session=session, claim_id=claim_id)
    if claim is None:
        raise LookupError(f"claim {claim_id} does not exist")
    return claim, queries.count_claims(session=session, article_id=_article_of(claim))


def _article_of(claim: Claim) -> int:
    """Claims under review always come from an article; only imported claims have none."""
    if claim.article_id is None:
        raise LookupError(f"claim {claim.id} belongs to no article")
    return claim.article_id


def _awaiting(session: Session, walk: ReviewSession, rating: Rating) -> AwaitingSource:
    assert walk.claim_id is not None
    claim, total = _claim_and_total(session, walk.claim_id)
    return AwaitingSource(
        claim_id=walk.claim_id,
        number=claim.position + 1,
        total=total,
        text=claim.text,
        rating=rating,
        message_id=walk.claim_message_id,
    )


def finished_notices(
    session: Session, change: consensus.Change, summarised_for: int | None
) -> tuple[Notice, ...]:
    """Closing the loop: the submitter hears when a verdict finished their article.

    `summarised_for` is the reviewer whose own walk already ends with the article's summary
    (the submitter walking their own article); everyone else finishing it sends a notice.
    """
    if change.article_id is None or not change.became_final:
        return ()
    if not consensus.article_finished(session, change.article_id):
        return ()
    article = queries.get_article(session=session, article_id=change.article_id)
    if article is None or article.submitted_by_id == summarised_for:
        return ()
    return (Notice(article.chat_id, _summary(session, change.article_id)),)


def _summary(session: Session, article_id: int) -> ArticleSummary:
    article = queries.get_article(session=session, article_id=article_id)
    ratings = Counter(
        Rating(r) for r in queries.ratings_for_article(session=session, article_id=article_id)
    )
    return ArticleSummary(
        article_id=article_id,
        title=article.title if article else None,
        total=queries.count_claims(session=session, article_id=article_id),
        counts={r: ratings[r] for r in RATING_ORDER if ratings[r]},
        pending=queries.count_pending(session=session, article_id=article_id),
    )


__all__ = [
    "SKIP",
    "ArticleInput",
    "ArticleSummary",
    "AwaitingSource",
    "BadLink",
    "Cancelled",
    "ClaimCard",
    "ClaimStatus",
    "NotWaiting",
    "Notice",
    "RecordedVerdict",
    "ReviewService",
    "Stale",
    "Step",
    "Submission",
]
