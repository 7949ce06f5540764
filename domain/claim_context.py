"""Make a claim stand on its own, and say who made it.

A sentence such as "Six of the adults are now facing criminal charges." or "It comes just days
after…" means nothing without the sentence before it. :func:`standalone` resolves the reference
where one plain rule can ("Six of the adults [the US took back] are now facing…", "He [Anthony
Marrone] said…") and otherwise joins the previous sentence. :func:`claimant_of` finds who is
quoted ("X said", "according to X", "X told ABC News"; a few French, Spanish, German, Italian
and Portuguese forms). Both are rules, not a parser: they answer None or leave the sentence
alone when unsure, so the reviewer never sees an invented antecedent.
"""

from __future__ import annotations

import re

__all__ = ["claimant_of", "leans_on_previous", "standalone"]

# A joined claim longer than this is harder to read than the bare sentence.
MAX_JOINED_WORDS = 70
MAX_CLAIMANT_WORDS = 8
MAX_ANTECEDENT_WORDS = 8


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


_PRONOUN_START_RE = re.compile(
    r"^(?:It|It's|It’s|Its|This|That|These|Those|They|Their|Them|He|She|His|Her|Such)\b"
)
# "It is impossible to…", "It was estimated that…": the "it" points forward, not back.
_DUMMY_IT_RE = re.compile(
    r"^It(?:'s|’s| is| was| has been| had been| will be| would be| remains| seems)"
    r"(?: not)? (?:\w+ ){0,2}?(?:to|that|whether|unclear|unknown)\b"
)
# "This year…", "That week…": a time, not a reference.
_TIME_DETERMINER_RE = re.compile(
    r"^(?:This|That|These|Those) (?:year|week|month|morning|afternoon|evening|summer|winter|"
    r"spring|autumn|fall|season|quarter|time|weekend|decade|century|past|coming)\b",
)
_PARTITIVE_RE = re.compile(
    r"^(?P<quantity>[A-Z][a-z]+|\d[\d,.]*|[A-Z][a-z]+ (?:of|in) [a-z]+)"
    r" of (?:the|those|these|them)(?: (?P<noun>[a-z]+))?\b"
)
_PERSON_PRONOUN_RE = re.compile(r"^(?P<pronoun>He|She)\b")
_NUMBER_WORD_RE = re.compile(
    r"^(?:\d[\d,.]*|a|an|about|around|some|nearly|almost|at|least|more|than|over|up|to|"
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|thousand|thousands|dozen|dozens|million|[a-z]+-[a-z]+)$",
)
_TIME_LEAD_RE = re.compile(r"^(?:On|In|Last|Earlier|Late|By) [^,]{1,30}, ")

_SAID = (
    r"said|says|told|added|stated|announced|reported|wrote|writes|warned|noted|estimated|"
    r"explained|confirmed|claimed|argued|testified|insisted|acknowledged|tweeted|posted|"
    r"a déclaré|a dit|a affirmé|a indiqué|a annoncé|a précisé|a expliqué|"
    r"dijo|afirmó|aseguró|señaló|explicó|indicó|declaró|añadió|"
    r"sagte|erklärte|betonte|teilte|disse|ha dichiarato|ha detto|afirmou|declarou"
)
_SAID_RE = re.compile(rf"(?<![\w-])(?:{_SAID})(?![\w-])")
_ACCORDING_RE = re.compile(
    r"(?:\b[Aa]ccording to|\b[Ss]elon|\b[Dd]’après|\b[Dd]'après|\b[Ss]egún|\b[Ll]aut|"
    r"\b[Ss]econdo|\b[Ss]egundo) (?P<who>[^,.;:\"“”()]+)"
)
_INVERTED_RE = re.compile(
    rf"[,\"”»]\s*(?:{_SAID}) (?P<who>(?:[A-Z][\w.'’-]*)(?: (?:[A-Z][\w.'’-]*|de|da|van|von|al))*)"
)
_CLAUSE_BREAK_RE = re.compile(r"[,;:\"“”«»—–()]|\bthat\b|\band\b")
# "X said on Tuesday", "X said at a news conference": the time or place, not the speaker.
_TRAILING_TIME_RE = re.compile(
    r"\s+(?:on|last|this|late|early|earlier|in|at|during)\s+(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|week|month|year|day|night|morning|afternoon|evening|"
    r"(?:a|an|the|its|his|her|their) (?:[\w-]+ )?(?:conference|briefing|statement|interview|"
    r"post|speech|report|letter|hearing|release))\b.*$"
)
_PRONOUNS = _words(
    "he she they it we i you this that there who which il elle ils elles él ella ellos ellas "
    "er sie es lui lei"
)
_ARTICLES = _words("the a an le la les l' el los las der die das den il lo gli o os as")
# Lower-case speakers worth naming ("fire officials said", "police said").
_ROLE_NOUNS = _words(
    "officials official police authorities experts analysts economists investigators "
    "prosecutors witnesses residents sources spokesperson spokesman spokeswoman researchers "
    "scientists doctors lawmakers officers firefighters organizers organisers critics "
    "statement data figures report study survey ministry office agency bureau department "
    "government company council commission court institute"
)


