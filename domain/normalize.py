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
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = ["normalize_claim"]

_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)

_CHAR_FOLD = str.maketrans(
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
    }
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
# Cheap screens: most claims contain none of these, and the full patterns are slow.
_ACRONYM_HINT_RE = re.compile(r"U[SKN.]|E[U.]")
_NAME_HINT_RE = re.compile(r"united|america|britain|european|national")

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
# "a million people" == "1 million people"; "a dozen" is left alone.
_A_MULTIPLIER_RE = re.compile(r"\ban?\s+(?=(?:hundred|thousand|million|billion|trillion)\b)")

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
_FIGURE_RE = re.compile(
    r"(?<![\w,])(?<!\d\.)(?P<cur>[$€£])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"
    r"|\d{1,3}(?: \d{3})+(?:\.\d+)?(?![\d])"
    r"|\d+(?:\.\d+)?)"
    r"(?:(?P<abbr>k|m|mn|mln|bn|tn)\b|\s?(?P<word>hundred|thousand|millions?|billions?|trillion)\b)?"
    r"(?:\s?(?P<pct>%|percent\b|per\s?cent\b|pct\b)"
    r"|\s?(?P<curword>dollars?|usd|bucks|euros?|eur|pounds?|gbp)\b)?"
    r"(?![^\W_])"
)

_SPACED_DIGITS_RE = re.compile(r"\d \d{3}\b")
_TOKEN_RE = re.compile(r"[^\W_]+(?:\.\d+)?")
# Without underscores in the text, ``\w`` is ``[^\W_]`` and the scan is markedly faster.
_TOKEN_NO_UNDERSCORE_RE = re.compile(r"\w+(?:\.\d+)?")
_DIGIT_RE = re.compile(r"\d")
_MULTIPLIER_WORDS = ("hundred", "thousand", "illion")

# Archives repeat their figures ("2019", "5%") and number words: each distinct one is rewritten
# once. Bounded so that a long-running bot does not grow them without limit.
_CACHE_LIMIT = 50_000
_figure_cache: dict[tuple[str | None, ...], str] = {}
_number_word_cache: dict[str, str] = {}


def normalize_claim(text: str) -> str:
    """Canonical form stored in the database and used for matching."""
    # A second pass is a no-op except for rare inputs such as "5, 300" whose first pass yields
    # "5 300", which reads as a space-separated thousand; iterating makes the result idempotent.
    result = _normalize_once(text)
    if " " not in result or not _SPACED_DIGITS_RE.search(result):
        return result
    for _ in range(3):
        again = _normalize_once(result)
        if again == result:
            break
        result = again
    return result


def _normalize_once(text: str) -> str:
    text = _fold_characters(text)
    if "http" in text or "www." in text:
        text = _URL_RE.sub(" ", text)
    text = _expand_acronyms(text)
    text = _expand_names(text.casefold())
    text = text.replace("-", " ")
    text = _expand_contractions(text)
    if any(word in text for word in _MULTIPLIER_WORDS):
        text = _A_MULTIPLIER_RE.sub("1 ", text)
    text = _NUMBER_WORD_RE.sub(_number_word_to_digits, text)
    if _DIGIT_RE.search(text):
        text = _FIGURE_RE.sub(_canonical_figure, text)
    tokens = (_TOKEN_RE if "_" in text else _TOKEN_NO_UNDERSCORE_RE).findall(text)
    if "nt" not in text and "cannot" not in text:  # the bare contractions' endings
        return " ".join(tokens)
    return " ".join([_BARE_CONTRACTIONS.get(token, token) for token in tokens])


def _fold_characters(text: str) -> str:
    """NFKC, fold typographic quotes/dashes/spaces, and strip accents (``café`` -> ``cafe``)."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_CHAR_FOLD)
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
    text = text.replace("US$", "$")
    if not _ACRONYM_HINT_RE.search(text):
        return text
    return _ACRONYM_RE.sub(_abbreviation, text)


def _expand_names(text: str) -> str:
    """Map full names (``United States``, ``Britain``...) to acronym tokens; lower-cased text."""
    if not _NAME_HINT_RE.search(text):
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
    figure = _figure_cache.get(groups)
    if figure is None:
        figure = _rewrite_figure(match)
        if len(_figure_cache) < _CACHE_LIMIT:
            _figure_cache[groups] = figure
    return figure


def _rewrite_figure(match: re.Match[str]) -> str:
    digits = match.group("num").replace(",", "").replace(" ", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
        return match.group(0)
    multiplier = match.group("abbr") or match.group("word")
    if multiplier:
        value *= _MULTIPLIERS[multiplier]
    parts = [" " + _format_decimal(value)]
    unit = _unit_of(match)
    if unit:
        parts.append(unit)
    return " ".join(parts) + " "


def _unit_of(match: re.Match[str]) -> str | None:
    if match.group("pct"):
        return "percent"
    if match.group("curword"):
        return _CURRENCY_WORDS[match.group("curword")]
    symbol = match.group("cur")
    return _CURRENCY_SYMBOLS[symbol] if symbol else None


def _format_decimal(value: Decimal) -> str:
    """``1500000.0`` -> ``1500000``; ``1.50`` -> ``1.5`` (never scientific notation)."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
