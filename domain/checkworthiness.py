"""Check-worthiness scoring for single sentences.

A logistic-regression model over words, word pairs, character 3-5-grams and a few hand-made
signals (figures, money, dates, names, attribution, comparisons; opinion, hedging, first person,
future talk, imperatives). The character n-grams let the model meet a news article's vocabulary
that its debate-transcript training data never had.
The weights were trained by ``bench/train_checkworthiness.py`` on the ClaimBuster 2.5xNCS set
(Arslan, Hassan, Li, Tremayne, "A Benchmark Dataset of Check-worthy Factual Claims", ICWSM 2020;
Meng et al., arXiv 2002.07725; CC BY 4.0). Inference is plain Python so that scoring needs no
numeric library and stays fast for the handful of sentences in an article.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

MODEL_RESOURCE = "checkworthiness_model.json"
CHAR_NGRAM_SIZES = (3, 4, 5)

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+(?:['’][a-z]+)?")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’.-]*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Hand-made signals. Each is a binary feature whose weight the model learns; they carry over from
# the debate transcripts of the training data to news copy better than the raw vocabulary does.
# Word lists are matched against the token set (far cheaper than one big regex alternation).
_WORD_SIGNALS: dict[str, frozenset[str]] = {
    name: frozenset(words.split())
    for name, words in {
        "spelled_number": "two three four five six seven eight nine ten eleven twelve twenty "
        "thirty forty fifty hundred hundreds thousand thousands dozen dozens half third quarter",
        "percent": "percent percentage",
        "money": "dollar dollars euro euros yuan yen rupee rupees budget tax taxes cost",
        "magnitude": "million millions billion billions trillion trillions",
        "attribution": "said says told reported reports warned announced stated confirmed "
        "estimated showed shows found revealed disclosed testified wrote data figures statistics "
        "survey poll study report",
        "comparison": "highest lowest largest biggest smallest fastest worst best most least "
        "record doubled tripled halved rose fell increased decreased declined dropped grew jumped "
        "surged plunged climbed slumped",
        "past_fact": "was were had passed signed voted killed died won lost cut raised created "
        "built spent paid approved rejected launched arrested charged convicted",
        "first_plural": "we we're we've our ours us ourselves",
        "second_person": "you your you're yours",
        "opinion": "think believe feel felt opinion should must ought hope wish want great "
        "terrible wonderful awful wrong proud shame disgrace love hate important unfortunately "
        "frankly honestly clearly obviously",
        "hedge": "maybe perhaps might could possibly probably likely seem seems appear appears "
        "may suggest suggests rumored rumoured allegedly",
        "future": "will won't shall gonna intend intends tomorrow someday would",
    }.items()
}
_PHRASE_SIGNALS: dict[str, tuple[str, ...]] = {
    "percent": ("per cent",),
    "attribution": ("according to",),
    "comparison": (
        "more than",
        "less than",
        "fewer than",
        "at least",
        "as many as",
        "as much as",
        "compared with",
        "compared to",
        "up from",
        "down from",
    ),
    "past_fact": ("has been", "have been"),
    "opinion": ("right thing",),
    "future": ("going to", "plan to", "plans to", "next year"),
}
_START_SIGNALS: dict[str, frozenset[str]] = {
    "imperative": _words(
        "let let's look imagine consider remember join click read watch subscribe sign follow "
        "share see listen try don't do please vote tell give make stop go"
    ),
    "greeting": _words("hi hello hey dear thanks welcome greetings congratulations"),
}
_REGEX_SIGNALS: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"\d"),
    "percent": re.compile(r"%"),
    "money": re.compile(r"[$£€¥]"),
    "magnitude": re.compile(r"\d(?:\.\d+)?\s?(?:[mbk]n?|bln|mln)\b", re.IGNORECASE),
    "year": re.compile(r"\b(?:1[89]\d\d|20\d\d)s?\b"),
    "month": re.compile(
        r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?(?:\s+\d)"
        r"|\b(?:January|February|April|June|July|August|September|October|November|December)\b"
    ),
    "weekday": re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b"),
    "first_person": re.compile(r"\bI\b|\b(?:me|my|mine|myself)\b", re.IGNORECASE),
    "question": re.compile(r"\?\W*$"),
    "quote": re.compile(r"[\"“”]"),
    "good_greeting": re.compile(r"^good (?:morning|afternoon|evening|night)\b", re.IGNORECASE),
}
_NOT_SUPERLATIVE = _words(
    "interest test rest forest honest protest request suggest contest harvest modest arrest "
    "invest manifest digest earnest guest chest west east nest quest vest pest zest lest jest "
    "crest unrest behest conquest priest attest detest infest molest"
)
_ACRONYM_RE = re.compile(r"\b[A-Z]{2,}\b")

_SENTENCE_STARTERS = frozenset(
    {"The", "A", "An", "In", "On", "At", "But", "And", "He", "She", "It", "They", "This", "That"}
)


@dataclass(frozen=True, slots=True)
class Model:
    """Weights of a binary logistic regression; ``threshold`` is the tuned decision point.

    ``word_scores`` is the dense part of the model folded into one number per word: the
    regression's weight vector dotted with each word's static embedding. The logit gets the
    mean of the scores of the sentence's known words, which equals the weights dotted with the
    sentence's mean embedding, at the cost of a dictionary look-up per word.
    """

    bias: float
    threshold: float
    weights: dict[str, float]
    word_scores: dict[str, float] = field(default_factory=dict)
    char_weights: dict[str, float] = field(default_factory=dict)


def _length_feature(n_words: int) -> str:
    if n_words < 6:
        return "len:<6"
    if n_words < 13:
        return "len:6-12"
    if n_words < 26:
        return "len:13-25"
    return "len:26+"


def _has_mid_sentence_names(sentence: str) -> tuple[bool, bool]:
    """Return (capitalised word mid-sentence, run of two or more such words).

    A capital letter after the first word is the cheapest stand-in for a named entity
    (people, organisations, places) when no tagger can be shipped.
    """
    words = _WORD_RE.findall(sentence)
    any_cap = False
    run = 0
    best_run = 0
    for index, word in enumerate(words):
        capital = word[0].isupper() and word not in {"I", "I'm", "I've", "I'd", "I'll"}
        if capital and index > 0 and word not in _SENTENCE_STARTERS:
            any_cap = True
            run += 1
            best_run = max(best_run, run)
        else:
            run = 0
    return any_cap, best_run >= 2


def _signals(sentence: str, tokens: list[str]) -> set[str]:
    vocabulary = set(tokens)
    joined = f" {' '.join(tokens)} "
    found = {name for name, words in _WORD_SIGNALS.items() if not vocabulary.isdisjoint(words)}
    found.update(
        name
        for name, phrases in _PHRASE_SIGNALS.items()
        if any(f" {phrase} " in joined for phrase in phrases)
    )
    if tokens:
        found.update(name for name, words in _START_SIGNALS.items() if tokens[0] in words)
    found.update(name for name, pattern in _REGEX_SIGNALS.items() if pattern.search(sentence))
    if any(t.endswith("'ll") or t.endswith("’ll") for t in tokens):
        found.add("future")
    if any(len(t) > 4 and t.endswith("est") and t not in _NOT_SUPERLATIVE for t in tokens):
        found.add("superlative")
    any_cap, cap_run = _has_mid_sentence_names(sentence)
    if any_cap:
        found.add("capitalised")
    if cap_run:
        found.add("name_run")
    if _ACRONYM_RE.search(sentence):
        found.add("acronym")
    return found


def char_ngrams(sentence: str) -> set[str]:
    """Character 3- to 5-grams inside each space-padded lower-case word (scikit-learn's
    ``char_wb`` analyzer): they carry word stems, suffixes ("-ed", "-est") and spellings the
    training data never had, so a news article's vocabulary still meets known weights."""
    return set().union(*map(_word_ngrams, sentence.lower().split()))


