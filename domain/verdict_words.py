"""Verdict words from other fact-checkers, mapped to Factdesk's scale.

Matching is case-insensitive and ignores hyphens, underscores, punctuation and extra spaces, so
``Mostly-True``, ``mostly_true`` and ``MOSTLY TRUE!`` are one word. Unknown words are not guessed:
the import reports them and rejects the row.

=================================================  ================
their word                                          Factdesk verdict
=================================================  ================
true, correct, accurate, correct attribution        True
mostly true, mostly correct, largely true           Mostly true
half true, mixture, mixed, partly/partially true,   Misleading
partly/partially false, mostly false, barely true,
missing/needs/lacks context, out of context,
misleading, exaggerated, miscaptioned,
misattributed, distorted, cherry picked, spin
false, pants on fire (pants-fire), incorrect,       False
fake, fabricated, hoax, wrong, inaccurate, scam
unverifiable, unproven, unverified, unfounded,      Unverifiable
unsupported, no evidence, research in progress,
undetermined
not a claim, opinion, satire, labeled satire        Not a claim
=================================================  ================

Why PolitiFact's "Mostly False" and "Barely True" (its old name for Mostly False) become
Misleading rather than False: PolitiFact defines them as "contains an element of truth but
ignores critical facts", which is what Misleading means here; False is kept for claims with no
element of truth (PolitiFact's False and Pants on Fire). "Half True" is Misleading for the same
reason. Our own labels and stored values (``mostly_true``, ``Not a claim``) map to themselves.
"""

from __future__ import annotations

import re
from functools import lru_cache

from domain.verdicts import Rating

_WORDS: dict[Rating, tuple[str, ...]] = {
    Rating.TRUE: ("true", "correct", "accurate", "correct attribution", "verified", "legit"),
    Rating.MOSTLY_TRUE: (
        "mostly true",
        "mostly correct",
        "mostly accurate",
        "largely true",
        "largely accurate",
    ),
    Rating.MISLEADING: (
        "misleading",
        "half true",
        "mixture",
        "mixed",
        "partly true",
        "partially true",
        "partly false",
        "partially false",
        "half false",
        "mostly false",
        "barely true",
        "missing context",
        "needs context",
        "lacks context",
        "out of context",
        "exaggerated",
        "exaggeration",
        "miscaptioned",
        "misattributed",
        "distorted",
        "distorts the facts",
        "cherry picked",
        "cherry picks",
        "spin",
        "spins the facts",
        "outdated",
    ),
    Rating.FALSE: (
        "false",
        "pants on fire",
        "pants fire",
        "incorrect",
        "inaccurate",
        "fake",
        "fabricated",
        "hoax",
        "wrong",
        "scam",
        "untrue",
    ),
    Rating.UNVERIFIABLE: (
        "unverifiable",
        "unproven",
        "unverified",
        "unfounded",
        "unsupported",
        "no evidence",
        "research in progress",
        "undetermined",
        "cannot be verified",
    ),
    Rating.NOT_A_CLAIM: ("not a claim", "opinion", "satire", "labeled satire"),
}

_SEPARATORS = re.compile(r"[\W_]+")


def _key(word: str) -> str:
    return _SEPARATORS.sub(" ", word.casefold()).strip()


VERDICT_WORDS: dict[str, Rating] = {
    _key(word): rating for rating, words in _WORDS.items() for word in words
}
for _rating in Rating:
    VERDICT_WORDS.setdefault(_key(_rating.value), _rating)
    VERDICT_WORDS.setdefault(_key(_rating.label), _rating)


@lru_cache(maxsize=1024)
def rating_from_word(word: str) -> Rating | None:
    """The Factdesk rating for another desk's verdict word, or None when the word is unknown."""
    return VERDICT_WORDS.get(_key(word))
