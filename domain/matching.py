"""Match a new claim against every previously checked claim.

Why this shape: reviewers must see an earlier verdict when a claim comes back, but a *wrong*
"same claim" makes them reuse a verdict that does not apply, which is worse than a miss. So the
index ranks candidates generously (``best_matches``) and calls a candidate ``same`` only when the
score is high *and* no meaning-changing difference is detected.

Two matchers live here. :func:`compare_claims` is the decision of the hybrid archive
(``services/archive.py`` over ``domain/claim_index.py``: tantivy BM25 + sentence embeddings),
which replaces the in-memory :class:`ClaimIndex` below; the rule and its calibration are described
at ``compare_claims``. No service uses :class:`ClaimIndex` any more: it stays for
``bench/matching.py`` and ``bench/calibrate_matching.py``, and can go with them.

Pipeline of :class:`ClaimIndex` for one query (texts pass through
:func:`domain.normalize.normalize_claim`):

1. **Prefilter** — an inverted index over content tokens (stop words dropped) with BM25 weights.
   Postings of the rarest query tokens are walked first; the walk stops after a budget of postings,
   so a query costs a few milliseconds even against 100,000 claims. The top ``_CANDIDATES`` go on.
2. **Rescore** — ``score = 100 * (W_IDF * idf_dice + (1 - W_IDF) * token_sort_ratio / 100)``.
   ``idf_dice`` is an IDF-weighted Dice overlap of content tokens: it is symmetric (unlike
   ``token_set_ratio``, a subset does not score 100) and rewards shared *rare* words (places, names,
   figures). rapidfuzz's ``token_sort_ratio`` is order-insensitive and tolerant of typos; it is
   length-sensitive, unlike ``WRatio``'s partial matching that scores unrelated texts in the 80s.
3. **Same-claim vetoes** — a candidate is never ``same`` if the two claims differ in
   * figures (the sets of numbers differ: 5% vs 7%, 70,000 vs 7,000, 2019 vs 2020),
   * negation (the counts of not/no/never/... differ: "X is safe" vs "X is not safe"),
   * direction (rose vs fell, more vs fewer, legal vs illegal, win vs lose...),
   * place (both name a country / US state / big city, and the names differ).

Calibration (``bench/calibrate_matching.py``; figures from its last run, weights as below).

Ranking quality of ``best_matches`` (MAP@5 on test; BM25 = plain BM25 over vclaim + title):

* CT2020-T2 (tweets -> 10,375 Snopes claims): **0.842** (BM25 0.852); R@5 0.905.
* CT2021-2B (debate sentences -> 19,250 PolitiFact claims): **0.345** (BM25 0.317).

``W_IDF`` = 0.6 balances the two (0.5: 0.841 / 0.327; 0.7: 0.834 / 0.372; 1.0: 0.812 / 0.364).

``same`` threshold: top-5 candidates of all 1,866 train/dev/test queries, labelled relevant (gold
pair) or not, vetoes applied. Pairs at or above the threshold and their precision:
50 -> 119 pairs, 0.83; 60 -> 69, 0.91; 65 -> 56, 0.98; 70 -> 40, 1.00; 80 -> 8, 1.00;
85 -> 3, 1.00. The synthetic near-miss set (31 pairs in the script) decides between the
precision-1.0 thresholds: actor swaps ("Obama" vs "Clinton deported more immigrants...") are the
one kind no veto catches and score 67-82, so 85 is the lowest threshold with no false "same" there
(figure, negation, place and action near-misses score 69-90 and are all vetoed); 9 of 10 surface
variants still reach 85. Hence ``DEFAULT_SAME_THRESHOLD = 85``.
``DEFAULT_SIMILAR_THRESHOLD = 50``: "similar" is only a hint for the reviewer, so it favours
recall; 0.83 of the top-5 pairs at >= 50 are gold pairs, and unrelated claims score below it.

Thread safety: every public method takes one ``threading.Lock``; queries are a few milliseconds,
so the bot can call :meth:`ClaimIndex.find` from worker threads while another thread adds claims.
"""

from __future__ import annotations

import gc
import heapq
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING

import tantivy
from rapidfuzz import fuzz

from domain.normalize import normalize_claim

if TYPE_CHECKING:
    from domain.embedding import Vectors

__all__ = [
    "DEFAULT_SAME_THRESHOLD",
    "DEFAULT_SIMILAR_THRESHOLD",
    "STOPWORDS",
    "ClaimIndex",
    "Comparison",
    "Match",
    "compare_claims",
    "spell_out_acronyms",
    "word_overlap",
]

DEFAULT_SAME_THRESHOLD: float = 85.0
DEFAULT_SIMILAR_THRESHOLD: float = 50.0

# Weight of the IDF-weighted Dice overlap in the final score (the rest is token_sort_ratio).
W_IDF = 0.6
# BM25 parameters of the prefilter (tf saturation, length normalisation, typical claim length).
_K1 = 1.2
_B = 0.75
_AVG_LEN = 10.0
# Candidates passed from the prefilter to the rescorer, and the posting budget of one query.
_CANDIDATES = 100
_POSTING_BUDGET = 12_000
# Imaginary documents lacking every term, added to the archive size in the IDF.
_IDF_PRIOR_DOCS = 1_000
# Up to this many "similar" matches are returned by ClaimIndex.find.
_MAX_SIMILAR = 3


