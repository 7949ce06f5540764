"""The review walk: an article becomes claims, and a reviewer rates them one at a time.

Each call is one unit of work: the walk's state, the lock check, the verdict and the next card
are read and written in one transaction. The walk's position is stored (`review_session`), so a
restart, a second replica or a double tap all see the same state; races are decided by
compare-and-set updates, and the rules by `domain.walk`.
"""

from __future__ import annotations

from db.models import Claim, utcnow
from db.uow import Database, UnitOfWork
from domain.access import Member
from domain.extraction import extract
from domain.queue import AssignmentOutcome
from domain.source_links import LinkError, check_source_link
from domain.verdicts import Rating, VerdictKind
from domain.walk import (
    ALREADY_WAITING,
    LOCKED,
    NO_SUCH_VERDICT,
    NOTHING_TO_CHANGE,
    SKIP,
    ArticleInput,
    AwaitingSource,
    BadLink,
    Cancelled,
    ClaimCard,
    NotWaiting,
    RecordedVerdict,
    Stale,
    Step,
    Submission,
    decide_advance,
    refuse_turn,
)
from services.archive import ClaimArchive
from services.verdicts import article_summary, notices_for, record_act


class ReviewService:
    def __init__(
        self,
        db: Database,
        archive: ClaimArchive,
        *,
        max_claims: int = 15,
        max_article_chars: int = 200_000,
        reviews_required: int = 1,
    ) -> None:
        self._db = db
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
        extraction = extract(readable, max_claims=self._max_claims)
        rows = extraction.claims
        truncated = self._max_chars if len(article.text) > self._max_chars else None

        def work(tx: UnitOfWork) -> Submission:
            tx.reviewers.lock(member.reviewer_id)
            previous = tx.walks.state(member.reviewer_id, chat_id)
            abandoned = None
            if previous is not None and previous.claim_id is not None:
                abandoned = article_summary(tx, previous.article_id)
            stored = tx.articles.add(article, submitted_by_id=member.reviewer_id, chat_id=chat_id)
            assert stored.id is not None
            claims = tx.claims.add_many(stored.id, rows)
            first = None
            if claims:
                first = self._card(tx, claims[0], len(claims))
                tx.walks.start(
                    reviewer_id=member.reviewer_id,
                    chat_id=chat_id,
                    article_id=stored.id,
                    claim_id=first.claim_id,
                )
            elif previous is not None:
                tx.walks.end(member.reviewer_id, chat_id)
            return Submission(
                stored.id,
                len(rows),
                first,
                abandoned,
                truncated,
                language=extraction.language,
                other_language=extraction.fallback,
            )

        return self._db.run(work)

    # the walk --------------------------------------------------------------------------------

    def walk_to(self, tx: UnitOfWork, member: Member, chat_id: int, claim: Claim) -> ClaimCard:
        """Point the reviewer's walk in this chat at one claim (a claim /next handed out)."""
        assert claim.article_id is not None
        card = self._card(tx, claim, tx.claims.count_in_article(claim.article_id))
        tx.walks.start(
            reviewer_id=member.reviewer_id,
            chat_id=chat_id,
            article_id=claim.article_id,
            claim_id=card.claim_id,
        )
        return card

    def current(self, member: Member, chat_id: int) -> ClaimCard | AwaitingSource | None:
        """/claim: the claim under review, as a card or as the verdict waiting for its source."""

        def work(tx: UnitOfWork) -> ClaimCard | AwaitingSource | None:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            if walk is None or walk.claim_id is None:
                return None
            claim = tx.claims.get(walk.claim_id)
            if claim is None:
                return None
            if walk.pending_rating is not None:
                return self._awaiting(tx, claim, walk.pending_rating, walk.message_id)
            return self._card(tx, claim, tx.claims.count_in_article(walk.article_id))

        return self._db.run(work)

    def choose(
        self,
        member: Member,
        chat_id: int,
        claim_id: int,
        choice: Rating | str,
        message_id: int | None,
    ) -> AwaitingSource | Step | Stale:
        """A verdict button was pressed on the claim's message (`message_id`)."""
        if choice == SKIP:
            return self._step(member, chat_id, claim_id, rating=None, message_id=message_id)
        rating = Rating(choice)
        if not rating.may_have_source:
            return self._step(member, chat_id, claim_id, rating=rating, message_id=message_id)

        def work(tx: UnitOfWork) -> AwaitingSource | Stale:
            claim = tx.claims.get(claim_id)
            refusal = _locked(claim, member) or refuse_turn(
                tx.walks.state(member.reviewer_id, chat_id), claim_id, owes_source=False
            )
            if refusal is not None:
                return refusal
            assert claim is not None
            if not tx.walks.owe_source(
                reviewer_id=member.reviewer_id,
                chat_id=chat_id,
                claim_id=claim_id,
                rating=rating,
                message_id=message_id,
            ):
                return Stale(ALREADY_WAITING)
            return self._awaiting(tx, claim, rating, message_id)

        return self._db.run(work)

    def change_rating(self, member: Member, chat_id: int, claim_id: int) -> ClaimCard | Stale:
        """Take back a chosen rating before its source was given, and show the buttons again."""

        def work(tx: UnitOfWork) -> ClaimCard | Stale:
            claim = tx.claims.get(claim_id)
            if claim is None or not tx.walks.clear_pending(
                reviewer_id=member.reviewer_id, chat_id=chat_id, claim_id=claim_id
            ):
                return Stale(NOTHING_TO_CHANGE)
            assert claim.article_id is not None
            return self._card(tx, claim, tx.claims.count_in_article(claim.article_id))

        return self._db.run(work)

    def give_source(
        self, member: Member, chat_id: int, text: str
    ) -> Step | BadLink | NotWaiting | Stale:
        """The reviewer sent text while a source may be owed."""

        def work(tx: UnitOfWork) -> Step | BadLink | NotWaiting | Stale:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            if walk is None or walk.claim_id is None or walk.pending_rating is None:
                return NotWaiting()
            try:
                url = check_source_link(text)
            except LinkError as error:
                claim = tx.claims.get(walk.claim_id)
                assert claim is not None
                awaiting = self._awaiting(tx, claim, walk.pending_rating, walk.message_id)
                return BadLink(str(error), awaiting)
            return self._advance(
                tx,
                member,
                chat_id,
                walk.claim_id,
                rating=walk.pending_rating,
                source=url,
                owes_source=True,
                message_id=walk.message_id,
            )

        return self._db.run(work)

    def no_source(self, member: Member, chat_id: int) -> Step | AwaitingSource | NotWaiting:
        """/nosource: save an Unverifiable verdict without a link; other ratings still need one."""

        def work(tx: UnitOfWork) -> Step | AwaitingSource | NotWaiting:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            if walk is None or walk.claim_id is None or walk.pending_rating is None:
                return NotWaiting()
            if walk.pending_rating.needs_source:
                claim = tx.claims.get(walk.claim_id)
                assert claim is not None
                return self._awaiting(tx, claim, walk.pending_rating, walk.message_id)
            step = self._advance(
                tx,
                member,
                chat_id,
                walk.claim_id,
                rating=walk.pending_rating,
                source=None,
                owes_source=True,
                message_id=walk.message_id,
            )
            return step if isinstance(step, Step) else NotWaiting()

        return self._db.run(work)

    def reuse(
        self, member: Member, chat_id: int, claim_id: int, verdict_id: int, message_id: int | None
    ) -> Step | Stale:
        """Record an earlier verdict and its source for this claim in one tap."""

        def work(tx: UnitOfWork) -> Step | Stale:
            earlier = tx.verdicts.get(verdict_id)
            if earlier is None or not earlier.standing or earlier.claim_id == claim_id:
                return Stale(NO_SUCH_VERDICT)
            return self._advance(
                tx,
                member,
                chat_id,
                claim_id,
                rating=earlier.rating,
                source=earlier.source_url,
                owes_source=False,
                message_id=message_id,
                reused_from=verdict_id,
            )

        return self._db.run(work)

    def cancel(self, member: Member, chat_id: int) -> Cancelled | None:
        """Stop the walk; the article's unreviewed claims stay pending for later."""

        def work(tx: UnitOfWork) -> Cancelled | None:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            if walk is None:
                return None
            tx.walks.end(member.reviewer_id, chat_id)
            claim = tx.claims.get(walk.claim_id) if walk.claim_id is not None else None
            card = None
            if claim is not None and walk.message_id is not None:
                card = self._recorded(tx, claim, None, None, walk.message_id)
            pending = article_summary(tx, walk.article_id).tally.pending
            return Cancelled(walk.article_id, pending, walk.message_id, card)

        return self._db.run(work)

    # internals -------------------------------------------------------------------------------

    def _step(
        self,
        member: Member,
        chat_id: int,
        claim_id: int,
        *,
        rating: Rating | None,
        message_id: int | None,
    ) -> Step | Stale:
        return self._db.run(
            lambda tx: self._advance(
                tx,
                member,
                chat_id,
                claim_id,
                rating=rating,
                source=None,
                owes_source=False,
                message_id=message_id,
            )
        )

    def _advance(
        self,
        tx: UnitOfWork,
        member: Member,
        chat_id: int,
        claim_id: int,
        *,
        rating: Rating | None,
        source: str | None,
        owes_source: bool,
        message_id: int | None,
        reused_from: int | None = None,
    ) -> Step | Stale:
        """Record (or skip) the walk's current claim and move the walk on, in the caller's unit.

        The checks come first and write nothing; the move is a compare-and-set on the walk's
        current claim, so of two racing taps only one moves it and only that one writes.
        """
        claim = tx.claims.get_for_update(claim_id)
        refusal = _locked(claim, member) or refuse_turn(
            tx.walks.state(member.reviewer_id, chat_id), claim_id, owes_source=owes_source
        )
        if refusal is not None:
            return refusal
        assert claim is not None and claim.article_id is not None
        from_queue = tx.assignments.is_open(claim_id=claim_id, reviewer_id=member.reviewer_id)
        following = tx.claims.next_pending(
            article_id=claim.article_id,
            after_position=claim.position,
            reviewer_id=member.reviewer_id,
            now=utcnow(),
        )
        advance = decide_advance(
            rating=rating,
            from_queue=from_queue,
            following_id=following.id if following is not None else None,
        )
        if not tx.walks.move(
            reviewer_id=member.reviewer_id,
            chat_id=chat_id,
            from_claim_id=claim_id,
            to_claim_id=advance.next_claim_id,
        ):
            return Stale("This claim was just handled.")
        change = None
        if rating is not None:
            change = record_act(
                tx,
                claim,
                reviewer_id=member.reviewer_id,
                rating=rating,
                kind=VerdictKind.REVIEW,
                required=self._required,
                source_url=source,
                reused_from_id=reused_from,
                message_id=message_id,
                ends_assignment=from_queue,
            )
        elif advance.ends_assignment_as_skipped:
            tx.assignments.end(
                claim_id=claim_id,
                reviewer_id=member.reviewer_id,
                outcome=AssignmentOutcome.SKIPPED,
                now=utcnow(),
            )
            tx.claims.unlock(claim_id, member.reviewer_id)
        if advance.ends_walk:
            tx.walks.end(member.reviewer_id, chat_id)
        recorded = self._recorded(tx, claim, rating, source, message_id, reused_from is not None)
        next_card = None
        if following is not None and advance.next_claim_id is not None:
            next_card = self._card(tx, following, recorded.total)
        summary = article_summary(tx, claim.article_id) if advance.shows_summary else None
        notices = notices_for(tx, change, None if from_queue else member.reviewer_id)
        return Step(recorded, next_card, summary, from_queue, notices)

    def _card(self, tx: UnitOfWork, claim: Claim, total: int) -> ClaimCard:
        """A claim ready to show, matched against the archive at the moment it is shown.

        The claim's own verdicts are never shown on its card: a second reviewer reviews blind.
        """
        assert claim.id is not None and claim.article_id is not None
        earlier, similar = self._archive.lookup(tx, claim.text, exclude=claim.id)
        return ClaimCard(
            claim_id=claim.id,
            article_id=claim.article_id,
            number=claim.position + 1,
            total=total,
            text=claim.text,
            earlier=earlier,
            similar=tuple(similar[:3]),
        )

    def _awaiting(
        self, tx: UnitOfWork, claim: Claim, rating: Rating, message_id: int | None
    ) -> AwaitingSource:
        assert claim.id is not None and claim.article_id is not None
        return AwaitingSource(
            claim_id=claim.id,
            number=claim.position + 1,
            total=tx.claims.count_in_article(claim.article_id),
            text=claim.text,
            rating=rating,
            message_id=message_id,
        )

    def _recorded(
        self,
        tx: UnitOfWork,
        claim: Claim,
        rating: Rating | None,
        source: str | None,
        message_id: int | None,
        reused: bool = False,
    ) -> RecordedVerdict:
        assert claim.id is not None and claim.article_id is not None
        return RecordedVerdict(
            claim_id=claim.id,
            number=claim.position + 1,
            total=tx.claims.count_in_article(claim.article_id),
            text=claim.text,
            rating=rating,
            source_url=source,
            message_id=message_id,
            reused=reused,
        )


def _locked(claim: Claim | None, member: Member) -> Stale | None:
    """Buttons carry claim ids and a client can send any id: a claim that does not exist, or
    one another reviewer holds through /next, is refused whatever the button said."""
    if claim is None:
        return Stale(LOCKED, alert=True)
    held = claim.locked_by_id is not None and claim.locked_by_id != member.reviewer_id
    if held and claim.locked_until is not None and claim.locked_until >= utcnow():
        return Stale(LOCKED, alert=True)
    return None