@lru_cache(maxsize=65_536)
def _word_ngrams(word: str) -> frozenset[str]:
    """One word's n-grams; cached, since most words of an article are common ones."""
    padded = f" {word} "
    grams: set[str] = set()
    for n in CHAR_NGRAM_SIZES:
        if len(padded) <= n:
            grams.add(padded)
            break
        grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return frozenset(grams)


def _word_features(sentence: str) -> set[str]:
    raw_tokens = _TOKEN_RE.findall(sentence.lower())
    tokens = ["#" if token[0].isdigit() else token for token in raw_tokens]
    found: set[str] = {f"w:{token}" for token in tokens}
    found.update(f"b:{first} {second}" for first, second in itertools.pairwise(tokens))
    found.add(_length_feature(len(tokens)))
    found.update(f"s:{name}" for name in _signals(sentence, raw_tokens))
    return found


def features(sentence: str) -> set[str]:
    """Binary features of one sentence; shared by training and inference so they cannot drift.

    Character n-grams are the features named ``c:<gram>``; :func:`score` looks them up without
    the prefix (see ``Model.char_weights``), which is the same sum for a fifth of the time.
    """
    found = _word_features(sentence)
    found.update(f"c:{gram}" for gram in char_ngrams(sentence))
    return found


def embedding_tokens(sentence: str) -> list[str]:
    """The words whose static embeddings are averaged: lower-case words, figures left out."""
    return [token for token in _TOKEN_RE.findall(sentence.lower()) if not token[0].isdigit()]