def _words(text: str) -> frozenset[str]:
    """A word list written as one string (keeps the tables readable)."""
    return frozenset(text.split())


_STOPWORDS = _words(
    """a about above after again all also am an and any are as at be been being both but by
    can could did do does doing during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me my myself of off on
    once only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until very
    was we were what when where which while who whom why will with would you your yours yourself
    yourselves says said say saying claim claims claimed"""
)
#: Words that carry no topic (the search index drops them from queries).
STOPWORDS = _STOPWORDS
_NEGATIONS = _words(
    "not no never nobody nothing none neither nor without nowhere cannot false fake lack lacks "
    "lacked lacking"
)

# token -> its (group, pole)s. Two claims whose tokens sit on opposite poles of a group (and not
# on both) describe different actions or directions: "rose" vs "fell". A word may belong to
# several groups: "passed" a bill (vote) or 5 million (direction).
_POLES: dict[str, tuple[tuple[str, int], ...]] = {}


def _add_poles(group: str, up: str, down: str) -> None:
    for words, pole in ((up, 1), (down, -1)):
        for word in words.split():
            _POLES[word] = (*_POLES.get(word, ()), (group, pole))


_add_poles(
    "direction",
    "rose rise rises rising risen increase increased increases increasing up grew grow grows "
    "growing higher more greater gain gained gains doubled tripled soared surged jumped climbed "
    "boost boosted raise raised raises raising",
    "fell fall falls falling fallen decrease decreased decreases decreasing down shrank shrink "
    "shrinks shrinking lower less fewer smaller loss lost halved plunged plummeted dropped drop "
    "drops declined decline declines cut cuts cutting slashed reduced reduce reduces",
)
_add_poles(
    "direction",
    "above exceeded exceeds exceed passed surpassed topped overtook",
    "below",
)
_add_poles(
    "cost",
    "expensive costlier pricier dearer",
    "cheap cheaper cheapest inexpensive",
)
# Killing is not harming: "smoking kills half of its users" / "harms half of its users".
_add_poles(
    "harm",
    "kill kills killed killing deadly fatal",
    "harm harms harmed harming hurt hurts injure injures injured injuring",
)
_add_poles("outcome", "win wins won winning winner", "lose loses losing loser defeated")
_add_poles(
    "legality",
    "legal legalized legalised allowed allow allows permitted",
    "illegal banned ban bans outlawed prohibited forbidden",
)
_add_poles(
    "stance",
    "support supports supported supporting favor favour",
    "oppose opposes opposed opposing against",
)
_add_poles(
    "vote",
    "approved approve approves passed pass passes",
    "rejected reject rejects blocked block blocks vetoed veto",
)
_add_poles("extreme", "highest most largest biggest best record", "lowest least smallest worst")
_add_poles("time", "before", "after")
_add_poles("life", "alive survived", "dead died killed")
_add_poles("sex", "men male man boys", "women female woman girls")
_add_poles("party", "democrat democrats democratic", "republican republicans gop")

_PLACES = _words(
    """usa uk eu un afghanistan albania algeria argentina armenia australia austria belgium
    bolivia brazil bulgaria canada chile china colombia croatia cuba czech denmark egypt england
    estonia ethiopia finland france germany ghana greece hungary iceland india indonesia iran iraq
    ireland israel italy jamaica japan jordan kenya korea latvia lebanon libya lithuania mexico
    morocco netherlands nigeria norway pakistan palestine peru philippines poland portugal qatar
    romania russia saudi scotland serbia singapore slovakia somalia spain sudan sweden switzerland
    syria taiwan thailand turkey uganda ukraine venezuela vietnam wales yemen zimbabwe africa asia
    europe alabama alaska arizona arkansas california colorado connecticut delaware florida georgia
    hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts
    michigan minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico york
    carolina dakota ohio oklahoma oregon pennsylvania rhode tennessee texas utah vermont virginia
    washington wisconsin wyoming london paris berlin madrid rome moscow beijing tokyo delhi sydney
    toronto chicago houston boston atlanta dallas detroit seattle miami baltimore philadelphia
    phoenix denver portland milwaukee cleveland austin orlando brussels dublin edinburgh glasgow
    manchester birmingham liverpool"""
)

_POLE_WORDS = frozenset(_POLES)


@dataclass(frozen=True, slots=True)
class Match:
    """One archived claim proposed for a new claim."""

    claim_id: int
    score: float  # 0..100, higher is closer
    same: bool  # True: present as "the same claim" (reuse the earlier verdict)


@dataclass(frozen=True, slots=True)
class _Claim:
    """What the index keeps per claim: everything the rescorer and the vetoes need."""

    text: str
    terms: frozenset[str]
    figures: frozenset[str]
    negations: int
    poles: frozenset[tuple[str, int]]
    places: frozenset[str]


def _analyse(text: str) -> _Claim:
    """Normalise ``text`` and extract the features used for scoring and vetoes."""
    return _features(normalize_claim(text))


def _features(normalized: str) -> _Claim:
    """The features of an already normalised text.

    Set operations instead of per-token Python loops: this runs for every archived claim.
    """
    tokens = normalized.split()
    distinct = set(tokens)
    terms = frozenset(distinct - _STOPWORDS)
    negations = distinct & _NEGATIONS
    return _Claim(
        text=normalized,
        terms=terms,
        figures=frozenset(t for t in terms if t[0].isdigit()),
        negations=sum(tokens.count(t) for t in negations) if negations else 0,
        poles=frozenset(pole for t in distinct & _POLE_WORDS for pole in _POLES[t]),
        places=frozenset(distinct & _PLACES),
    )


