"""Ids typed or sent by people: only what fits the database's id columns is an id.

Ids are 64-bit signed integers in PostgreSQL (BIGINT) and SQLite, and start at 1. Text such as
`/claim 99999999999999999999` would overflow the column (OverflowError on SQLite,
NumericValueOutOfRange on PostgreSQL); parsed here, it is simply no id, which the caller answers
with "no such claim". Only ASCII digits count: `int()` would also take "+5", " 5", "5_0" and
other scripts' digits.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str) -> int | None:
    """The id written in text (an optional leading #, digits only), or None if it is not one."""
    candidate = text.strip().removeprefix("#")
    if not _DIGITS.fullmatch(candidate):
        return None
    number = int(candidate)
    return number if 1 <= number <= MAX_ID else None


def is_id(number: int) -> bool:
    """Whether a number fits an id column."""
    return 1 <= number <= MAX_ID


__all__ = ["MAX_ID", "is_id", "parse_id"]
