"""Canonical text form of a claim.

Why: the same claim reaches reviewers written many ways ("U.S. unemployment rose to 8,000" vs
"unemployment in the United States rose to 8k"). Fuzzy matchers compare characters, so every
surface variation that does not change the meaning has to be removed *before* matching, while
everything that does change the meaning (figures, negations) has to survive intact.

`normalize_claim` is deterministic and idempotent (``normalize_claim(normalize_claim(x)) ==
normalize_claim(x)``), so the canonical form can be stored in the database and re-normalised safely.

What it does, in order:

* Unicode NFKC, accents stripped, curly quotes and dashes folded; URLs dropped.
* Common abbreviations of places and bodies mapped to one token *while case is still known*
  (``US``/``U.S.``/``USA``/``United States``/``America`` -> ``usa``; ``UK``/``Britain`` -> ``uk``;
  ``EU``, ``UN``, ``NHS``). Lower-case "us" is the pronoun and is left alone; "South/Latin/North/
  Central America" is not the USA.
* Contractions expanded so a negation is always the word ``not`` (``isn't`` -> ``is not``).
* Figures canonicalised: ``8,000`` = ``8 000`` = ``8k`` = ``8 thousand`` = ``eight thousand`` ->
  ``8000``; ``1.5 million`` -> ``1500000``; ``11%`` = ``11 per cent`` = ``11 pct`` ->
  ``11 percent``; ``$5`` = ``5 dollars`` = ``5 USD`` -> ``5 dollars``; small number words
  (zero..ninety-nine) become digits. Different figures stay different: ``70,000`` -> ``70000``
  but ``7,000`` -> ``7000``.
* Lower-cased; punctuation removed; one space between tokens.

It runs on every claim of an archive import (100,000 claims, which must import in < 3 s), so it is
written for speed, measured by bench/normalize_speed.py: cheap ``in`` / set screens skip the passes
that cannot change a claim; patterns begin with a literal or a character class where they can, so
that sre skips ahead in C rather than trying them at every position; ASCII text is split into words
with ``bytes.translate``. The comments at each pattern and screen say why it is equivalent to the
plain form.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = ["normalize_claim"]

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

# Typographic characters and their plain forms. Applied with ``str.replace`` (after an ``in``
# test) rather than ``str.translate``: on non-ASCII text translate looks up every character of the
# text, about ten times slower for these few characters.
_CHAR_FOLD = tuple(
    {
        "‘": "'",
        "’": "'",
        "‛": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‑": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }.items()
)

# Acronyms are matched on the cased text, upper case only, to spare the pronoun "us" and the
# French article "un". Full names are matched on the lower-cased text. "America" is the USA unless
# it is one of the continents / regions (then the "keep" group matches and is left alone).
_ACRONYM_RE = re.compile(
    r"\b(?:(?P<usa>U\.\s?S\.(?:\s?A\.?)?|USA?)|(?P<uk>U\.\s?K\.?|UK)|(?P<eu>E\.\s?U\.?|EU)"
    r"|(?P<un>U\.\s?N\.?|UN))(?![^\W_])"
)
_NAME_RE = re.compile(
    r"\b(?:(?P<keep>(?:south|latin|north|central)\s+america)"
    r"|(?P<usa>united\s+states(?:\s+of\s+america)?|america)"
    r"|(?P<uk>united\s+kingdom|(?:great\s+)?britain)"
    r"|(?P<eu>european\s+union)"
    r"|(?P<un>united\s+nations)"
    r"|(?P<nhs>national\s+health\s+service))\b"
)
# Cheap screens: most claims contain none of these, and the full patterns are slow. The other
# screens are plain ``in`` tests (see _expand_acronyms, _expand_names), faster still; "america"
# needs a pattern because only the word counts, and "American" is far more common than "America".
_ACRONYM_HINT_RE = re.compile(r"U[SKN.]|E[U.]")
_AMERICA_HINT_RE = re.compile(r"america\b")

# Contractions, so that a negation is always the word "not". Plain str.replace and a token-level
# dict are several times faster than a regex alternation over every position of the text.
_APOSTROPHE_CONTRACTIONS = (
    ("can't", "can not"),
    ("won't", "will not"),
    ("shan't", "shall not"),
    ("ain't", "is not"),
    ("n't", " not"),
)
_POSSESSIVE_RE = re.compile(r"'s\b")
_BARE_CONTRACTIONS = {
    "cannot": "can not",
    "cant": "can not",
    "wont": "will not",
    "shant": "shall not",
    "aint": "is not",
} | {
    aux + "nt": aux + " not"
    for aux in (
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "could",
        "should",
        "would",
        "must",
        "need",
    )
}
_BARE_CONTRACTION_BYTES = frozenset(word.encode() for word in _BARE_CONTRACTIONS)

_UNITS = {
    0: "zero",
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    13: "thirteen",
    14: "fourteen",
    15: "fifteen",
    16: "sixteen",
    17: "seventeen",
    18: "eighteen",
    19: "nineteen",
}
_TENS = {
    20: "twenty",
    30: "thirty",
    40: "forty",
    50: "fifty",
    60: "sixty",
    70: "seventy",
    80: "eighty",
    90: "ninety",
}
_WORD_VALUE = {word: value for value, word in (_UNITS | _TENS).items()}
_NUMBER_WORD_RE = re.compile(
    r"\b(?P<tens>"
    + "|".join(_TENS.values())
    + r")(?:[\s-]+(?P<unit>"
    + "|".join(_UNITS[i] for i in range(1, 10))
    + r"))?\b|\b(?P<small>"
    + "|".join(_UNITS.values())
    + r")\b"
)
# The screen for _NUMBER_WORD_RE, which starts with ``\b`` and so is tried at every position: a
# match is a whole word (between non-word characters), so a text none of whose _words is a number
# word needs no pass (see _normalize_once).
_NUMBER_WORD_BYTES = frozenset(word.encode() for word in _WORD_VALUE)
# "a million people" == "1 million people"; "a dozen" is left alone. ``a(?<!\wa)`` is ``\ba``
# written so that the pattern starts with a literal, which sre finds by a fast search.
_A_MULTIPLIER_RE = re.compile(r"a(?<!\wa)n?\s+(?=(?:hundred|thousand|million|billion|trillion)\b)")

_MULTIPLIERS = {
    "hundred": Decimal(100),
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "mln": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "millions": Decimal(1_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
    "billions": Decimal(1_000_000_000),
    "tn": Decimal(1_000_000_000_000),
    "trillion": Decimal(1_000_000_000_000),
}
_CURRENCY_SYMBOLS = {"$": "dollars", "€": "euros", "£": "pounds"}
_CURRENCY_WORDS = {
    "dollar": "dollars",
    "dollars": "dollars",
    "usd": "dollars",
    "bucks": "dollars",
    "euro": "euros",
    "euros": "euros",
    "eur": "euros",
    "pound": "pounds",
    "pounds": "pounds",
    "gbp": "pounds",
}

# A figure: optional currency symbol, the number (thousands separated by "," or a space, or
# plain), an optional multiplier (attached abbreviation or a word), an optional percent or
# currency word. It must not be glued to letters ("5g", "1st", "covid19" are words, not figures).
#
# Why it is written this way: a pattern that starts with lookbehinds is tried at every position of
# the text, whereas one that starts with a character class lets sre skip in C to the next position
# that can start a match. So the match starts at the number's first digit, and what may precede it
# is tested by lookbehinds written just after that digit (so one character wider): a currency
# symbol, possibly followed by a blank ("$5", "$ 5"), itself not glued to a word or a decimal point;
# or else a number not glued to a word or a decimal point ("x5", "5,5", "1.5"). The symbol (like the
# blank that a pattern starting before the number could take) stays in the text, outside the match:
# it is not part of any token, so the tokens are the same. ``\d(?:\d{0,2}...)`` is ``\d{1,3}...``
# split the same way, with the same backtracking order. Everything after the number is optional, and
# most numbers are followed by a character that cannot start any of it ("," or "." or the end of the
# text): the lookahead ``(?=[\s%bdeghkmptu])`` rejects all of it at once.
_FIGURE_RE = re.compile(
    r"(?P<num>\d"
    r"(?:(?<=(?<![\w,])(?<!\d\.)(?P<cur>[$€£])\d)"
    r"|(?<=(?<![\w,])(?<!\d\.)(?P<spaced_cur>[$€£])\s\d)"
    r"|(?<![\w,]\d)(?<!\d\.\d))"
    r"(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?(?![\d,])"
    r"|\d{0,2}(?: \d{3})+(?:\.\d+)?(?![\d])"
    r"|\d*(?:\.\d+)?))"
    r"(?:(?=[\s%bdeghkmptu])"
    r"(?:(?P<abbr>k|m|mn|mln|bn|tn)\b|\s?(?P<word>hundred|thousand|millions?|billions?|trillion)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per\s?cent\b|pct\b)"
    r"|\s?(?P<curword>dollars?|usd|bucks|euros?|eur|pounds?|gbp)\b)?"
    r")?"
    r"(?![^\W_])"
)

# ``\d \d{3}\b``, written to begin with the blank: sre then finds the candidates with a fast
# single-character search instead of testing every character.
_SPACED_DIGITS_RE = re.compile(r" (?<=\d )\d{3}\b")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")  # see _has_spaced_digits
_TOKEN_RE = re.compile(r"[^\W_]+(?:\.\d+)?")
# Without underscores in the text, ``\w`` is ``[^\W_]`` and the scan is markedly faster.
_TOKEN_NO_UNDERSCORE_RE = re.compile(r"\w+(?:\.\d+)?")
_DECIMAL_RE = re.compile(r"\.\d")
# ``bytes.translate`` table keeping ASCII letters and digits and turning every other byte into a
# blank: splitting the result gives the words of a text (see _words) much faster than a regex.
_WORD_BYTES = bytes(byte if byte < 128 and chr(byte).isalnum() else 32 for byte in range(256))

# Archives repeat their figures ("2019", "5%") and number words: each distinct one is rewritten
# once. Bounded so that a long-running bot does not grow them without limit.
_CACHE_LIMIT = 50_000
_figure_cache: dict[tuple[str | None, ...], str] = {}
# The groups after ``num`` (the first) of a _FIGURE_RE match that is a bare number: all unset.
_BARE_NUMBER = (None,) * (_FIGURE_RE.groups - 1)
_number_word_cache: dict[str, str] = {}


def normalize_claim(text: str) -> str:
    """Canonical form stored in the database and used for matching."""
    # A second pass is a no-op except for rare inputs such as "5, 300" whose first pass yields
    # "5 300", which reads as a space-separated thousand; iterating makes the result idempotent.
    result = _normalize_once(text)
    if not _has_spaced_digits(result):
        return result
    for _ in range(3):
        again = _normalize_once(result)
        if again == result:
            break
        result = again
    return result


def _has_spaced_digits(text: str) -> bool:
    """Whether ``text`` has a digit, a blank and three digits (``\\d \\d{3}\\b``), as in "5 300".

    A quick screen first: in ASCII text, turning every digit into "0" leaves a plain substring
    search, much faster than the regex, which only the rare candidates need.
    """
    if text.isascii() and "0 000" not in text.encode().translate(_DIGITS_AS_ZERO).decode():
        return False
    return _SPACED_DIGITS_RE.search(text) is not None


def _normalize_once(text: str) -> str:
    text = _fold_characters(text)
    if "http" in text or "www." in text:
        text = _URL_RE.sub(" ", text)
    text = _expand_acronyms(text)
    text = _expand_names(text.casefold())
    text = text.replace("-", " ")
    text = _expand_contractions(text)
    if "hundred" in text or "thousand" in text or "illion" in text:
        text = _A_MULTIPLIER_RE.sub("1 ", text)
    # Number words come next, before the figures ("twenty five thousand" -> "25 thousand" ->
    # "25000"), but few claims have any. The figures pass leaves whole words alone, so the words of
    # its output show whether there were any: only then are they rewritten and the figures redone.
    result, words = _figures_and_tokens(text)
    if _NUMBER_WORD_BYTES.isdisjoint(words):
        return result
    return _figures_and_tokens(_NUMBER_WORD_RE.sub(_number_word_to_digits, text))[0]


def _words(text: str) -> list[bytes]:
    """The runs of ASCII letters and digits in ``text``: a superset of its ``\\b``-delimited words.

    Every character outside ``[A-Za-z0-9]`` separates (non-ASCII ones as their UTF-8 bytes, lone
    surrogates included), so a whole word of ASCII letters is always one of the runs; extra
    separators can only add runs, which a screen may afford.
    """
    return text.encode("utf-8", "surrogatepass").translate(_WORD_BYTES).split()


def _figures_and_tokens(text: str) -> tuple[str, list[bytes]]:
    """Figures rewritten, then the tokens joined by single blanks; and the text's _words.

    Tokens are words and decimals such as ``1.5``. Bare contractions (``isnt``) are expanded as the
    apostrophe ones were.
    """
    text = _FIGURE_RE.sub(_canonical_figure, text)
    words = _words(text)
    if text.isascii() and not ("." in text and _DECIMAL_RE.search(text)):
        # Then the tokens are exactly the runs of ASCII letters and digits (``_`` separates).
        joined = b" ".join(words).decode("ascii")
        if _BARE_CONTRACTION_BYTES.isdisjoint(words):
            return joined, words
        tokens = joined.split(" ")
    else:
        tokens = (_TOKEN_RE if "_" in text else _TOKEN_NO_UNDERSCORE_RE).findall(text)
        if "nt" not in text and "cannot" not in text:  # the bare contractions' endings
            return " ".join(tokens), words
    return " ".join([_BARE_CONTRACTIONS.get(token, token) for token in tokens]), words


def _fold_characters(text: str) -> str:
    """NFKC, fold typographic quotes/dashes/spaces, and strip accents (``café`` -> ``cafe``)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    for char, plain in _CHAR_FOLD:
        if char in text:
            text = text.replace(char, plain)
    if text.isascii():  # curly quotes and dashes only: nothing left to decompose
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", decomposed.translate(_COMBINING))


