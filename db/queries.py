"""Query functions: each takes the caller's session and never commits; services own transactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from db.models import Article, Claim, Reviewer, ReviewSession, Verdict, utcnow

# --- reviewers -------------------------------------------------------------------------------


def get_reviewer_by_telegram_id(*, session: Session, telegram_id: int) -> Reviewer | None:
    return session.exec(select(Reviewer).where(Reviewer.telegram_id == telegram_id)).first()


def add_reviewer(
    *, session: Session, telegram_id: int, name: str, username: str | None, role: str
) -> Reviewer:
    reviewer = Reviewer(telegram_id=telegram_id, name=name, username=username, role=role)
    session.add(reviewer)
    session.flush()
    return reviewer


def reviewer_names(*, session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(select(Reviewer.id, Reviewer.name).where(col(Reviewer.id).in_(wanted)))
    return {rid: name for rid, name in rows if rid is not None}


# --- articles and claims ---------------------------------------------------------------------


def add_article(
    *,
    session: Session,
    text: str,
    url: str | None,
    title: str | None,
    source_kind: str,
    submitted_by_id: int,
    chat_id: int,
) -> Article:
    article = Article(
        text=text,
        url=url,
        title=title,
        source_kind=source_kind,
        submitted_by_id=submitted_by_id,
        chat_id=chat_id,
    )
    session.add(article)
    session.flush()
    return article


def add_claims(
    *, session: Session, article_id: int, claims: Sequence[tuple[str, str, float]]
) -> list[Claim]:
    """Store (text, normalized text, score) triples in article order."""
    rows = [
        Claim(article_id=article_id, position=i, text=text, normalized_text=norm, score=score)
        for i, (text, norm, score) in enumerate(claims)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def get_claim(*, session: Session, claim_id: int) -> Claim | None:
    return session.get(Claim, claim_id)


def get_article(*, session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def count_claims(*, session: Session, article_id: int) -> int:
    statement = select(func.count()).select_from(Claim).where(Claim.article_id == article_id)
    return int(session.exec(statement).one())


def next_pending_claim(
    *,
    session: Session,
    article_id: int,
    after_position: int,
    reviewer_id: int | None = None,
    now: datetime | None = None,
) -> Claim | None:
    """The first pending claim after a position, so skipped claims are not offered again.

    Given the walker and the time, claims another reviewer holds through /next are passed over.
    """
    statement = (
        select(Claim)
        .where(Claim.article_id == article_id)
        .where(Claim.position > after_position)
        .where(Claim.status == "pending")
        .order_by(col(Claim.position))
    )
    if reviewer_id is not None and now is not None:
        statement = statement.where(
            or_(
                col(Claim.locked_by_id).is_(None),
                col(Claim.locked_by_id) == reviewer_id,
                col(Claim.locked_until) < now,
            )
        )
    return session.exec(statement).first()


def set_claim_status(*, session: Session, claim_id: int, status: str) -> None:
    session.exec(update(Claim).where(col(Claim.id) == claim_id).values(status=status))


def count_pending(*, session: Session, article_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(Claim)
        .where(Claim.article_id == article_id)
        .where(Claim.status == "pending")
    )
    return int(session.exec(statement).one())


def count_open(*, session: Session, article_id: int) -> int:
    """Claims of the article without a final verdict (pending or disputed)."""
    statement = (
        select(func.count())
        .select_from(Claim)
        .where(Claim.article_id == article_id)
        .where(col(Claim.status).in_(["pending", "disputed"]))
    )
    return int(session.exec(statement).one())


# --- verdicts --------------------------------------------------------------------------------


def latest_verdict(*, session: Session, claim_id: int) -> Verdict | None:
    statement = (
        select(Verdict)
        .where(Verdict.claim_id == claim_id)
        .order_by(col(Verdict.created_at).desc(), col(Verdict.id).desc())
    )
    return session.exec(statement).first()


def get_verdict(*, session: Session, verdict_id: int) -> Verdict | None:
    return session.get(Verdict, verdict_id)


def ratings_for_article(*, session: Session, article_id: int) -> list[str]:
    """The latest standing rating (not retracted) of each claim of the article that has one."""
    retracted = select(Verdict.retracts_id).where(col(Verdict.retracts_id).is_not(None))
    latest = (
        select(Verdict.claim_id, func.max(Verdict.id).label("vid"))
        .join(Claim, col(Claim.id) == Verdict.claim_id)
        .where(Claim.article_id == article_id)
        .where(Verdict.kind != "retraction")
        .where(col(Verdict.id).not_in(retracted))
        .group_by(col(Verdict.claim_id))
        .subquery()
    )
    statement = select(Verdict.rating).join(latest, col(Verdict.id) == latest.c.vid)
    return list(session.exec(statement).all())


@dataclass(frozen=True, slots=True)
class IndexedClaim:
    claim_id: int
    text: str
    rating: str
    verdict_id: int
    final: bool = True
    normalized_text: str = ""


def verdicts_since(*, session: Session, after_verdict_id: int) -> list[IndexedClaim]:
    """Claims whose verdict changed after a verdict id, with their newest verdict.

    The matcher's archive is refreshed from this, so several bot replicas sharing one database see
    each other's verdicts without talking to each other. `final` is false while the claim has
    no final verdict (awaiting a second review, disputed, or its verdict retracted): such claims
    stay out of the archive. `normalized_text` is the claim's stored ``normalize_claim`` form, so
    the matcher need not normalise the archive again.
    """
    changed = (
        select(Verdict.claim_id).where(col(Verdict.id) > after_verdict_id).distinct().subquery()
    )
    newest = (
        select(Verdict.claim_id, func.max(Verdict.id).label("vid"))
        .where(col(Verdict.claim_id).in_(select(changed.c.claim_id)))
        .group_by(col(Verdict.claim_id))
        .subquery()
    )
    statement = (
        sa_select(
            col(Claim.id),
            col(Claim.text),
            col(Verdict.rating),
            col(Verdict.id),
            col(Claim.status),
            col(Verdict.kind),
            col(Claim.normalized_text),
        )
        .join(newest, col(Verdict.id) == newest.c.vid)
        .join(Claim, col(Claim.id) == Verdict.claim_id)
        .order_by(col(Verdict.id))
    )
    return [
        IndexedClaim(
            claim_id=cid,
            text=text,
            rating=rating,
            verdict_id=vid,
            final=kind == "import" or (kind != "retraction" and status in _FINAL),
            normalized_text=normalized,
        )
        for cid, text, rating, vid, status, kind, normalized in session.execute(statement)
        if cid is not None and vid is not None
    ]


_FINAL = ("checked", "not_a_claim")


# --- review sessions -------------------------------------------------------------------------


def get_review_session(*, session: Session, reviewer_id: int, chat_id: int) -> ReviewSession | None:
    statement = (
        select(ReviewSession)
        .where(ReviewSession.reviewer_id == reviewer_id)
        .where(ReviewSession.chat_id == chat_id)
    )
    return session.exec(statement).first()


def start_review_session(
    *, session: Session, reviewer_id: int, chat_id: int, article_id: int, claim_id: int | None
) -> ReviewSession:
    """Point the reviewer's walk in this chat at a new article, replacing any earlier walk."""
    existing = get_review_session(session=session, reviewer_id=reviewer_id, chat_id=chat_id)
    if existing is None:
        existing = ReviewSession(reviewer_id=reviewer_id, chat_id=chat_id, article_id=article_id)
    existing.article_id = article_id
    existing.claim_id = claim_id
    existing.claim_message_id = None
    existing.pending_rating = None
    existing.updated_at = utcnow()
    session.add(existing)
    session.flush()
    return existing


