"""Turn an article's text into the check-worthy claims a reviewer should look at, in reading order.

The pipeline is: cap the input, strip embedded code, drop page-furniture lines, rejoin hard-wrapped
lines, segment paragraphs into sentences (sentencex: maintained, handles "U.S.", "Dr.", "Jan.",
decimals and closing quotes, and is two orders of magnitude faster than pysbd), strip datelines
and inline photo credits, drop what cannot be a claim (questions, greetings, headlines), fold
repeats, score the rest and keep the best ``max_claims`` above the threshold. English sentences
are scored by the linear model of :mod:`domain.checkworthiness`, and those it is unsure of by the
fine-tuned encoder of :mod:`domain.checkworthiness_encoder`; other languages by neutral signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain import checkworthiness, checkworthiness_encoder, claim_context, furniture, languages

__all__ = [
    "ExtractedClaim",
    "Extraction",
    "can_be_claim",
    "extract",
    "extract_claims",
    "score_sentences",
    "split_sentences",
]

# A 5 MB paste must not hang the bot; a long feature article is well under this.
MAX_INPUT_CHARS = 200_000
DEFAULT_MAX_CLAIMS = 15
# Fewer words than this is a fragment, a caption or a headline, not a claim worth a review.
MIN_WORDS = 5
# Short sentences must show a verb-like word, otherwise they are labels or headlines.
SHORT_SENTENCE_WORDS = 8
# rapidfuzz ratio (0..100) from which two sentences count as the same sentence.
NEAR_DUPLICATE_RATIO = 94.0
# Languages the check-worthiness model was trained on; others fall back to neutral signals.
TRAINED_LANGUAGES = frozenset({"en"})
# A linear-model score from which the encoder is not asked (see _english_scores).
LINEAR_SURE_YES = 0.9

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
    """One sentence worth a reviewer's attention (or, from :func:`extract` with every scored
    sentence, one that was weighed and not offered).

    ``text`` is the claim as offered: the sentence itself, or the sentence made readable alone
    when it leans on the one before ("Six of the adults [the US took back] are…"); ``sentence``
    is always the original. ``paragraph`` is where it came from, for the reviewer's context.
    ``position`` numbers the offered claims from 0 in article order; it is None for a sentence
    that is not offered.
    """

    position: int | None
    text: str
    score: float
    sentence: str = ""
    claimant: str | None = None
    paragraph: str = ""
    offered: bool = True


@dataclass(frozen=True, slots=True)
class Extraction:
    """What :func:`extract` found in an article.

    ``claims`` are the offered claims; ``scored`` every body sentence, offered or not, in
    article order (questions, headlines, fragments and repeats are scored but never offered).
    ``language`` is the detected ISO 639-1 code (None when unsure); ``fallback`` says that the
    trained model does not know that language, so the scores come from language-neutral
    signals (figures, names, attributions) instead. ``withheld`` counts the sentences above the
    threshold that the cap kept from being offered.
    """

    claims: list[ExtractedClaim]
    scored: list[ExtractedClaim]
    language: str | None
    fallback: bool
    withheld: int = 0


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    paragraph: str
    previous: str | None


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


def _segment(paragraph: str, language: str = "en") -> list[str]:
    """Sentences of one paragraph; sentencex is imported on first use to keep imports cheap."""
    from sentencex import segment

    sentences = (_tidy(s) for s in segment(language, paragraph))
    return [s for s in sentences if s]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order, whitespace tidied; no filtering of any kind.

    Line breaks end a sentence only at a paragraph break or an unwrapped line, so hard-wrapped
    pastes still give whole sentences.
    """
    if not text or text.isspace():
        return []
    return [s for p in _paragraphs(_normalise(text).split("\n")) for s in _segment(p)]