def _bm25_weights(claim: _Claim) -> dict[str, float]:
    """Per-term BM25 document weight (without IDF, which is computed at query time)."""
    counts = Counter(t for t in claim.text.split() if t in claim.terms)
    length = sum(counts.values())
    norm = _K1 * (1.0 - _B + _B * length / _AVG_LEN)
    return {term: tf * (_K1 + 1.0) / (tf + norm) for term, tf in counts.items()}


def _conflict(a: _Claim, b: _Claim) -> str | None:
    """Why two claims cannot be the same claim (figure, negation, direction, place), or None."""
    if a.figures != b.figures:
        return "figure"
    if a.negations != b.negations:
        return "negation"
    if _opposite_poles(a.poles, b.poles):
        return "direction"
    if (a.places - b.places) and (b.places - a.places):
        return "place"
    return None


def _on_poles(word: str, poles: frozenset[tuple[str, int]]) -> bool:
    return any(pole in poles for pole in _POLES.get(word, ()))


def _opposite_poles(a: frozenset[tuple[str, int]], b: frozenset[tuple[str, int]]) -> bool:
    only_a = a - b
    only_b = b - a
    return any((group, -pole) in only_b and (group, -pole) not in a for group, pole in only_a)


class ClaimIndex:
    """In-memory index of checked claims; see the module docstring for the method."""

    def __init__(
        self,
        *,
        same_threshold: float = DEFAULT_SAME_THRESHOLD,
        similar_threshold: float = DEFAULT_SIMILAR_THRESHOLD,
    ) -> None:
        self.same_threshold = same_threshold
        self.similar_threshold = similar_threshold
        self._claims: dict[int, _Claim] = {}
        self._postings: dict[str, dict[int, float]] = {}
        self._lock = threading.Lock()

    # -- mutation -------------------------------------------------------------------------

    def add(self, claim_id: int, text: str) -> None:
        """Index ``text`` under ``claim_id``, replacing any earlier text with that id."""
        claim = _analyse(text)
        weights = _bm25_weights(claim)
        with self._lock:
            self._insert(claim_id, claim, weights)

    def add_many(self, items: Iterable[tuple[int, str]], *, normalized: bool = False) -> None:
        """Index many claims; normalisation runs outside the lock, insertion in one go.

        ``normalized=True`` says the texts already are ``normalize_claim`` output (the database
        stores it for every claim), which skips the costliest step: loading 100,000 claims at
        startup is then several times faster. ``normalize_claim`` is idempotent, so the index is
        the same either way.

        The cyclic garbage collector is paused meanwhile: loading 100,000 claims allocates a
        few hundred thousand small containers, and repeated full collections over them made
        the load ~30% slower. None of these objects form cycles.
        """
        paused = gc.isenabled()
        if paused:
            gc.disable()
        try:
            analyse = _features if normalized else _analyse
            prepared = [(cid, analyse(text)) for cid, text in items]
            rows = [(cid, claim, _bm25_weights(claim)) for cid, claim in prepared]
        finally:
            if paused:
                gc.enable()
        with self._lock:
            for cid, claim, weights in rows:
                self._insert(cid, claim, weights)

    def remove(self, claim_id: int) -> None:
        """Forget ``claim_id``; unknown ids are ignored."""
        with self._lock:
            self._delete(claim_id)

    def _insert(self, claim_id: int, claim: _Claim, weights: dict[str, float]) -> None:
        self._delete(claim_id)
        self._claims[claim_id] = claim
        postings = self._postings
        for term, weight in weights.items():
            posting = postings.get(term)
            if posting is None:
                postings[term] = {claim_id: weight}
            else:
                posting[claim_id] = weight

    def _delete(self, claim_id: int) -> None:
        claim = self._claims.pop(claim_id, None)
        if claim is None:
            return
        for term in claim.terms:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(claim_id, None)
                if not posting:
                    del self._postings[term]

    # -- queries --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._claims

    def best_matches(self, text: str, *, limit: int = 5) -> list[Match]:
        """The ``limit`` best-ranked claims, best first, whatever their score."""
        query = _analyse(text)
        with self._lock:
            return self._rank(query, limit)

    def find(self, text: str) -> tuple[Match | None, list[Match]]:
        """The same claim (if any) and up to three similar, not-same claims above the threshold.

        The "same" match is the best-ranked candidate flagged ``same``: a higher-scoring
        candidate with another figure ("rose to 7%" for "rose to 5%") does not hide it.
        """
        matches = self.best_matches(text, limit=_MAX_SIMILAR + 2)
        same = next((m for m in matches if m.same), None)
        similar = [
            m for m in matches if m is not same and not m.same and m.score >= self.similar_threshold
        ]
        return same, similar[:_MAX_SIMILAR]

    def _rank(self, query: _Claim, limit: int) -> list[Match]:
        if limit <= 0 or not self._claims:
            return []
        idf = self._idf_table(query.terms)
        query_mass = sum(idf.values())
        candidates = self._prefilter(query.terms, idf)
        scored = [self._score(query, query_mass, idf, cid) for cid in candidates]
        return heapq.nlargest(limit, scored, key=lambda m: (m.score, -m.claim_id))

    def _idf(self, term: str) -> float:
        # The prior documents keep weights stable while the archive is small: with 3 claims,
        # plain BM25 IDF would make any word the claims share nearly worthless.
        n = len(self._claims) + _IDF_PRIOR_DOCS
        df = len(self._postings.get(term, ()))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _idf_table(self, terms: Iterable[str]) -> dict[str, float]:
        return {term: self._idf(term) for term in terms}

    def _prefilter(self, terms: frozenset[str], idf: dict[str, float]) -> list[int]:
        """BM25 over the rarest query terms first, within a posting budget."""
        postings = self._postings
        present = sorted((t for t in terms if t in postings), key=lambda t: len(postings[t]))
        scores: dict[int, float] = {}
        walked = 0
        for term in present:
            posting = postings[term]
            if walked and walked + len(posting) > _POSTING_BUDGET:
                break
            walked += len(posting)
            weight = idf[term]
            get = scores.get
            for cid, tf_weight in posting.items():
                scores[cid] = get(cid, 0.0) + weight * tf_weight
        if not scores:
            return []
        best = heapq.nlargest(_CANDIDATES, scores.items(), key=itemgetter(1))
        return [cid for cid, _ in best]

    def _score(
        self, query: _Claim, query_mass: float, idf: dict[str, float], claim_id: int
    ) -> Match:
        claim = self._claims[claim_id]
        dice = self._idf_dice(query, query_mass, claim, idf)
        sort_ratio = fuzz.token_sort_ratio(query.text, claim.text) / 100.0
        score = round(100.0 * (W_IDF * dice + (1.0 - W_IDF) * sort_ratio), 2)
        same = score >= self.same_threshold and _conflict(query, claim) is None
        return Match(claim_id=claim_id, score=score, same=same)

    def _idf_dice(
        self, query: _Claim, query_mass: float, claim: _Claim, idf: dict[str, float]
    ) -> float:
        """IDF-weighted Dice overlap; ``idf`` starts with the query terms and caches the rest."""
        claim_mass = 0.0
        shared_mass = 0.0
        query_terms = query.terms
        for term in claim.terms:
            weight = idf.get(term)
            if weight is None:
                weight = idf[term] = self._idf(term)
            claim_mass += weight
            if term in query_terms:
                shared_mass += weight
        total = query_mass + claim_mass
        return 2.0 * shared_mass / total if total else 0.0


