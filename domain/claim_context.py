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

# Verbs that report speech whatever follows them ("Homan told ABC News…").
_SPEECH = (
    r"said|says|say|told|tells|stated|states|warned|testified|tweeted|insisted|argued|"
    r"a déclaré|a dit|a affirmé|a indiqué|a annoncé|a précisé|a expliqué|"
    r"dijo|afirmó|aseguró|señaló|explicó|indicó|declaró|añadió|informó|"
    r"sagte|erklärte|betonte|teilte|disse|ha dichiarato|ha detto|afirmou|declarou"
)
# Verbs that also report other things: "The U.S. economy added 200,000 jobs", "the company
# posted a loss", "the fire claimed 12 lives". They name a speaker only when what follows is
# speech ("Ford reported that…", "…, the ministry added.").
_AMBIGUOUS = (
    r"added|adds|reported|reports|posted|noted|notes|estimated|estimates|announced|announces|"
    r"confirmed|confirms|claimed|claims|wrote|writes|explained|acknowledged|admitted"
)
_VERB = rf"(?:{_SPEECH}|{_AMBIGUOUS})"
_SPEECH_RE = re.compile(rf"^(?:{_SPEECH})$")
_VERB_RE = re.compile(rf"(?<![\w-]){_VERB}(?![\w-])")
# What may follow an ambiguous verb for it to report speech: "that", a colon, comma or quote.
_SPEECH_FOLLOWS_RE = re.compile(
    r"^(?:\s+(?:on|last|this|in|at|late|early|earlier)(?:\s+[\w-]+){1,4}?)?\s*(?:that\b|[,:\"“«])"
)
_END = r"[.!]?[\"'”’»)]*$"
_ACCORDING_RE = re.compile(
    r"(?:\b[Aa]ccording to|\b[Ss]elon|\b[Dd]’après|\b[Dd]'après|\b[Ss]egún|\b[Ll]aut|"
    r"\b[Ss]econdo|\b[Ss]egundo) (?P<who>[^,.;:\"“”()]+)"
)
# A comma that is not inside a figure ("200,000"), or another clause break.
_SEPARATOR = r"(?:,(?!\d)|[;:\"“”«»—–(])"
# "…, the Labor Department said on Friday.": the reporting clause closes the sentence.
_CLOSING_CLAUSE_RE = re.compile(
    rf"(?:^|{_SEPARATOR})\s*(?P<who>[^,;:\"“”«»—–()]+?)\s+(?P<verb>{_VERB})"
    rf"(?P<tail>(?:\s+[^\s,;:\"“”«»]+){{0,8}}?){_END}"
)
_NAME = r"(?:[A-Z][\w.'’-]*|l'[A-Z][\w.'’-]*)(?: (?:[A-Z][\w.'’-]*|de|da|del|of|van|von|al))*"
# "…," said John Smith / "…, said the Labor Department": the verb before the speaker.
_INVERTED_RE = re.compile(rf"[,\"”»]\s*{_VERB} (?P<who>(?:(?:the|el|la|le|der|die) )?{_NAME})")
_CLAUSE_BREAK_RE = re.compile(r",(?!\d)|[;:\"“”«»—–()]|\bthat\b|\band\b")
# "X said on Tuesday", "X said at a news conference": the time or place, not the speaker.
_TRAILING_TIME_RE = re.compile(
    r"\s+(?:on|last|this|late|early|earlier|in|at|during)\s+(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|week|month|year|day|night|morning|afternoon|evening|"
    r"(?:a|an|the|its|his|her|their) (?:[\w-]+ )?(?:conference|briefing|statement|interview|"
    r"post|speech|report|letter|hearing|release))\b.*$"
)
# After an ambiguous verb closing the sentence, only a time or a channel may follow
# ("…, the ministry added on Friday." but not "The company reported a loss.").
_TIME_OR_CHANNEL_RE = re.compile(
    r"^(?:\s+(?:on|last|this|late|early|earlier|in|at|during|later|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|today|yesterday)\b.*)?$"
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

    The rules, first answer wins: "according to X"; a reporting clause that closes the
    sentence ("…, the Labor Department said on Friday.", "…, X told ABC News."); the verb
    before the speaker ("…," said X); the subject of the first reporting verb ("X said…",
    "X told reporters that…"). A pronoun ("he said") stands for ``previous_claimant``.
    """
    for rule in (_according_to, _closing_clause, _inverted, _subject_of_verb):
        who = rule(sentence, previous_claimant)
        if who:
            return who
    return None


def _according_to(sentence: str, previous_claimant: str | None) -> str | None:
    found = _ACCORDING_RE.search(sentence)
    return _tidy_claimant(found.group("who"), named=True) if found else None


def _closing_clause(sentence: str, previous_claimant: str | None) -> str | None:
    found = _CLOSING_CLAUSE_RE.search(sentence)
    if not found:
        return None
    tail = found.group("tail")
    if re.search(r"\bthat\b", tail):
        return None
    if not _SPEECH_RE.match(found.group("verb")) and not _TIME_OR_CHANNEL_RE.match(tail):
        return None
    return _speaker(found.group("who"), previous_claimant)


def _inverted(sentence: str, previous_claimant: str | None) -> str | None:
    found = _INVERTED_RE.search(sentence)
    return _tidy_claimant(found.group("who")) if found else None


def _subject_of_verb(sentence: str, previous_claimant: str | None) -> str | None:
    for verb in _VERB_RE.finditer(sentence):
        speech = _SPEECH_RE.match(verb.group())
        if not speech and not _SPEECH_FOLLOWS_RE.match(sentence[verb.end() :]):
            continue
        pieces = _CLAUSE_BREAK_RE.split(sentence[: verb.start()].rstrip())
        who = _speaker(pieces[-1] if pieces else "", previous_claimant)
        if who:
            return who
    return None


def _speaker(candidate: str, previous_claimant: str | None) -> str | None:
    """The words before a reporting verb as a speaker; "he"/"she" is the previous one."""
    candidate = candidate.strip()
    if candidate.lower() in _PRONOUNS:
        if candidate.lower() in {"he", "she", "il", "elle", "él", "ella"}:
            return previous_claimant
        return None
    return _tidy_claimant(candidate)


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
