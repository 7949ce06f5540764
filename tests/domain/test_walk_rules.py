"""The walk's pure rules added for issue 12: where a text goes, which claims the cap offers,
which matches a card lists, and how notes are kept."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.archived import ArchivedVerdict
from domain.verdicts import Rating
from domain.walk import (
    MAX_NOTE_CHARS,
    TextRoute,
    WalkState,
    add_note,
    distinct_matches,
    most_worthy,
    route_text,
)

ON_CLAIM = WalkState(article_id=1, claim_id=7, pending_rating=None, message_id=3)
OWES = WalkState(article_id=1, claim_id=7, pending_rating=Rating.FALSE, message_id=3)
LOST = WalkState(article_id=1, claim_id=7, pending_rating=None, message_id=None, card_lost=True)


def test_a_text_is_never_read_or_dropped_behind_the_reviewers_back() -> None:
    def route(walk: WalkState | None, *, link: bool = False, bare: bool = False) -> TextRoute:
        return route_text(walk, has_link=link or bare, is_link=bare, words=1 if bare else 12)

    assert route(None) is TextRoute.ARTICLE
    assert route(WalkState(1, None, None, None)) is TextRoute.ARTICLE  # the walk has ended
    assert route(ON_CLAIM) is TextRoute.ASK
    assert route(ON_CLAIM, bare=True) is TextRoute.ARTICLE  # a link is sent on purpose
    assert route(OWES) is TextRoute.ASK
    assert route(OWES, link=True) is TextRoute.SOURCE
    assert route_text(LOST, has_link=False, is_link=False, words=1) is TextRoute.RESEND
    assert route_text(LOST, has_link=False, is_link=False, words=40) is TextRoute.ASK


def test_the_cap_offers_the_most_check_worthy_in_article_order() -> None:
    assert most_worthy([0.2, 0.9, 0.5, 0.9, 0.1], 3) == [1, 2, 3]
    assert most_worthy([0.4, 0.4, 0.4], 2) == [0, 1]
    assert most_worthy([], 15) == []


def _match(claim_id: int, text: str) -> ArchivedVerdict:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    return ArchivedVerdict(
        claim_id, text, claim_id * 10, Rating.FALSE, None, "Ann", when, 60, False
    )


def test_a_matched_claim_is_listed_once_per_card() -> None:
    earlier = _match(1, "Jobs rose by 175,000 in April")
    similar = [
        _match(1, "Jobs rose by 175,000 in April"),
        _match(2, "Jobs rose by 75,000 in April"),
        _match(2, "Jobs rose by 75,000 in April"),
        _match(3, "jobs rose  by 75,000 in April"),
        _match(4, "Jobs fell in May"),
        _match(5, "Wages rose"),
        _match(6, "Prices rose"),
    ]
    assert [m.claim_id for m in distinct_matches(earlier, similar)] == [2, 4, 5]
    assert [m.claim_id for m in distinct_matches(None, similar[:2])] == [1, 2]


def test_notes_are_joined_and_kept_short() -> None:
    assert add_note(None, "  ") is None
    assert add_note("call the mayor", "BLS revised it") == "call the mayor · BLS revised it"
    long = add_note("x" * 400, "y" * 400)
    assert long is not None and len(long) == MAX_NOTE_CHARS and long.endswith("…")