# -- the "same claim" decision of the hybrid archive ---------------------------------------------
#
# The archive (services/archive.py) retrieves candidates by words and by meaning; this decides
# which candidate is the *same* claim, and says why a close one is not. Rule, calibrated by
# bench/matching_sets.py on a restatement set and a near-miss set (figure, negation, place,
# direction, actor):
#
#   same  =  no veto  AND  (cosine >= SAME_COSINE  OR  (cosine >= SAME_COSINE_WITH_WORDS AND
#            (word overlap >= SAME_WORD_OVERLAP or a shared figure) AND not a word swap))
#
# A word swap: at least SWAP_WORD_OVERLAP of the words shared and some swapped on both sides; at
# a middling cosine that is another statement about the same topic ("short of nurses" / "of
# beds"), while a real rewording changes most words (low overlap) or keeps the cosine high.
#
# Cosine alone cannot decide: MiniLM puts "crime increased" / "crime decreased" at 0.87 and a
# swapped actor at 0.85, above some true restatements (0.77). The vetoes catch those; the cosine
# and the word overlap make sure that what remains is about the same thing. Words are compared
# stemmed (tantivy's Snowball stemmer: "savings" / "saved"); acronyms that the other claim spells
# out are compared spelled out (see compare_claims).
#
# SAME_WORD_OVERLAP was 0.3 until measured on real pairs: the top-5 candidates of the CheckThat!
# 2021-2B train+dev queries (debate sentences against PolitiFact claims) had 102 "same", 74 of
# them gold pairs; the rest included "Obamacare has broken our health care system" / "costs are
# going down because of Obamacare" (cosine 0.70, one shared word of three). At 0.5: 88 "same",
# 71 gold (the gold labels are incomplete: some others are true restatements). The restatement
# and near-miss sets do not move (bench/matching_sets.py).

SAME_COSINE = 0.85
SAME_COSINE_WITH_WORDS = 0.68
SAME_WORD_OVERLAP = 0.5
SWAP_WORD_OVERLAP = 0.5

_TOKEN_RE = re.compile(r"[^\W\d_][\w'’.-]*|[.!?:;\"“”]")
_SENTENCE_END = frozenset('.!?:;"“”')
_NOT_NAMES = _words(
    """i january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday mr mrs ms dr sen rep gov pres
    president senator governor congressman congresswoman"""
)


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """English words as a dictionary writes them (web2 list of the ``english-words`` package):
    common words in lower case, proper nouns capitalised. A sentence's first word is a name only
    if it is not a common word. Loaded once (0.1 s); :func:`warm_up` does it ahead of time."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False, alpha=True))


def warm_up() -> None:
    """Load what the first comparison would otherwise load (for a process that is starting)."""
    _dictionary()
    _stemmer()


def _is_common(word: str) -> bool:
    """A word the dictionary writes in lower case (in some inflection): "Sugar", "Kids" at the
    start of a sentence; "Clinton", which it only writes capitalised, is not."""
    words = _dictionary()
    w = word.lower()
    stems = (w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w)
    return any(s in words for s in stems) or (w.endswith("ies") and w[:-3] + "y" in words)


@dataclass(frozen=True, slots=True)
class _Names:
    """Capitalised names in a claim's original text, in order of appearance (lower-cased)."""

    order: tuple[str, ...]
    shown: dict[str, str]  # lower -> as written
    runs: tuple[tuple[str, ...], ...]  # consecutive capitalised words, for acronyms
    first: str | None  # the sentence's capitalised first word, when it was not taken as a name