def _body_paragraphs(text: str) -> list[str]:
    """Paragraphs of the article body, page furniture and embedded code removed."""
    cleaned = furniture.strip_embedded_code(_normalise(text))
    return _paragraphs(
        [line for line in cleaned.split("\n") if not furniture.is_furniture_line(line)]
    )


def _body_sentences(paragraphs: list[str], language: str) -> list[_Sentence]:
    """Sentences of the body with datelines and inline credits removed, each with its
    paragraph and the body sentence before it."""
    sentences: list[_Sentence] = []
    previous: str | None = None
    for paragraph in paragraphs:
        for index, sentence in enumerate(_segment(paragraph, language)):
            if index == 0:
                sentence = furniture.strip_dateline(sentence)
            sentence = _tidy(furniture.strip_inline_credits(sentence))
            if sentence and not furniture.is_furniture_line(sentence):
                sentences.append(_Sentence(sentence, paragraph, previous))
                previous = sentence
    return sentences


def _looks_like_headline(sentence: str, words: list[str], *, english: bool = True) -> bool:
    """Headlines and labels: no closing punctuation, shouting, Title Case, or no verb at all."""
    if not _TERMINAL_RE.search(sentence):
        return True
    letters = [c for c in sentence if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return True
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    if len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) / len(long_words) > 0.8:
        return True
    # The verb hints are English words; elsewhere a short sentence with a full stop passes.
    return english and len(words) <= SHORT_SENTENCE_WORDS and not _VERB_HINT_RE.search(sentence)


def can_be_claim(sentence: str, *, english: bool = True) -> bool:
    """Questions, greetings, fragments and headlines cannot be fact-checked as stated."""
    words = sentence.split()
    if len(words) < MIN_WORDS:
        return False
    if _QUESTION_RE.search(sentence) or _GREETING_RE.match(sentence):
        return False
    return not _looks_like_headline(sentence, words, english=english)


def _dedupe_key(sentence: str) -> str:
    return _KEY_RE.sub(" ", sentence.casefold()).strip()


def _fold_repeats(sentences: list[_Sentence]) -> list[_Sentence]:
    """Keep the first of sentences that differ only in case, spacing, punctuation or a typo.

    Sentences are only compared with those carrying the same figures: "rose 2.1%" and
    "rose 2.4%" are two claims however similar the wording.
    """
    from rapidfuzz import fuzz, process

    kept: list[_Sentence] = []
    seen: set[str] = set()
    by_figures: dict[str, list[str]] = {}
    for sentence in sentences:
        key = _dedupe_key(sentence.text)
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
    if max_claims <= 0:
        return []
    return extract(text, max_claims=max_claims).claims


def warm_up() -> None:
    """Load the models extraction uses (the language detector and the check-worthiness
    encoder) now, so that the first article does not wait for them (about 0.3 s)."""
    languages.detect_language("The economy added 200,000 jobs in April, officials said.")
    checkworthiness_encoder.get_scorer()


def extract(text: str, *, max_claims: int | None = DEFAULT_MAX_CLAIMS) -> Extraction:
    """Claims of an article, with its language and every sentence weighed.

    ``max_claims=None`` offers every sentence above the threshold. Sentences that cannot be a
    claim (questions, headlines, fragments) and repeats are listed in ``scored`` but never
    offered.
    """
    if not text or text.isspace():
        return Extraction(claims=[], scored=[], language=None, fallback=False)
    paragraphs = _body_paragraphs(text)
    language = languages.detect_language("\n".join(paragraphs))
    sentences = _body_sentences(paragraphs, language or "en")
    english = language in (None, *TRAINED_LANGUAGES)
    eligible = {
        id(s)
        for s in _fold_repeats([s for s in sentences if can_be_claim(s.text, english=english)])
    }
    return _rank(
        sentences,
        [id(s) in eligible for s in sentences],
        max_claims=max_claims,
        language=language,
        context=True,
    )


