"""Callback data: what the bot makes decodes; anything else (overflowing ids too) is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot import callbacks
from bot.callbacks import Action, BadCallback, decode
from db.models import Verdict
from domain.ids import MAX_ID, parse_id
from domain.verdicts import Rating
from tests.bot.test_review_flow import JOBS_REPORT
from tests.conftest import ADMIN_ID, BotHarness
from tests.support.botapi import Call


@pytest.mark.parametrize(
    "data",
    [
        callbacks.rate(1, Rating.FALSE),
        callbacks.rate(MAX_ID, Rating.TRUE),
        callbacks.change(42),
        callbacks.reuse(7, MAX_ID),
        callbacks.page(0),
        callbacks.settle(3, Rating.MISLEADING),
    ],
)
def test_what_the_bot_makes_decodes(data: str) -> None:
    assert decode(data).encode() == data


@pytest.mark.parametrize(
    "data",
    [
        "r:99999999999999999999:f",
        f"r:{MAX_ID + 1}:f",
        "r:0:f",
        "r:-1:f",
        "r:+5:f",
        "r:05:f",
        "r: 5:f",
        "r:5_0:f",
        "r:٥:f",
        f"u:1:{MAX_ID + 1}",
        "u:1:0",
        "p:-1",
        "p:99999999999999999999",
        "r:1:f:extra",
        "c:1:",
        "c:1:zz",
        "p:1:x",
        "r:1",
        "u:1:007",
        None,
        "",
    ],
)
def test_forged_or_overflowing_data_is_bad(data: str | None) -> None:
    with pytest.raises(BadCallback):
        decode(data)


def test_page_zero_is_a_page() -> None:
    assert decode("p:0").action is Action.PAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" #12 ", 12),
        (str(MAX_ID), MAX_ID),
        ("99999999999999999999", None),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-3", None),
        ("+3", None),
        ("1_000", None),
        ("٣", None),
        ("", None),
        ("abc", None),
    ],
)
def test_parse_id(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


def _answer_to(query_id: str) -> Callable[[Call], bool]:
    return lambda call: call.params.get("callback_query_id") == query_id


async def test_an_overflowing_button_gets_the_forged_data_answer(bot: BotHarness) -> None:
    await bot.reply_to(ADMIN_ID, JOBS_REPORT, "found 4 claims")
    card = await bot.card(ADMIN_ID, 1)
    for data in ("r:99999999999999999999:f", f"d:{MAX_ID + 1}:t", f"u:1:{10**30}"):
        query = bot.server.press_button(ADMIN_ID, card, data, must_exist=False)
        answer = await bot.server.wait_for("answerCallbackQuery", _answer_to(query))
        assert answer.params.get("show_alert"), data
    with Session(bot.application.bot_data["services"].db.engine) as session:
        assert session.exec(select(Verdict)).all() == []


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=80), st.from_regex(r"[rcupd]:-?[0-9]{0,25}(:[a-z0-9]{0,25})?")))
def test_any_data_decodes_to_a_valid_button_or_is_bad(data: str) -> None:
    """Whatever a client sends, decoding gives a button the bot could have made, or BadCallback;
    never another exception, never an id a database column cannot hold."""
    try:
        decoded = decode(data)
    except BadCallback:
        return
    if decoded.action is Action.PAGE:
        assert 0 <= decoded.claim_id <= callbacks.MAX_PAGE
    else:
        assert 1 <= decoded.claim_id <= MAX_ID
    assert decoded.encode() == data


@given(st.text(max_size=40))
def test_parse_id_gives_an_id_or_none(text: str) -> None:
    number = parse_id(text)
    assert number is None or (1 <= number <= MAX_ID and str(number) in text)