def leans_on_previous(sentence: str) -> bool:
    """True when the sentence starts with a reference to something said before it."""
    if _PARTITIVE_RE.match(sentence):
        return True
    if _DUMMY_IT_RE.match(sentence) or _TIME_DETERMINER_RE.match(sentence):
        return False
    return bool(_PRONOUN_START_RE.match(sentence))


def standalone(sentence: str, previous: str | None, *, previous_claimant: str | None = None) -> str:
    """The sentence as a claim that can be read alone (the sentence itself when it already can).

    ``previous`` is the sentence before it in the article, ``previous_claimant`` who was quoted
    there (the antecedent of a leading "He" or "She").
    """
    if previous is None or not leans_on_previous(sentence):
        return sentence
    partitive = _PARTITIVE_RE.match(sentence)
    if partitive and partitive.group("noun"):
        antecedent = _antecedent_clause(previous, partitive.group("noun"))
        if antecedent:
            end = partitive.end("noun")
            return f"{sentence[:end]} [{antecedent}]{sentence[end:]}"
    person = _PERSON_PRONOUN_RE.match(sentence)
    if person and previous_claimant and previous_claimant[0].isupper():
        end = person.end("pronoun")
        return f"{sentence[:end]} [{previous_claimant}]{sentence[end:]}"
    if len(previous.split()) + len(sentence.split()) > MAX_JOINED_WORDS:
        return sentence
    return f"{previous} {sentence}"


def _antecedent_clause(previous: str, noun: str) -> str | None:
    """Who or what brought ``noun`` in: "The US took back 40 adults…" gives "the US took back".

    The words of the previous sentence's clause up to the count in front of ``noun``, when that
    is a short subject-and-verb.
    """
    words = _TIME_LEAD_RE.sub("", previous).split()
    stems = {noun.lower(), noun.lower().rstrip("s")}
    for index, word in enumerate(words):
        if re.sub(r"\W", "", word).lower().rstrip("s") not in stems or index == 0:
            continue
        start = index
        while start > 0 and _NUMBER_WORD_RE.match(words[start - 1].lower()):
            start -= 1
        clause = words[:start]
        for cut, word_before in enumerate(clause):
            if word_before.endswith((",", ";", ":")):
                clause = clause[cut + 1 :]
        if not clause or start == index or len(clause) > MAX_ANTECEDENT_WORDS:
            return None
        text = " ".join(clause)
        first = clause[0]
        if first in {"The", "A", "An", "Its", "Their", "His", "Her"}:
            text = first.lower() + text[len(first) :]
        return text
    return None


def claimant_of(sentence: str, *, previous_claimant: str | None = None) -> str | None:
    """Who the sentence quotes or attributes its content to, if it says so plainly.

    A pronoun ("he said") stands for ``previous_claimant`` when there is one.
    """
    according = _ACCORDING_RE.search(sentence)
    if according:
        who = _tidy_claimant(according.group("who"), named=True)
        if who:
            return who
    inverted = _INVERTED_RE.search(sentence)
    if inverted:
        who = _tidy_claimant(inverted.group("who"))
        if who:
            return who
    for said in _SAID_RE.finditer(sentence):
        before = sentence[: said.start()].rstrip()
        pieces = _CLAUSE_BREAK_RE.split(before)
        candidate = pieces[-1].strip() if pieces else ""
        if candidate.lower() in _PRONOUNS:
            if previous_claimant and candidate.lower() in {"he", "she", "il", "elle", "él", "ella"}:
                return previous_claimant
            continue
        who = _tidy_claimant(candidate)
        if who:
            return who
    return None


def _tidy_claimant(raw: str, *, named: bool = False) -> str | None:
    """A speaker's name or role, or None when the words do not look like one.

    ``named``: the words follow "according to", so they are the source whatever they look like.
    """
    who = _TRAILING_TIME_RE.sub("", raw.strip()).strip(" .'’\"")
    words = who.split()
    if not words or len(words) > MAX_CLAIMANT_WORDS or any(c.isdigit() for c in who):
        return None
    if words[0].lower() in _PRONOUNS:
        return None
    if who[0].isupper() or named:
        return who
    if words[0] in _ARTICLES and len(words) > 1:
        if any(w[0].isupper() for w in words[1:]) or words[-1] in _ROLE_NOUNS:
            return who
        return None
    if len(words) <= 3 and words[-1] in _ROLE_NOUNS:
        return who
    return None