@lru_cache(maxsize=4096)
def _normalized_word(word: str) -> str:
    return normalize_claim(word)


@lru_cache(maxsize=8192)
def _lower_words(text: str) -> frozenset[str]:
    """The words a text writes in lower case (so: not names)."""
    return frozenset(t for t in _TOKEN_RE.findall(text) if t.islower())


@lru_cache(maxsize=8192)
def _names(text: str, other_lowercase: frozenset[str]) -> _Names:
    """People and organisations: capitalised words that are not places or sentence furniture.

    A sentence's first word is capitalised anyway: it counts only when it is not a common
    English word and the other claim does not write it in lower case ("Crime rose" / "violent
    crime rose"). Acronyms (WHO, CDC) are names even when they spell a common word.
    """
    order: list[str] = []
    shown: dict[str, str] = {}
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    first: str | None = None
    initial = True
    for token in _TOKEN_RE.findall(text):
        if token in _SENTENCE_END:
            initial = True
            if run:
                runs.append(tuple(run))
                run = []
            continue
        word = token.strip(".'’-")
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        lower = word.lower()
        acronym = len(word) > 1 and word.isupper() and word.isalpha()
        capital = word[:1].isupper()
        furniture = initial and (lower in other_lowercase or _is_common(word))
        proper = acronym or (
            capital
            and len(word) > 1
            and lower not in _STOPWORDS
            and lower not in _NEGATIONS
            and not furniture
        )
        name = (
            proper
            and lower not in _NOT_NAMES
            and lower not in _PLACES
            and _normalized_word(word) not in _PLACES
        )
        if initial and capital and not proper and lower not in _STOPWORDS:
            first = lower
        initial = False
        if name and lower not in shown:
            order.append(lower)
            shown[lower] = word
        if proper:
            run.append(lower)
        elif run:
            runs.append(tuple(run))
            run = []
    if run:
        runs.append(tuple(run))
    return _Names(order=tuple(order), shown=shown, runs=tuple(runs), first=first)


def _with_first(names: _Names, other: _Names, text: str) -> _Names:
    """Take the first word as a name after all when the other claim opens with a name in its
    place: "Trump signed…" against "Biden signed…" ("trump" is also a common word)."""
    if (
        names.first is None
        or names.first in _NEGATIONS
        or not other.order
        or names.first in other.shown
    ):
        return names
    other_first = _TOKEN_RE.findall(text)
    if not other_first or other_first[0].lower() != other.order[0]:
        return names
    shown = {names.first: names.first.capitalize(), **names.shown}
    return _Names(order=(names.first, *names.order), shown=shown, runs=names.runs, first=None)


def _acronym_of(acronym: str, runs: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """The run of capitalised words whose initials spell (the start of) ``acronym``:
    NYC = New York City, ISIS ~ Islamic State."""
    for run in runs:
        initials = "".join(w[0] for w in run)
        if len(initials) >= 2 and (acronym == initials or acronym.startswith(initials)):
            return run
    return None


def _name_difference(a: _Names, b: _Names) -> tuple[list[str], list[str]]:
    """Names only in ``a`` and only in ``b``, after matching acronyms to their spelled-out form."""

    def plain(name: str) -> str:
        return name[:-1] if name.endswith("s") and len(name) > 3 else name

    a_plain = {plain(n) for n in a.order}
    b_plain = {plain(n) for n in b.order}
    only_a = [n for n in a.order if plain(n) not in b_plain]
    only_b = [n for n in b.order if plain(n) not in a_plain]
    for mine, theirs, other in ((only_a, only_b, b), (only_b, only_a, a)):
        for name in list(mine):
            if name.isalpha() and len(name) <= 6:
                run = _acronym_of(name, other.runs)
                if run is not None:
                    mine.remove(name)
                    for word in run:
                        if word in theirs:
                            theirs.remove(word)
    return only_a, only_b


_RATIO_RE = re.compile(r"\b(\d{1,2}) (?:in|out of) (\d{1,3})\b")
_FRACTIONS = (
    (re.compile(r"\b(?:a|1) half\b|\bhalf\b"), "50 percent"),
    (re.compile(r"\b(?:a|1) third\b"), "33 percent"),
    (re.compile(r"\b2 thirds\b"), "67 percent"),
    (re.compile(r"\b(?:a|1) quarter\b"), "25 percent"),
    (re.compile(r"\b3 quarters\b"), "75 percent"),
)


def _ratio(match: re.Match[str]) -> str:
    part, whole = int(match.group(1)), int(match.group(2))
    if not 0 < part < whole:
        return match.group(0)
    return f"{round(100 * part / whole)} percent"


# "is short of nurses" says what "lacks nurses" says: both count as the lack that "has" denies.
_SHORT_OF_RE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|remains?|run|runs|ran|fall|falls|fell)?"
    r" ?short of\b"
)