def score_sentences(lines: list[str], *, max_claims: int | None = DEFAULT_MAX_CLAIMS) -> Extraction:
    """Each non-blank line taken as one sentence and weighed on its own: no splitting, no
    folding of repeats, no context from its neighbours (how check-worthiness is measured from
    outside). ``scored`` has one entry per non-blank line, in order."""
    sentences = [_Sentence(_tidy(line), "", None) for line in lines if line.strip()]
    language = languages.detect_language("\n".join(s.text for s in sentences))
    english = language in (None, *TRAINED_LANGUAGES)
    eligible = [can_be_claim(s.text, english=english) for s in sentences]
    return _rank(sentences, eligible, max_claims=max_claims, language=language, context=False)


def _english_scores(
    sentences: list[_Sentence], eligible: list[bool]
) -> tuple[list[float], list[bool]]:
    """Scores of an English text's sentences, and which of them are check-worthy.

    The linear model proposes, the fine-tuned encoder decides: a sentence the linear model
    rates below its threshold is not check-worthy (it knows predictions, promises and opinions
    by their words), one it rates at least ``LINEAR_SURE_YES`` is ("rose 2.1% in May, Eurostat
    said"), and the encoder judges those in between; its score then replaces the linear one.
    The encoder is the slow part (about 1 ms a sentence), so it sees only that band (a dozen
    sentences of a 1,000-word article), and only sentences that may be offered (not questions,
    headlines, fragments or repeats).
    """
    model = checkworthiness.load_model()
    values = [checkworthiness.score(s.text, model) for s in sentences]
    worthy = [value >= model.threshold for value in values]
    unsure = [
        index
        for index, value in enumerate(values)
        if eligible[index] and model.threshold <= value < LINEAR_SURE_YES
    ]
    if unsure:
        scorer = checkworthiness_encoder.get_scorer()
        found = scorer.scores([sentences[i].text for i in unsure])
        for index, value in zip(unsure, found, strict=True):
            values[index] = value
            worthy[index] = value >= scorer.threshold
    return values, worthy


def _rank(
    sentences: list[_Sentence],
    eligible: list[bool],
    *,
    max_claims: int | None,
    language: str | None,
    context: bool,
) -> Extraction:
    """Score the sentences and offer the best ``max_claims`` eligible ones above the threshold,
    in article order."""
    fallback = language is not None and language not in TRAINED_LANGUAGES
    claimants: list[str | None] = []
    previous_claimant: str | None = None
    for sentence in sentences:
        claimant = claim_context.claimant_of(sentence.text, previous_claimant=previous_claimant)
        claimants.append(claimant)
        previous_claimant = claimant or previous_claimant
    if fallback:
        values = [
            checkworthiness.neutral_score(s.text, attributed=who is not None)
            for s, who in zip(sentences, claimants, strict=True)
        ]
        accepted = [value >= checkworthiness.NEUTRAL_THRESHOLD for value in values]
    else:
        values, accepted = _english_scores(sentences, eligible)
    worthy = [i for i, ok in enumerate(accepted) if eligible[i] and ok]
    best = sorted(worthy, key=lambda i: (-values[i], i))
    offered = sorted(best if max_claims is None else best[:max_claims])
    rank = {index: position for position, index in enumerate(offered)}
    scored: list[ExtractedClaim] = []
    for index, sentence in enumerate(sentences):
        text = sentence.text
        if context:
            before = claimants[index - 1] if index > 0 else None
            text = claim_context.standalone(text, sentence.previous, previous_claimant=before)
        scored.append(
            ExtractedClaim(
                position=rank.get(index),
                text=text,
                score=round(values[index], 4),
                sentence=sentence.text,
                claimant=claimants[index],
                paragraph=sentence.paragraph,
                offered=index in rank,
            )
        )
    claims = [item for item in scored if item.offered]
    return Extraction(
        claims=claims,
        scored=scored,
        language=language,
        fallback=fallback,
        withheld=len(best) - len(offered),
    )