def claim_pending_rating(
    *, session: Session, review_session_id: int, claim_id: int, rating: str
) -> bool:
    """Compare-and-set the rating awaiting a source. False when a double tap or another replica
    got there first, so one tap gives one verdict."""
    result = session.exec(
        update(ReviewSession)
        .where(col(ReviewSession.id) == review_session_id)
        .where(col(ReviewSession.claim_id) == claim_id)
        .where(col(ReviewSession.pending_rating).is_(None))
        .values(pending_rating=rating, updated_at=utcnow())
    )
    return bool(result.rowcount == 1)


def move_review_session(
    *,
    session: Session,
    review_session_id: int,
    from_claim_id: int,
    to_claim_id: int | None,
) -> bool:
    """Advance the walk past a claim, only if it is still on that claim (same guard as above)."""
    result = session.exec(
        update(ReviewSession)
        .where(col(ReviewSession.id) == review_session_id)
        .where(col(ReviewSession.claim_id) == from_claim_id)
        .values(
            claim_id=to_claim_id,
            pending_rating=None,
            claim_message_id=None,
            updated_at=utcnow(),
        )
    )
    return bool(result.rowcount == 1)


def set_claim_message(
    *, session: Session, review_session_id: int, claim_id: int, message_id: int
) -> None:
    session.exec(
        update(ReviewSession)
        .where(col(ReviewSession.id) == review_session_id)
        .where(col(ReviewSession.claim_id) == claim_id)
        .values(claim_message_id=message_id)
    )


def clear_pending_rating(*, session: Session, review_session_id: int) -> None:
    session.exec(
        update(ReviewSession)
        .where(col(ReviewSession.id) == review_session_id)
        .values(pending_rating=None, updated_at=utcnow())
    )


def end_review_session(*, session: Session, review_session_id: int) -> None:
    row = session.get(ReviewSession, review_session_id)
    if row is not None:
        session.delete(row)
        session.flush()