@lru_cache(maxsize=8192)
def _compared(text: str) -> _Claim:
    """Features for comparing two claims: the stored normal form, with shares written as
    percentages ("half", "one in three", "a quarter" -> 50, 33, 25 percent) so that a share
    written in words and in figures is one figure, and "short of" written as "lacking" (a lack,
    like "lacks"). (Kept out of ``normalize_claim``, whose output is stored for every claim.)"""
    normalized = normalize_claim(text)
    if "half" in normalized or "third" in normalized or "quarter" in normalized:
        for pattern, share in _FRACTIONS:
            normalized = pattern.sub(share, normalized)
    if " in " in normalized or " out of " in normalized:
        normalized = _RATIO_RE.sub(_ratio, normalized)
    if " short of " in normalized:
        normalized = _SHORT_OF_RE.sub("lacking", normalized)
    return _features(normalized)


@dataclass(frozen=True, slots=True)
class Comparison:
    """How an archived claim relates to a new one, in words a reviewer reads on the card."""

    same: bool
    score: float  # 0..100, the ranking score shown to the reviewer
    agrees: tuple[str, ...]  # "same figure: 8000", "same place: syria"
    differs: tuple[str, ...]  # "13 → 31", "another place: Iraq / Syria"


@lru_cache(maxsize=1)
def _stemmer() -> tantivy.TextAnalyzer:
    """The Snowball English stemmer that the word index uses (tantivy's), for single words."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """ "savings" / "saved" -> "save": a word and its inflections count as one shared word."""
    stems = _stemmer().analyze(word)
    return stems[0] if stems else word


def _content(normalized: str) -> set[str]:
    """Content words (stop words dropped), stemmed."""
    return set(_content_words(normalized))


@lru_cache(maxsize=8192)
def _content_words(normalized: str) -> dict[str, str]:
    """Content words by their stem (stop words dropped): stem -> the word as written."""
    return {_stem(w): w for w in normalized.split() if w not in _STOPWORDS}


def word_overlap(a_normalized: str, b_normalized: str) -> float:
    """Shared content words over the shorter claim's (stemmed): 0..1."""
    a, b = _content(a_normalized), _content(b_normalized)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