def dense_logit(sentence: str, word_scores: dict[str, float]) -> float:
    """Mean word score over the sentence's words that have one (0 when none has)."""
    known = [word_scores[token] for token in embedding_tokens(sentence) if token in word_scores]
    return sum(known) / len(known) if known else 0.0


@lru_cache(maxsize=1)
def load_model() -> Model:
    """Read the shipped weights once, on first use, so importing stays cheap."""
    from importlib import resources

    raw = resources.files("domain").joinpath("data", MODEL_RESOURCE).read_text(encoding="utf-8")
    data = json.loads(raw)
    weights = {str(key): float(value) for key, value in data["weights"].items()}
    word_scores = {str(key): float(value) for key, value in data.get("word_scores", {}).items()}
    char_weights = {key[2:]: value for key, value in weights.items() if key.startswith("c:")}
    return Model(
        bias=float(data["bias"]),
        threshold=float(data["threshold"]),
        weights={key: value for key, value in weights.items() if not key.startswith("c:")},
        word_scores=word_scores,
        char_weights=char_weights,
    )


def score(sentence: str, model: Model | None = None) -> float:
    """Probability-like check-worthiness in 0..1."""
    active = model or load_model()
    weights, char_weights = active.weights, active.char_weights
    logit = active.bias + sum(weights.get(name, 0.0) for name in _word_features(sentence))
    logit += sum(char_weights.get(gram, 0.0) for gram in char_ngrams(sentence))
    if active.word_scores:
        logit += dense_logit(sentence, active.word_scores)
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)


def is_check_worthy(sentence: str) -> bool:
    """Decision at the threshold chosen on CT24 dev-test when the weights were trained."""
    model = load_model()
    return score(sentence, model) >= model.threshold


# --- language-neutral fallback --------------------------------------------------------------------

NEUTRAL_THRESHOLD = 0.5
_NEUTRAL_BIAS = -2.0
_CURRENCY_OR_PERCENT_RE = re.compile(r"[%$£€¥₹₽]|\d\s?(?:‰|pp\b)")
_YEAR_RE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
# Conditional and future forms in the languages a desk most often reads next to English: talk of
# what may happen is not checkable.
_SPECULATIVE_RE = re.compile(
    r"\b(?:sera|seront|serait|pourrait|pourraient|devrait|devraient|va|vont|"
    r"será|serán|sería|podría|podrían|debería|deberían|va a|van a|"
    r"wird|werden|würde|würden|könnte|könnten|sollte|sollten|"
    r"sarà|saranno|potrebbe|dovrebbe|vai|vão|poderia|deveria)\b",
    re.IGNORECASE,
)


def neutral_score(sentence: str, *, attributed: bool = False) -> float:
    """Check-worthiness from signals that mean the same in any language written in Latin,
    Greek or Cyrillic script: figures, percentages and currencies, years, names (capitalised
    words inside the sentence), acronyms, and an attribution (``attributed``, found by the
    caller). Questions and speculative verb forms count against.

    Used for articles in a language the trained model has not seen, where its word weights
    would mean nothing. The weights are set by hand so that a figure plus a name, a source or
    a percentage passes 0.5 and a figure alone does not.
    """
    logit = _NEUTRAL_BIAS
    if _REGEX_SIGNALS["number"].search(sentence):
        logit += 1.6
    if _CURRENCY_OR_PERCENT_RE.search(sentence):
        logit += 0.8
    if _YEAR_RE.search(sentence):
        logit += 0.4
    any_cap, cap_run = _has_mid_sentence_names(sentence)
    logit += 0.7 * any_cap + 0.3 * cap_run
    if _ACRONYM_RE.search(sentence):
        logit += 0.4
    if attributed:
        logit += 0.8
    if _REGEX_SIGNALS["question"].search(sentence):
        logit -= 3.0
    if _SPECULATIVE_RE.search(sentence):
        logit -= 1.2
    return 1.0 / (1.0 + math.exp(-logit))
