"""Turn an article's text into the check-worthy claims a reviewer should look at, in reading order.

The pipeline is: cap the input, strip embedded code, drop page-furniture lines, rejoin hard-wrapped
lines, segment paragraphs into sentences (sentencex: maintained, handles "U.S.", "Dr.", "Jan.",
decimals and closing quotes, and is two orders of magnitude faster than pysbd), strip datelines
and inline photo credits, drop what cannot be a claim (questions, greetings, headlines), fold
repeats, score the rest and keep the best ``max_claims`` above the threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain import checkworthiness, furniture

__all__ = ["ExtractedClaim", "extract_claims", "split_sentences"]

# A 5 MB paste must not hang the bot; a long feature article is well under this.
MAX_INPUT_CHARS = 200_000
DEFAULT_MAX_CLAIMS = 15
# Fewer words than this is a fragment, a caption or a headline, not a claim worth a review.
MIN_WORDS = 5
# Short sentences must show a verb-like word, otherwise they are labels or headlines.
SHORT_SENTENCE_WORDS = 8
# rapidfuzz ratio (0..100) from which two sentences count as the same sentence.
NEAR_DUPLICATE_RATIO = 94.0

_INVISIBLE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE_RE = re.compile(r"[ \t\f\v\u00a0\u2002-\u200a\u202f\u205f\u3000]+")
_TERMINAL_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_QUESTION_RE = re.compile(r"\?[\"'”’»)\]]*$")
_LINE_END_RE = re.compile(r"[.!?:;…\"'”’»)\]]$")
_KEY_RE = re.compile(r"[\W_]+")
_DIGITS_RE = re.compile(r"\d+")
_GREETING_RE = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|night)|thanks|thank you|welcome|"
    r"greetings|congratulations|happy (?:birthday|new year|holidays))\b",
    re.IGNORECASE,
)
_VERB_HINT_RE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|has|have|had|do|does|did|will|would|can|could|"
    r"shall|should|may|might|must|said|says|say|told|got|gets|made|makes|took|takes|went|goes|"
    r"came|comes|gave|gives|won|lost|fell|rose|grew|saw|sees|left|cut|hit|set|put|ran|kept|"
    r"[a-z]{2,}ed|[a-z]{2,}[^s\W]s)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One sentence worth a reviewer's attention."""

    position: int
    text: str
    score: float


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _normalise(text: str) -> str:
    """Cap the input and unify line endings and exotic spaces so later patterns stay simple."""
    text = text[:MAX_INPUT_CHARS]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE_RE.sub("", text)
    return _SPACE_RE.sub(" ", text)


def _paragraphs(lines: list[str]) -> list[str]:
    """Rejoin lines that were hard-wrapped mid-sentence; keep real paragraph breaks.

    A line continues the previous one only when the previous line has no closing punctuation
    and this one starts in lower case, so headlines and list items stay separate.
    """
    paragraphs: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if paragraphs and not _LINE_END_RE.search(paragraphs[-1]) and line[0].islower():
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _segment(paragraph: str) -> list[str]:
    """Sentences of one paragraph; sentencex is imported on first use to keep imports cheap."""
    from sentencex import segment

    sentences = (_tidy(s) for s in segment("en", paragraph))
    return [s for s in sentences if s]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order, whitespace tidied; no filtering of any kind.

    Line breaks end a sentence only at a paragraph break or an unwrapped line, so hard-wrapped
    pastes still give whole sentences.
    """
    if not text or text.isspace():
        return []
    return [s for p in _paragraphs(_normalise(text).split("\n")) for s in _segment(p)]


def _body_sentences(text: str) -> list[str]:
    """Sentences of the article body with furniture, datelines and inline credits removed."""
    cleaned = furniture.strip_embedded_code(_normalise(text))
    lines = [line for line in cleaned.split("\n") if not furniture.is_furniture_line(line)]
    sentences: list[str] = []
    for paragraph in _paragraphs(lines):
        for index, sentence in enumerate(_segment(paragraph)):
            if index == 0:
                sentence = furniture.strip_dateline(sentence)
            sentence = _tidy(furniture.strip_inline_credits(sentence))
            if sentence and not furniture.is_furniture_line(sentence):
                sentences.append(sentence)
    return sentences


def _looks_like_headline(sentence: str, words: list[str]) -> bool:
    """Headlines and labels: no closing punctuation, shouting, Title Case, or no verb at all."""
    if not _TERMINAL_RE.search(sentence):
        return True
    letters = [c for c in sentence if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return True
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    if len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) / len(long_words) > 0.8:
        return True
    return len(words) <= SHORT_SENTENCE_WORDS and not _VERB_HINT_RE.search(sentence)


def _can_be_claim(sentence: str) -> bool:
    """Questions, greetings, fragments and headlines cannot be fact-checked as stated."""
    words = sentence.split()
    if len(words) < MIN_WORDS:
        return False
    if _QUESTION_RE.search(sentence) or _GREETING_RE.match(sentence):
        return False
    return not _looks_like_headline(sentence, words)


def _dedupe_key(sentence: str) -> str:
    return _KEY_RE.sub(" ", sentence.casefold()).strip()


def _fold_repeats(sentences: list[str]) -> list[str]:
    """Keep the first of sentences that differ only in case, spacing, punctuation or a typo.

    Sentences are only compared with those carrying the same figures: "rose 2.1%" and
    "rose 2.4%" are two claims however similar the wording.
    """
    from rapidfuzz import fuzz, process

    kept: list[str] = []
    seen: set[str] = set()
    by_figures: dict[str, list[str]] = {}
    for sentence in sentences:
        key = _dedupe_key(sentence)
        if key in seen:
            continue
        similar = by_figures.setdefault(" ".join(_DIGITS_RE.findall(key)), [])
        if similar and process.extractOne(
            key, similar, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE_RATIO
        ):
            continue
        seen.add(key)
        similar.append(key)
        kept.append(sentence)
    return kept


def extract_claims(text: str, *, max_claims: int = DEFAULT_MAX_CLAIMS) -> list[ExtractedClaim]:
    """The ``max_claims`` most check-worthy sentences above the threshold, in article order."""
    if not text or text.isspace() or max_claims <= 0:
        return []
    candidates = _fold_repeats([s for s in _body_sentences(text) if _can_be_claim(s)])
    model = checkworthiness.load_model()
    scored = [(index, s, checkworthiness.score(s, model)) for index, s in enumerate(candidates)]
    worthy = [item for item in scored if item[2] >= model.threshold]
    best = sorted(worthy, key=lambda item: (-item[2], item[0]))[:max_claims]
    best.sort(key=lambda item: item[0])
    return [
        ExtractedClaim(position=position, text=sentence, score=round(value, 4))
        for position, (_, sentence, value) in enumerate(best)
    ]