_ACRONYM_RE = re.compile(r"\b[A-Z]{2,6}\b")
# Capitalised words, with the small words an organisation's name keeps inside it.
_SPELLED_RE = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:(?:of|for|and|the)\s+)?[A-Z][\w'’-]*)+")
_NAME_JOINERS = frozenset({"of", "for", "and", "the"})


def _spelled_out(acronym: str, text: str) -> str | None:
    """The capitalised words of ``text`` whose initials spell ``acronym`` ("National Health
    Service" for NHS; "Islamic State" for ISIS, whose initials start it), as written."""
    for match in _SPELLED_RE.finditer(text):
        words = match.group(0).split()
        # Try every start inside the run: "The National Health Service" starts with "The".
        for start in range(len(words) - 1):
            part = words[start:]
            initials = "".join(w[0] for w in part if w.lower() not in _NAME_JOINERS)
            if len(initials) < 2 or part[0].lower() in _NAME_JOINERS:
                continue
            for end in range(len(part), 1, -1):
                if part[end - 1].lower() in _NAME_JOINERS:
                    continue
                head = "".join(w[0] for w in part[:end] if w.lower() not in _NAME_JOINERS)
                if head == acronym or (
                    len(head) >= 2 and acronym.startswith(head) and end == len(part)
                ):
                    return " ".join(part[:end])
    return None


def spell_out_acronyms(query: str, archived: str) -> tuple[str, str] | None:
    """Both claims with every acronym that the other claim spells out written in full ("The NHS
    is short of…" / "The National Health Service lacks…"), or None when there is none.

    The alias comes from the pair itself, as an abbreviation is defined in running text: no list
    to keep up, and only what the other claim really spells out is expanded.
    """
    texts = [query, archived]
    changed = False
    for mine, other in ((0, 1), (1, 0)):
        for acronym in set(_ACRONYM_RE.findall(texts[mine])):
            if re.search(rf"\b{acronym}\b", texts[other]):
                continue
            full = _spelled_out(acronym, texts[other])
            if full is not None:
                texts[mine] = re.sub(rf"\b{acronym}\b", full, texts[mine])
                changed = True
    return (texts[0], texts[1]) if changed else None


def compare_claims(
    query: str,
    archived: str,
    *,
    cosine: float | None,
    lexical: float = 0.0,
    encode: Callable[[list[str]], Vectors] | None = None,
) -> Comparison:
    """Decide whether ``archived`` is the same claim as ``query`` and explain the difference.

    ``cosine`` is the embeddings' cosine (None when the archived claim has no vector: then the
    claim can be "similar" but never "same"); ``lexical`` the BM25 score relative to the query's
    best, used for the ranking score only.

    When one claim writes as an acronym what the other spells out, the two are compared written
    alike (:func:`spell_out_acronyms`), so that "CDC" is not another organisation than "Centers
    for Disease Control". ``encode`` (texts -> unit vectors): if then nothing but the meaning
    keeps them apart, the two are embedded once more written alike and that cosine decides
    (MiniLM puts "The NHS is short of 40,000 nurses" and "The National Health Service lacks
    40,000 nurses" at 0.64, written alike at 0.81). That costs one encoding of two sentences
    (~3 ms), for such a pair only.
    """
    result = _compare(query, archived, cosine=cosine, lexical=lexical)
    if result.same or cosine is None:
        return result
    aligned = spell_out_acronyms(query, archived)
    if aligned is None:
        return result
    result = _compare(*aligned, cosine=cosine, lexical=lexical)
    vetoed = any(not d.startswith("other words") for d in result.differs)
    if result.same or vetoed or encode is None:
        return result
    vectors = encode(list(aligned))
    again = float(vectors[0] @ vectors[1])
    if again <= cosine:
        return result
    return _compare(*aligned, cosine=again, lexical=lexical)


def _compare(query: str, archived: str, *, cosine: float | None, lexical: float) -> Comparison:
    """:func:`compare_claims` for one cosine."""
    qa, ca = _compared(query), _compared(archived)
    differs: list[str] = []
    agrees: list[str] = []
    if qa.figures != ca.figures:
        old = " ".join(sorted(ca.figures - qa.figures)) or "—"
        new = " ".join(sorted(qa.figures - ca.figures)) or "—"
        differs.append(f"{old} → {new}")
    elif qa.figures:
        agrees.append("same figures: " + ", ".join(sorted(qa.figures)))
    turned = _turned_comparison(qa.text, ca.text)
    q_negations, c_negations, q_poles, c_poles = qa.negations, ca.negations, qa.poles, ca.poles
    if turned is not None:
        q_cmp, c_cmp, consistent = turned
        if consistent:
            # "A emits more than B" / "B emits less than A"; "no A has more than B" / "B has more
            # than any A": the comparison is the same, turned around.
            agrees.append("the same comparison, turned around")
            q_poles, c_poles = q_poles - q_cmp.poles, c_poles - c_cmp.poles
            q_negations -= q_cmp.denied
            c_negations -= c_cmp.denied
    if q_negations != c_negations:
        differs.append("one of them is negated")
    if _opposite_poles(q_poles, c_poles):
        words_q = [w for w in qa.text.split() if _on_poles(w, q_poles - c_poles)]
        words_c = [w for w in ca.text.split() if _on_poles(w, c_poles - q_poles)]
        differs.append(f"opposite: {' '.join(words_c) or '—'} / {' '.join(words_q) or '—'}")
    if (qa.places - ca.places) and (ca.places - qa.places):
        differs.append(
            f"another place: {', '.join(sorted(ca.places - qa.places))} / "
            f"{', '.join(sorted(qa.places - ca.places))}"
        )
    elif qa.places & ca.places:
        agrees.append("same place: " + ", ".join(sorted(qa.places & ca.places)))
    _compare_names(query, archived, qa, ca, agrees, differs)
    other_term = _other_term(qa.text, ca.text)
    if other_term is not None:
        differs.append(f"compared with: {other_term[1]} / {other_term[0]}")
    roles_named = any(d.startswith("roles swapped") for d in differs)
    if turned is not None and not turned[2] and not roles_named:
        q_cmp, c_cmp, _ = turned
        differs.append(f"roles swapped: {_subject(c_cmp, q_cmp)} / {_subject(q_cmp, c_cmp)}")
    agreeing = _meaning_agrees(qa, ca, cosine, differs)
    if cosine is not None:
        agrees.append(f"meaning {cosine:.2f}")
    score = 100.0 * (0.2 * lexical + 0.8 * cosine) if cosine is not None else 100.0 * lexical
    return Comparison(
        same=agreeing and not differs,
        score=round(max(0.0, min(100.0, score)), 1),
        agrees=tuple(agrees),
        differs=tuple(differs),
    )


def _compare_names(
    query: str, archived: str, qa: _Claim, ca: _Claim, agrees: list[str], differs: list[str]
) -> None:
    """People and organisations: another one, or the same ones in swapped roles."""
    qn = _names(query, _lower_words(archived))
    cn = _names(archived, _lower_words(query))
    qn, cn = _with_first(qn, cn, archived), _with_first(cn, qn, query)
    only_q, only_c = _name_difference(qn, cn)
    if only_q and only_c:
        differs.append(
            f"another person: {', '.join(cn.shown[n] for n in only_c)} / "
            f"{', '.join(qn.shown[n] for n in only_q)}"
        )
        return
    shared = [n for n in qn.order if n in cn.shown]
    passive = ("by" in qa.text.split()) != ("by" in ca.text.split())
    turned = any(a.startswith("the same comparison") for a in agrees)
    reordered = shared != [n for n in cn.order if n in qn.shown]
    if len(shared) >= 2 and not passive and not turned and reordered:
        differs.append("roles swapped: " + " / ".join(qn.shown[n] for n in shared))
        return
    if shared:
        agrees.append("same names: " + ", ".join(qn.shown[n] for n in shared))


def _meaning_agrees(qa: _Claim, ca: _Claim, cosine: float | None, differs: list[str]) -> bool:
    """The calibrated agreement of meaning and words (see the rule above SAME_COSINE); names
    the swapped words when they are what keeps two claims apart."""
    if cosine is None:
        return False
    q_words, c_words = _content_words(qa.text), _content_words(ca.text)
    shared = q_words.keys() & c_words.keys()
    only_q, only_c = q_words.keys() - shared, c_words.keys() - shared
    overlap = len(shared) / min(len(q_words), len(c_words)) if q_words and c_words else 0.0
    # A shared figure is strong evidence of the same claim (the vetoes already made sure that no
    # figure differs), as strong as shared words.
    related = overlap >= SAME_WORD_OVERLAP or bool(qa.figures)
    # Mostly the same words, a few swapped, and only a middling cosine: the swapped words carry
    # a different statement ("…short of 40,000 nurses" / "…beds"), not a rewording.
    swapped = overlap >= SWAP_WORD_OVERLAP and bool(only_q) and bool(only_c)
    agreeing = cosine >= SAME_COSINE or (
        cosine >= SAME_COSINE_WITH_WORDS and related and not swapped
    )
    if not agreeing and swapped and not differs:
        differs.append(
            f"other words: {', '.join(sorted(c_words[w] for w in only_c))} / "
            f"{', '.join(sorted(q_words[w] for w in only_q))}"
        )
    return agreeing


@dataclass(frozen=True, slots=True)
class _Comparative:
    """ "<subject> … more/less … than <other>" in a claim."""

    pole: tuple[str, int]  # the comparative word's pole: ("direction", 1) for "more"
    poles: frozenset[tuple[str, int]]  # every pole of the comparative words ("more expensive")
    subject: tuple[str, ...]  # content words before the comparative, as written
    before: frozenset[str]  # their stems, less those also after "than"
    after: frozenset[str]  # stems after "than", less those also before
    denied: bool  # "no <subject> … more … than": the subject is denied
    written: dict[str, str]  # stem -> word as written, for explanations

    def terms(self, stems: frozenset[str]) -> list[str]:
        return [self.written.get(s, s) for s in stems]


_DENIALS = frozenset({"no", "none", "nobody", "neither"})


@lru_cache(maxsize=8192)
def _comparative(normalized: str) -> _Comparative | None:
    """The comparison a claim makes, when it makes one between two things (not "more than
    100", a quantity)."""
    words = normalized.split()
    if "than" not in words:
        return None
    than = words.index("than")
    rest = words[than + 1 :]
    if not rest or rest[0][0].isdigit():
        return None
    at = next((i for i in range(than - 1, -1, -1) if _comparing(words[i])), None)
    if at is None:
        return None
    pole = _comparing(words[at])
    assert pole is not None
    poles = set(_POLES[words[at]])
    if at and words[at - 1] in ("more", "less") and pole[0] != "direction":
        # "more expensive" is "expensive" as a comparison; "less expensive" turns it over.
        at -= 1
        pole = (pole[0], pole[1] * (1 if words[at] == "more" else -1))
        poles.update(_POLES[words[at]])
    subject = [w for w in words[:at] if w not in _STOPWORDS and w not in _NEGATIONS]
    before = {_stem(w) for w in subject}
    after = {_stem(w) for w in rest if w not in _STOPWORDS and w not in _NEGATIONS}
    return _Comparative(
        pole=pole,
        poles=frozenset(poles),
        subject=tuple(subject),
        before=frozenset(before - after),
        after=frozenset(after - before),
        denied=any(w in _DENIALS for w in words[:at]),
        written={_stem(w): w for w in words},
    )


def _comparing(word: str) -> tuple[str, int] | None:
    """The pole of a word that can make a comparison ("more", "fewer", "cheaper")."""
    return next((p for p in _POLES.get(word, ()) if p[0] in ("direction", "cost")), None)


def _subject(mine: _Comparative, other: _Comparative) -> str:
    """The words of a comparison's subject that the other comparison's subject lacks."""
    words = [w for w in mine.subject if _stem(w) not in other.before]
    return " ".join(words or mine.subject) or "—"


def _other_term(q_text: str, c_text: str) -> tuple[str, str] | None:
    """The same subject compared with another thing ("coal is dearer than wind power" / "…than
    nuclear power"): what each claim compares it with, or None."""
    q, c = _comparative(q_text), _comparative(c_text)
    if q is None or c is None or not q.before & c.before or q.after & c.before:
        return None
    only_q, only_c = q.after - c.after, c.after - q.after
    if not only_q or not only_c:
        return None
    return " ".join(sorted(q.terms(only_q))), " ".join(sorted(c.terms(only_c)))


def _turned_comparison(q_text: str, c_text: str) -> tuple[_Comparative, _Comparative, bool] | None:
    """Two comparisons of the same two things, one turned around ("A … than B" / "B … than
    A"), and whether they still say the same: yes when exactly one of "the direction flipped"
    (more / less) and "one denies its subject" (no A … than B) holds."""
    q, c = _comparative(q_text), _comparative(c_text)
    if q is None or c is None:
        return None
    # What the subject is compared with crosses over; the verb, the object and a tail that both
    # share ("…, the report claims") stay put.
    q_before, c_before = q.before - c.before, c.before - q.before
    q_after, c_after = q.after - c.after, c.after - q.after
    swapped = bool(q_before & c_after) and bool(q_after & c_before)
    if not swapped or q.pole[0] != c.pole[0]:
        return None
    flipped = q.pole[1] != c.pole[1]
    return q, c, flipped != (q.denied != c.denied)
