"""The review walk: an article becomes claims, and a reviewer rates them one at a time.

Each call is one unit of work: the walk's state, the lock check, the verdict and the next card
are read and written in one transaction. The walk's position is stored (`review_session`), so a
restart, a second replica or a double tap all see the same state; races are decided by
compare-and-set updates, and the rules by `domain.walk`.
"""

from __future__ import annotations

from dataclasses import replace

from db.models import Claim, utcnow
from db.uow import Database, UnitOfWork
from domain.access import Member
from domain.archived import ArchivedVerdict
from domain.extraction import extract
from domain.extraction import warm_up as warm_up_extraction
from domain.normalize import normalize_claim
from domain.queue import AssignmentOutcome
from domain.source_links import LinkError, SourceReply, article_url, source_reply
from domain.titles import headline
from domain.verdicts import ClaimStatus, Rating, VerdictKind
from domain.walk import (
    ALREADY_WAITING,
    LOCKED,
    MIN_EDIT_WORDS,
    NO_SUCH_VERDICT,
    NOTHING_TO_CHANGE,
    SKIP,
    ArticleInput,
    AwaitingSource,
    BadLink,
    Cancelled,
    ClaimCard,
    ClaimContext,
    DisputeAlert,
    EditAsked,
    MoreClaims,
    Notice,
    NotWaiting,
    RecordedVerdict,
    Resent,
    ReusedAll,
    Stale,
    Step,
    Submission,
    TextAnswered,
    TextChoice,
    TextQuestion,
    TextRoute,
    WalkState,
    add_note,
    decide_advance,
    distinct_matches,
    fingerprint,
    most_worthy,
    refuse_turn,
    route_text,
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

    def warm_up(self) -> None:
        """Load what reading an article needs before the first one arrives (the bot's start)."""
        warm_up_extraction()

    def submit_article(self, member: Member, chat_id: int, article: ArticleInput) -> Submission:
        """Store the article and its claims and point the reviewer's walk at the first claim.

        Extraction runs before the transaction opens: it is the slow part and needs no database.
        """
        readable = article.text[: self._max_chars]
        extraction = extract(readable, max_claims=None)
        found = extraction.claims
        normalized = [normalize_claim(c.text) for c in found]
        # Embedded now, in one batch and outside the transaction: each card then finds its vector.
        likely = most_worthy([c.score for c in found], self._max_claims)
        self._archive.embed_ahead([found[i].text for i in likely])
        truncated = self._max_chars if len(article.text) > self._max_chars else None
        if article.title is None and article.source_kind == "text":
            article = replace(article, title=headline(article.text))

        def work(tx: UnitOfWork) -> Submission:
            tx.reviewers.lock(member.reviewer_id)
            previous = tx.walks.state(member.reviewer_id, chat_id)
            abandoned = None
            if previous is not None and previous.claim_id is not None:
                abandoned = article_summary(tx, previous.article_id)
            stored = tx.articles.add(article, submitted_by_id=member.reviewer_id, chat_id=chat_id)
            assert stored.id is not None
            # "Not a claim" is remembered: the same sentence is not offered again.
            junk = tx.claims.not_claims_among(normalized)
            kept = [c for c, n in zip(found, normalized, strict=True) if n not in junk]
            rows = [kept[i] for i in most_worthy([c.score for c in kept], self._max_claims)]
            tx.articles.set_found(stored.id, len(kept), len(found) - len(kept))
            claims = tx.claims.add_many(stored.id, rows)
            first = None
            reusable = 0
            if claims:
                first = self._card(tx, claims[0], len(claims))
                if first.earlier is not None and all(
                    self._matches(tx, claim)[0] is not None for claim in claims[1:]
                ):
                    reusable = len(claims)
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
                found=len(kept),
                left_out=len(found) - len(kept),
                title=article.title,
                reusable=reusable,
                language=extraction.language,
                other_language=extraction.fallback,
            )

        return self._db.run(work)

    def reuse_all(self, member: Member, chat_id: int, article_id: int) -> ReusedAll | Stale:
        """ "♻️ Reuse all": every open claim of the article in review gets its earlier verdict and
        sources, as one tap each would; a claim whose match is gone stays open."""

        def work(tx: UnitOfWork) -> ReusedAll | Stale:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            if walk is None or walk.article_id != article_id or walk.claim_id is None:
                return Stale(NOT_IN_REVIEW)
            if walk.pending_rating is not None:
                return Stale(ALREADY_WAITING)
            reused = 0
            notices: list[Notice] = []
            for claim in tx.claims.of_article(article_id):
                if claim.status is not ClaimStatus.PENDING:
                    continue
                earlier, _ = self._matches(tx, claim)
                held = _locked(claim, member)
                if earlier is None or held is not None:
                    continue
                verdict = tx.verdicts.get(earlier.verdict_id)
                change = record_act(
                    tx,
                    claim,
                    reviewer_id=member.reviewer_id,
                    rating=earlier.rating,
                    kind=VerdictKind.REVIEW,
                    required=self._required,
                    source_url=earlier.source_url,
                    more_sources=tuple(((verdict and verdict.more_sources) or "").splitlines()),
                    reused_from_id=earlier.verdict_id,
                )
                notices += notices_for(tx, change, member.reviewer_id)
                reused += 1
            tx.walks.end(member.reviewer_id, chat_id)
            summary = article_summary(tx, article_id)
            return ReusedAll(article_id, reused, summary, tuple(notices))

        return self._db.run(work)

    def more(self, member: Member, chat_id: int) -> MoreClaims | None:
        """/more: the next claims the cap held back, from the article in review (or else the
        reviewer's latest article in this chat that has some). None: nothing held back.

        Extraction is deterministic, so the held-back claims are found again from the stored
        text rather than stored unoffered (they would fill the queue).
        """

        def find(tx: UnitOfWork) -> tuple[int, str] | None:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            if walk is not None and walk.claim_id is not None:
                candidates = [a for a in [tx.articles.get(walk.article_id)] if a is not None]
            else:
                candidates = tx.articles.recent_of(reviewer_id=member.reviewer_id, chat_id=chat_id)
            for article in candidates:
                assert article.id is not None
                if (article.claims_found or 0) > tx.claims.count_in_article(article.id):
                    return article.id, article.text
            return None

        held = self._db.run(find, reads_only=True)
        if held is None:
            return None
        article_id, text = held
        found = extract(text[: self._max_chars], max_claims=None).claims

        def add(tx: UnitOfWork) -> MoreClaims | None:
            stored = tx.claims.of_article(article_id)
            seen = {claim.text for claim in stored}
            junk = tx.claims.not_claims_among([normalize_claim(c.text) for c in found])
            rest = [c for c in found if c.text not in seen and normalize_claim(c.text) not in junk]
            if not rest:
                return None
            batch = [rest[i] for i in most_worthy([c.score for c in rest], self._max_claims)]
            after = max((claim.position for claim in stored), default=-1) + 1
            claims = tx.claims.add_many(
                article_id,
                batch,
                first_position=after,
            )
            walk = tx.walks.state(member.reviewer_id, chat_id)
            first = None
            if walk is None or walk.claim_id is None:
                total = tx.claims.count_in_article(article_id)
                first = self._card(tx, claims[0], total)
                tx.walks.start(
                    reviewer_id=member.reviewer_id,
                    chat_id=chat_id,
                    article_id=article_id,
                    claim_id=first.claim_id,
                )
            return MoreClaims(article_id, len(batch), len(rest) - len(batch), first)

        return self._db.run(add)

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
            if walk.card_lost:
                tx.walks.clear_card_lost(reviewer_id=member.reviewer_id, chat_id=chat_id)
            if walk.editing:
                tx.walks.set_editing(
                    reviewer_id=member.reviewer_id,
                    chat_id=chat_id,
                    claim_id=walk.claim_id,
                    on=False,
                )
            return self._current(tx, claim, walk)

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
            walk = tx.walks.state(member.reviewer_id, chat_id)
            refusal = _locked(claim, member) or refuse_turn(walk, claim_id, owes_source=False)
            if refusal is not None:
                return refusal
            assert claim is not None and walk is not None
            if not tx.walks.owe_source(
                reviewer_id=member.reviewer_id,
                chat_id=chat_id,
                claim_id=claim_id,
                rating=rating,
                message_id=message_id,
            ):
                return Stale(ALREADY_WAITING)
            return self._awaiting(tx, claim, rating, message_id, note=walk.pending_note)

        return self._db.run(work)

    def change_rating(self, member: Member, chat_id: int, claim_id: int) -> ClaimCard | Stale:
        """Take back a chosen rating before its source was given, and show the buttons again."""

        def work(tx: UnitOfWork) -> ClaimCard | Stale:
            claim = tx.claims.get(claim_id)
            if claim is None or not tx.walks.clear_pending(
                reviewer_id=member.reviewer_id, chat_id=chat_id, claim_id=claim_id
            ):
                return Stale(NOTHING_TO_CHANGE)
            walk = tx.walks.state(member.reviewer_id, chat_id)
            assert claim.article_id is not None and walk is not None
            card = self._card(tx, claim, tx.claims.count_in_article(claim.article_id))
            return replace(card, note=walk.pending_note)

        return self._db.run(work)

    def give_source(
        self, member: Member, chat_id: int, text: str
    ) -> Step | BadLink | NotWaiting | Stale | TextQuestion | Resent | ClaimCard:
        """A text came while the reviewer may be in a walk (`domain.walk.route_text`).

        NotWaiting: it is an article. Otherwise it is the owed source (links and a note), or it
        is held on the walk and the reviewer is asked what it is; nothing is dropped unasked.
        """
        reply: SourceReply | None = None
        link_error: str | None = None
        try:
            reply = source_reply(text)
        except LinkError as error:
            link_error = str(error)

        def work(
            tx: UnitOfWork,
        ) -> Step | BadLink | NotWaiting | Stale | TextQuestion | Resent | ClaimCard:
            walk = tx.walks.state(member.reviewer_id, chat_id)
            route = route_text(
                walk,
                has_link=reply is not None or link_error is not None,
                is_link=article_url(text) is not None,
                words=len(text.split()),
            )
            if route is TextRoute.ARTICLE:
                return NotWaiting()
            assert walk is not None and walk.claim_id is not None
            claim = tx.claims.get(walk.claim_id)
            assert claim is not None

            def current() -> ClaimCard | AwaitingSource:  # not needed for the usual source link
                assert claim is not None and walk is not None
                return self._current(tx, claim, walk)

            if route is TextRoute.EDIT:
                return self._restate(tx, member, chat_id, claim, text)
            if route is TextRoute.RESEND:
                tx.walks.clear_card_lost(reviewer_id=member.reviewer_id, chat_id=chat_id)
                return Resent(current())
            if route is TextRoute.ASK:
                held = text if walk.pending_text is None else f"{walk.pending_text}\n\n{text}"
                held = held[: self._max_chars]
                tx.walks.hold_text(reviewer_id=member.reviewer_id, chat_id=chat_id, text=held)
                return TextQuestion(
                    claim_id=walk.claim_id,
                    number=claim.position + 1,
                    owes_source=walk.pending_rating is not None,
                    resend=current() if walk.card_lost else None,
                    fingerprint=fingerprint(held),
                    joined=walk.pending_text is not None,
                )
            if reply is None:
                awaiting = current()
                assert isinstance(awaiting, AwaitingSource) and link_error is not None
                return BadLink(link_error, awaiting)
            assert walk.pending_rating is not None
            return self._advance(
                tx,
                member,
                chat_id,
                walk.claim_id,
                rating=walk.pending_rating,
                source=reply.links[0],
                more_sources=reply.links[1:],
                note=add_note(walk.pending_note, reply.note),
                owes_source=True,
                message_id=walk.message_id,
            )

        return self._db.run(work)

    def answer_text(
        self, member: Member, chat_id: int, claim_id: int, choice: TextChoice, named: str
    ) -> TextAnswered | Stale:
        """The reviewer said what the held text (`named` by its fingerprint) is: an article, a
        note on the claim, or nothing."""

        def work(tx: UnitOfWork) -> TextAnswered | Stale:
            text = tx.walks.take_text(
                reviewer_id=member.reviewer_id, chat_id=chat_id, claim_id=claim_id, named=named
            )
            if text is None:
                walk = tx.walks.state(member.reviewer_id, chat_id)
                held = walk is not None and walk.pending_text is not None
                return Stale(REPLACED if held else ANSWERED)
            if choice is TextChoice.ARTICLE:
                return TextAnswered(choice, article=text)
            walk = tx.walks.state(member.reviewer_id, chat_id)
            claim = tx.claims.get(claim_id)
            assert walk is not None and claim is not None
            note = None
            if choice is TextChoice.NOTE:
                note = add_note(walk.pending_note, text)
                tx.walks.set_note(reviewer_id=member.reviewer_id, chat_id=chat_id, note=note)
                walk = tx.walks.state(member.reviewer_id, chat_id)
                assert walk is not None
            return TextAnswered(choice, current=self._current(tx, claim, walk), note=note)

        return self._db.run(work)

    def context(self, claim_id: int) -> ClaimContext | None:
        """ "📄 Context": the claim's paragraph, with the article's own sentence to mark."""

        def work(tx: UnitOfWork) -> ClaimContext | None:
            claim = tx.claims.get(claim_id)
            if claim is None or claim.id is None or not claim.context:
                return None
            sentence = claim.sentence or claim.text
            return ClaimContext(
                claim.id, claim.position + 1, claim.context, sentence, claim.claimant
            )

        return self._db.run(work, reads_only=True)

    def start_edit(self, member: Member, chat_id: int, claim_id: int) -> EditAsked | Stale:
        """ "✏️ Edit": the reviewer's next text restates the claim (before it is rated)."""

        def work(tx: UnitOfWork) -> EditAsked | Stale:
            claim = tx.claims.get(claim_id)
            refusal = _locked(claim, member) or refuse_turn(
                tx.walks.state(member.reviewer_id, chat_id), claim_id, owes_source=False
            )
            if refusal is not None:
                return refusal
            assert claim is not None
            tx.walks.set_editing(
                reviewer_id=member.reviewer_id, chat_id=chat_id, claim_id=claim_id, on=True
            )
            return EditAsked(claim_id, claim.position + 1, claim.text)

        return self._db.run(work)

    def _restate(
        self, tx: UnitOfWork, member: Member, chat_id: int, claim: Claim, text: str
    ) -> ClaimCard | Stale:
        """The restated claim replaces the offered text (kept, with the article's sentence, in
        `sentence`), and its card comes again, matched on the new wording."""
        wording = " ".join(text.split())[:MAX_CLAIM_CHARS]
        if len(wording.split()) < MIN_EDIT_WORDS:
            return Stale(EDIT_TOO_SHORT)
        assert claim.id is not None and claim.article_id is not None
        tx.claims.restate(claim, wording)
        tx.walks.set_editing(
            reviewer_id=member.reviewer_id, chat_id=chat_id, claim_id=claim.id, on=False
        )
        return self._card(tx, claim, tx.claims.count_in_article(claim.article_id))

    def card_lost(self, member: Member, chat_id: int, claim_id: int) -> None:
        """The claim's message could not be sent: the reviewer's next message gets it again."""
        self._db.run(
            lambda tx: tx.walks.mark_card_lost(
                reviewer_id=member.reviewer_id, chat_id=chat_id, claim_id=claim_id
            ),
            effect=False,
        )

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
                more_sources=tuple((earlier.more_sources or "").splitlines()),
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
        more_sources: tuple[str, ...] = (),
        note: str | None = None,
    ) -> Step | Stale:
        """Record (or skip) the walk's current claim and move the walk on, in the caller's unit.

        The checks come first and write nothing; the move is a compare-and-set on the walk's
        current claim, so of two racing taps only one moves it and only that one writes.
        """
        claim = tx.claims.get_for_update(claim_id)
        walk = tx.walks.state(member.reviewer_id, chat_id)
        refusal = _locked(claim, member) or refuse_turn(walk, claim_id, owes_source=owes_source)
        if refusal is not None:
            return refusal
        assert walk is not None
        if note is None:
            note = walk.pending_note
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
                more_sources=more_sources,
                note=note,
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
        if rating is not None:
            recorded = replace(recorded, more_sources=more_sources, note=note)
        next_card = None
        if following is not None and advance.next_claim_id is not None:
            next_card = self._card(tx, following, recorded.total)
        summary = article_summary(tx, claim.article_id) if advance.shows_summary else None
        notices = notices_for(tx, change, None if from_queue else member.reviewer_id)
        dispute = None
        if change is not None and change.after is ClaimStatus.DISPUTED:
            dispute = DisputeAlert(claim_id, claim.text) if change.before != change.after else None
        return Step(recorded, next_card, summary, from_queue, notices, dispute)

    def _card(self, tx: UnitOfWork, claim: Claim, total: int) -> ClaimCard:
        """A claim ready to show, matched against the archive at the moment it is shown.

        The claim's own verdicts are never shown on its card: a second reviewer reviews blind.
        """
        assert claim.id is not None and claim.article_id is not None
        earlier, similar = self._matches(tx, claim)
        return ClaimCard(
            claim_id=claim.id,
            article_id=claim.article_id,
            number=claim.position + 1,
            total=total,
            text=claim.text,
            earlier=earlier,
            similar=distinct_matches(earlier, list(similar)),
            claimant=claim.claimant,
            has_context=bool(claim.context),
        )

    def _matches(
        self, tx: UnitOfWork, claim: Claim
    ) -> tuple[ArchivedVerdict | None, list[ArchivedVerdict]]:
        """The archive's earlier verdict on this claim and similar ones, never its own."""
        return self._archive.lookup(tx, claim.text, exclude=claim.id)

    def _current(self, tx: UnitOfWork, claim: Claim, walk: WalkState) -> ClaimCard | AwaitingSource:
        """The walk's claim as the reviewer should see it now, with the note they gave."""
        if walk.pending_rating is not None:
            return self._awaiting(
                tx, claim, walk.pending_rating, walk.message_id, note=walk.pending_note
            )
        assert claim.article_id is not None
        card = self._card(tx, claim, tx.claims.count_in_article(claim.article_id))
        return replace(card, note=walk.pending_note)

    def _awaiting(
        self,
        tx: UnitOfWork,
        claim: Claim,
        rating: Rating,
        message_id: int | None,
        note: str | None = None,
    ) -> AwaitingSource:
        assert claim.id is not None and claim.article_id is not None
        return AwaitingSource(
            claim_id=claim.id,
            number=claim.position + 1,
            total=tx.claims.count_in_article(claim.article_id),
            text=claim.text,
            rating=rating,
            message_id=message_id,
            note=note,
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


ANSWERED = "That question was already answered."
NOT_IN_REVIEW = "That article is no longer the one under review."
EDIT_TOO_SHORT = "Send the claim as a whole sentence, or /claim to keep it as it is."
MAX_CLAIM_CHARS = 1000
REPLACED = "A newer message holds this one too: answer the question below it."


def _locked(claim: Claim | None, member: Member) -> Stale | None:
    """Buttons carry claim ids and a client can send any id: a claim that does not exist, or
    one another reviewer holds through /next, is refused whatever the button said."""
    if claim is None:
        return Stale(LOCKED, alert=True)
    held = claim.locked_by_id is not None and claim.locked_by_id != member.reviewer_id
    if held and claim.locked_until is not None and claim.locked_until >= utcnow():
        return Stale(LOCKED, alert=True)
    return None
