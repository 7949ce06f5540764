"""Check-worthiness scoring for single sentences.

A logistic-regression model over words, word pairs and a few hand-made signals (figures, money,
dates, names, attribution, comparisons; opinion, hedging, first person, future talk, imperatives).
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
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MODEL_RESOURCE = "checkworthiness_model.json"

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+(?:['’][a-z]+)?")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’.-]*")

# Hand-made signals. Each is a binary feature whose weight the model learns; they carry over from
# the debate transcripts of the training data to news copy better than the raw vocabulary does.
_SIGNALS: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"\d"),
    "spelled_number": re.compile(
        r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
        r"fifty|hundred|hundreds|thousand|thousands|dozen|dozens|half|third|quarter)\b",
        re.IGNORECASE,
    ),
    "percent": re.compile(r"%|\bper ?cent\b|\bpercentage\b", re.IGNORECASE),
    "money": re.compile(
        r"[$£€¥]|\b(?:dollars?|euros?|pounds sterling|yuan|yen|rupees?|budget|tax(?:es)?|cost)\b",
        re.IGNORECASE,
    ),
    "magnitude": re.compile(r"\b(?:million|billion|trillion)s?\b|\b\d+(?:\.\d+)?[mbk]n?\b", re.I),
    "year": re.compile(r"\b(?:1[89]\d\d|20\d\d)s?\b"),
    "month": re.compile(
        r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
        r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?(?:\s+\d)"
        r"|\b(?:January|February|April|June|July|August|September|October|November|December)\b"
    ),
    "weekday": re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    "attribution": re.compile(
        r"\b(?:said|says|told|reported|reports|warned|announced|stated|confirmed|estimated|"
        r"according to|showed|shows|found|revealed|disclosed|testified|wrote|data|figures|"
        r"statistics|survey|poll|study|report)\b",
        re.IGNORECASE,
    ),
    "comparison": re.compile(
        r"\b(?:more than|less than|fewer than|at least|as many as|as much as|compared with|"
        r"compared to|highest|lowest|largest|biggest|smallest|fastest|worst|best|most|least|"
        r"record|doubled|tripled|halved|rose|fell|increased|decreased|declined|dropped|grew|"
        r"jumped|surged|plunged|climbed|slumped|up from|down from)\b",
        re.IGNORECASE,
    ),
    "superlative": re.compile(
        r"\b(?!(?:interest|test|rest|forest|honest|protest|request|suggest|contest|harvest|modest|"
        r"arrest|invest|manifest|digest|earnest|guest|chest|west|east|nest|quest|vest|pest|"
        r"zest|lest|jest|crest|unrest|behest|conquest|priest|attest|detest|infest|molest)\b)"
        r"[a-z]{2,}est\b",
        re.IGNORECASE,
    ),
    "past_fact": re.compile(
        r"\b(?:was|were|had|has been|have been|passed|signed|voted|killed|died|won|lost|cut|"
        r"raised|created|built|spent|paid|approved|rejected|launched|arrested|charged|convicted)\b",
        re.IGNORECASE,
    ),
    "first_person": re.compile(r"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself)\b"),
    "first_plural": re.compile(r"\b(?:we|we're|we've|our|ours|us|ourselves)\b", re.IGNORECASE),
    "second_person": re.compile(r"\b(?:you|your|you're|yours)\b", re.IGNORECASE),
    "opinion": re.compile(
        r"\b(?:think|believe|feel|felt|opinion|should|must|ought|hope|wish|want|great|terrible|"
        r"wonderful|awful|wrong|right thing|proud|shame|disgrace|love|hate|important|"
        r"unfortunately|frankly|honestly|clearly|obviously)\b",
        re.IGNORECASE,
    ),
    "hedge": re.compile(
        r"\b(?:maybe|perhaps|might|could|possibly|probably|likely|seems?|appears?|may|"
        r"suggests?|rumou?red|allegedly)\b",
        re.IGNORECASE,
    ),
    "future": re.compile(
        r"\b(?:will|won't|shall|going to|gonna|plan to|plans to|intend|intends|next year|"
        r"tomorrow|someday|would)\b|\w'll\b",
        re.IGNORECASE,
    ),
    "imperative": re.compile(
        r"^(?:let|let's|look|imagine|consider|remember|join|click|read|watch|subscribe|sign|"
        r"follow|share|see|listen|try|don't|do|please|vote|tell|give|make|stop|go)\b",
        re.IGNORECASE,
    ),
    "greeting": re.compile(
        r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|night)|thanks|thank you|"
        r"welcome|greetings|congratulations)\b",
        re.IGNORECASE,
    ),
    "question": re.compile(r"\?\W*$"),
    "quote": re.compile(r"[\"“”]"),
}

_SENTENCE_STARTERS = frozenset(
    {"The", "A", "An", "In", "On", "At", "But", "And", "He", "She", "It", "They", "This", "That"}
)


@dataclass(frozen=True, slots=True)
class Model:
    """Weights of a binary logistic regression; ``threshold`` is the tuned decision point."""

    bias: float
    threshold: float
    weights: dict[str, float]


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


def features(sentence: str) -> set[str]:
    """Binary features of one sentence; shared by training and inference so they cannot drift."""
    lowered = sentence.lower()
    tokens = ["#" if token[0].isdigit() else token for token in _TOKEN_RE.findall(lowered)]
    found: set[str] = {f"w:{token}" for token in tokens}
    found.update(f"b:{first} {second}" for first, second in itertools.pairwise(tokens))
    found.add(_length_feature(len(tokens)))
    found.update(f"s:{name}" for name, pattern in _SIGNALS.items() if pattern.search(sentence))
    any_cap, cap_run = _has_mid_sentence_names(sentence)
    if any_cap:
        found.add("s:capitalised")
    if cap_run:
        found.add("s:name_run")
    if re.search(r"\b[A-Z]{2,}\b", sentence):
        found.add("s:acronym")
    return found


@lru_cache(maxsize=1)
def load_model() -> Model:
    """Read the shipped weights once, on first use, so importing stays cheap."""
    raw = resources.files("domain").joinpath("data", MODEL_RESOURCE).read_text(encoding="utf-8")
    data = json.loads(raw)
    weights = {str(key): float(value) for key, value in data["weights"].items()}
    return Model(bias=float(data["bias"]), threshold=float(data["threshold"]), weights=weights)


def score(sentence: str, model: Model | None = None) -> float:
    """Probability-like check-worthiness in 0..1."""
    active = model or load_model()
    logit = active.bias + sum(active.weights.get(name, 0.0) for name in features(sentence))
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)


def is_check_worthy(sentence: str) -> bool:
    """Decision at the threshold chosen by cross-validation when the weights were trained."""
    model = load_model()
    return score(sentence, model) >= model.threshold