class _CombiningMarks(dict[int, int | None]):
    """``str.translate`` table deleting combining marks, filled in as characters are seen."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_COMBINING = _CombiningMarks()


def _expand_acronyms(text: str) -> str:
    """Map upper-case acronyms (``U.S.``, ``UK``...) to canonical tokens; needs the cased text."""
    if "U" not in text and "E" not in text:  # every acronym (and "US$") starts with one of them
        return text
    text = text.replace("US$", "$")
    if not _ACRONYM_HINT_RE.search(text):
        return text
    return _ACRONYM_RE.sub(_abbreviation, text)


def _expand_names(text: str) -> str:
    """Map full names (``United States``, ``Britain``...) to acronym tokens; lower-cased text."""
    if not (
        "united" in text
        or "britain" in text
        or "european" in text
        or ("national" in text and "health" in text)
        or ("america" in text and _AMERICA_HINT_RE.search(text))
    ):
        return text
    return _NAME_RE.sub(_abbreviation, text)


def _abbreviation(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind is None or kind == "keep":
        return match.group(0)
    return f" {kind} "


def _expand_contractions(text: str) -> str:
    if "'" not in text:
        return text
    if "n't" in text:  # the ending of every _APOSTROPHE_CONTRACTIONS entry
        for contracted, expanded in _APOSTROPHE_CONTRACTIONS:
            text = text.replace(contracted, expanded)
    return _POSSESSIVE_RE.sub("", text).replace("'", "")


def _number_word_to_digits(match: re.Match[str]) -> str:
    words = match.group(0)
    digits = _number_word_cache.get(words)
    if digits is None:
        if match.group("small"):
            digits = str(_WORD_VALUE[match.group("small")])
        else:
            value = _WORD_VALUE[match.group("tens")]
            if match.group("unit"):
                value += _WORD_VALUE[match.group("unit")]
            digits = str(value)
        if len(_number_word_cache) < _CACHE_LIMIT:
            _number_word_cache[words] = digits
    return digits


def _canonical_figure(match: re.Match[str]) -> str:
    """Rewrite one figure as digits (no separators) plus a canonical unit word."""
    groups = match.groups()
    number = groups[0]  # "num"
    if groups[1:] == _BARE_NUMBER and number.isdigit():
        # A bare whole number ("in 2011", "speech 123"): int() is all it needs, and archives are
        # full of distinct ones, which would only crowd the cache.
        return f" {int(number)} "
    figure = _figure_cache.get(groups)
    if figure is None:
        figure = _rewrite_figure(match)
        if len(_figure_cache) < _CACHE_LIMIT:
            _figure_cache[groups] = figure
    return figure


def _rewrite_figure(match: re.Match[str]) -> str:
    number, cur, spaced_cur, abbr, word, pct, curword = match.group(
        "num", "cur", "spaced_cur", "abbr", "word", "pct", "curword"
    )
    digits = number.replace(",", "").replace(" ", "")
    multiplier = abbr or word
    if multiplier or "." in digits:
        try:
            value = Decimal(digits)
        except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
            return match.group(0)
        if multiplier:
            value *= _MULTIPLIERS[multiplier]
        digits = _format_decimal(value)
    else:
        digits = str(int(digits))  # what the Decimal route gives, several times faster
    if pct:
        return f" {digits} percent "
    if curword:
        return f" {digits} {_CURRENCY_WORDS[curword]} "
    symbol = cur or spaced_cur
    if symbol:
        return f" {digits} {_CURRENCY_SYMBOLS[symbol]} "
    return f" {digits} "


def _format_decimal(value: Decimal) -> str:
    """``1500000.0`` -> ``1500000``; ``1.50`` -> ``1.5`` (never scientific notation)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
