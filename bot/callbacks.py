"""Callback data: short ids and codes, never text, so every button fits Telegram's 64 bytes.

Format: `<action>:<claim id>[:<arg>]`, e.g. `r:1234:f` (rate claim 1234 False). A queue page
button is `p:<page>` (the page number in the claim id's place); a settlement is
`d:<claim id>:<rating>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.ids import parse_id
from domain.verdicts import Rating
from domain.walk import SKIP, TextChoice

MAX_CALLBACK_BYTES = 64
_TEXT_ARG = re.compile("[" + "".join(choice.value for choice in TextChoice) + "][0-9a-f]{8}")
MAX_PAGE = 1_000_000  # far past any queue; keeps the page's row offset well inside 64 bits


class Action(StrEnum):
    RATE = "r"
    CHANGE = "c"
    REUSE = "u"
    PAGE = "p"
    SETTLE = "d"
    CONTEXT = "v"  # show the claim's paragraph: v:<claim id>
    EDIT = "e"  # restate the claim before rating it: e:<claim id>
    REUSE_ALL = "w"  # every earlier verdict for an article's claims: w:<article id>
    TEXT = "x"  # what a held text is: x:<claim id>:<a|k|o><its fingerprint> (`domain.walk`)


RATING_CODES: dict[str, Rating | str] = {
    "t": Rating.TRUE,
    "mt": Rating.MOSTLY_TRUE,
    "m": Rating.MISLEADING,
    "f": Rating.FALSE,
    "u": Rating.UNVERIFIABLE,
    "n": Rating.NOT_A_CLAIM,
    "s": SKIP,
}
CODES_BY_CHOICE = {choice: code for code, choice in RATING_CODES.items()}


@dataclass(frozen=True, slots=True)
class Callback:
    action: Action
    claim_id: int
    arg: str = ""

    def encode(self) -> str:
        data = f"{self.action}:{self.claim_id}" + (f":{self.arg}" if self.arg else "")
        assert len(data.encode()) <= MAX_CALLBACK_BYTES, data
        return data

    @property
    def choice(self) -> Rating | str:
        return RATING_CODES[self.arg]


class BadCallback(ValueError):
    """Callback data this bot did not make (old version, forged, or corrupted)."""


def decode(data: str | None) -> Callback:
    """The button's meaning; BadCallback for anything this bot could not have made, ids outside
    the database's id range (1 to 2**63 - 1) included, so forged data never reaches a query."""
    parts = (data or "").split(":")
    try:
        action = Action(parts[0])
        number = _number(parts[1], page=action is Action.PAGE)
    except (ValueError, IndexError):
        raise BadCallback(data) from None
    takes_arg = action in (Action.RATE, Action.SETTLE, Action.REUSE, Action.TEXT)
    if len(parts) != (3 if takes_arg else 2):
        raise BadCallback(data)
    arg = parts[2] if takes_arg else ""
    if action in (Action.RATE, Action.SETTLE) and arg not in RATING_CODES:
        raise BadCallback(data)
    if action is Action.TEXT and not _TEXT_ARG.fullmatch(arg):
        raise BadCallback(data)
    if action is Action.REUSE and (parse_id(arg) is None or arg != str(parse_id(arg))):
        raise BadCallback(data)
    if action is Action.SETTLE and RATING_CODES[arg] == SKIP:
        raise BadCallback(data)
    return Callback(action, number, arg)


def _number(text: str, *, page: bool) -> int:
    """A claim id (1..2**63 - 1), or a queue page number (0..MAX_PAGE) for page buttons."""
    if page:
        # Written as the bot writes it: ASCII digits, no leading zeros, within the cap.
        digits = text.isascii() and text.isdigit() and len(text) <= 7
        if digits and int(text) <= MAX_PAGE and text == str(int(text)):
            return int(text)
        raise ValueError(text)
    number = parse_id(text)
    if number is None or text != str(number):
        raise ValueError(text)
    return number


def rate(claim_id: int, choice: Rating | str) -> str:
    return Callback(Action.RATE, claim_id, CODES_BY_CHOICE[choice]).encode()


def change(claim_id: int) -> str:
    return Callback(Action.CHANGE, claim_id).encode()


def reuse(claim_id: int, verdict_id: int) -> str:
    return Callback(Action.REUSE, claim_id, str(verdict_id)).encode()


def page(number: int) -> str:
    return Callback(Action.PAGE, number).encode()


def settle(claim_id: int, rating: Rating) -> str:
    return Callback(Action.SETTLE, claim_id, CODES_BY_CHOICE[rating]).encode()


def reuse_all(article_id: int) -> str:
    return Callback(Action.REUSE_ALL, article_id).encode()


def context(claim_id: int) -> str:
    return Callback(Action.CONTEXT, claim_id).encode()


def edit(claim_id: int) -> str:
    return Callback(Action.EDIT, claim_id).encode()


def text_choice(claim_id: int, choice: TextChoice, fingerprint: str) -> str:
    return Callback(Action.TEXT, claim_id, choice.value + fingerprint).encode()
