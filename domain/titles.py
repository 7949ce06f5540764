"""A pasted article's title: its first line, when that line reads as a headline.

Pasted text has no title field, so articles used to be "untitled" although most pastes start with
the headline. A first line counts as one when more text follows it and it is short (3 to 20
words, at most 200 characters), starts with a capital or a digit, is not a link, and does not end
like a sentence (a full stop or a colon; a question or an exclamation may end a headline), and
is not page furniture ("Sign up for our newsletter").
"""

from __future__ import annotations

import re

from domain.furniture import is_furniture_line

MIN_WORDS = 3
MAX_WORDS = 20
MAX_CHARS = 200
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.:;,…]['\"”’»)]*$")
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:\([^)]*\))?\s*[-–—]")


def headline(text: str) -> str | None:
    """The first line of `text` when it reads as a headline, else None."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 2 or not any(lines[1:]):
        return None
    first = " ".join(lines[0].split())
    words = first.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or len(first) > MAX_CHARS:
        return None
    if not (first[0].isupper() or first[0].isdigit()) or _URL.search(first):
        return None
    if _SENTENCE_END.search(first) or _DATELINE.match(first) or is_furniture_line(first):
        return None
    return first
