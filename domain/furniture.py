"""Recognise page furniture around a news article's body.

Pasted or scraped articles carry bylines, photo credits, share bars, "related" lists, embedded
JSON-LD and video widgets and copyright footers. None of it is a claim a reviewer should see, and
some of it (credits, bylines) is rich in the names and dates that make a sentence look
check-worthy, so it has to go before scoring rather than be out-scored.
"""

from __future__ import annotations

import re

_AGENCIES = r"Reuters|AP|AFP|Bloomberg|dpa|UPI|CNN|BBC|Xinhua|TASS|ANSA|EFE|Kyodo|PTI|IANS|CP"

# "WASHINGTON (Reuters) - ", "NEW YORK, Jan 5 (Reuters) - ", "LONDON (AP) — ", "PARIS — ".
DATELINE_RE = re.compile(
    r"^\s*[A-Z][A-Z.'’\- ]{1,40}[A-Z.]"
    r"(?:,\s*[A-Z][A-Za-z.'’ ]{1,30}?)?"
    r"(?:,?\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2})?"
    r"\s*(?:\((?:" + _AGENCIES + r")\)\s*)?[-–—]+\s+"
)

_LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # Copyright and rights lines.
        r"©|\(c\)\s*\d{4}|^\s*copyright\b|all rights reserved",
        # Trust/standards boilerplate.
        r"^\s*our standards\b|trust principles",
        # "Related" blocks and recommendation widgets (a label, then a separator or nothing).
        r"^\s*(?:related(?: coverage| stories| articles| content| news| reading| topics)?|"
        r"you (?:may|might) also like|more from [\w ]{1,30}|more on this(?: story)?|"
        r"recommended(?: for you)?|read more|read next|see also|further reading|"
        r"most (?:read|popular|viewed)|trending(?: now)?|top stories|editor'?s picks|also read|"
        r"must read)\s*(?:[:\-–—|>»]|$)",
        r"^\s*(?:share|tweet|email|e-mail|print|facebook|twitter|x|linkedin|whatsapp|reddit|"
        r"copy link|save)(?:\s*[|/·•,]?\s*(?:share|tweet|email|e-mail|print|facebook|twitter|x|"
        r"linkedin|whatsapp|reddit|copy link|save))*\s*$",
        # Video and audio widgets.
        r"<\s*(?:iframe|video|embed|object|script)\b|\bwatch(?: the)? (?:video|live|now)\b|"
        r"^\s*(?:video|watch|listen|audio|play video|podcast)\s*[:|\-–—]|\bclick to play\b",
        # Bylines and credit lines.
        r"^\s*(?:additional )?(?:reporting|writing|editing|compiled|written|produced|graphics)"
        r"\s+by\b",
        r"\b(?:reporting|editing) by\b.*;",
        r"\bcontributed (?:to )?(?:this|reporting)\b",
        # Photo credits and captions.
        r"^\s*(?:photo|photograph|photos|image|picture|pictured|file photo|caption|credit|"
        r"photo credit|illustration)\s*[:|]",
        r"\((?:" + _AGENCIES + r")?\s*photo\b[^)]*\)",
        # A caption closed by its photographer's credit: "(Jose Luis Gonzalez/Reuters)".
        r"\([A-Z][^()/]{2,60}/(?:" + _AGENCIES + r"|Getty Images|ABC News|NBC News|CBS News)\)\s*$",
        r"\bgetty images\b|\bshutterstock\b|\bvia reuters\b",
        r"\b(?:REUTERS|AFP|AP|EPA|XINHUA)/[A-Z]",
        # Timestamps.
        r"^\s*(?:updated|published|last updated|posted|first published)\b.{0,60}$",
        r"^\s*\d{1,2}\s*min(?:ute)?s?\s+read\s*$",
        r"^\s*advertisement\s*$|^\s*sponsored\b|^\s*skip to (?:main )?content\b",
    )
)

# Calls to action only count on short lines: a body sentence may mention subscribers or apps.
_SHORT_LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bsign up\b|\bsubscribe (?:now|today|here|for|to (?:our|the))\b|^\s*subscribe\b|"
        r"\b(?:our|the|free|daily|weekly) [\w' ]{0,30}newsletter\b|\bdownload (?:our|the) app\b|"
        r"\bfollow us\b|\bclick here\b|\btap here\b|\bread more\b|\bshare (?:this|on)\b|"
        r"\bjoin the conversation\b|\bleave a comment\b|\bcomments? \(\d+\)",
    )
)
_SHORT_LINE_WORDS = 30
# Cheap substring test that must pass before the (slow, many-branched) patterns above run.
_SHORT_LINE_HINTS = (
    "sign up",
    "subscri",
    "newsletter",
    " app",
    "follow us",
    "click",
    "tap here",
    "read more",
    "share",
    "conversation",
    "comment",
)

# "By Jane Doe", "By Jane Doe and John Roe | Reuters": a short unpunctuated line.
_BYLINE_RE = re.compile(
    r"^\s*(?i:by|words by|story by)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})*\s*"
    r"(?:[|,/·•\-–—]\s*[\w .'’&/-]{0,60})?$",
)
_BYLINE_WORDS = 14

_CODE_CHARS_RE = re.compile(r"[{}\[\]<>=;|\\]")
_TAG_RE = re.compile(r"<[^>]{0,500}>")
_BLOCK_TAG_RE = re.compile(
    r"<\s*(script|style|iframe|noscript|video|object)\b[^>]*>.*?<\s*/\s*\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_JSON_START_RE = re.compile(r"\{\s*\"")
_INLINE_CREDIT_RE = re.compile(
    r"\s*\((?:(?:" + _AGENCIES + r")\s*)?(?:photo|file photo|video)\b[^)]*\)", re.IGNORECASE
)


def _json_end(text: str, start: int) -> int:
    """Index just past the JSON object opening at ``start``, or the end of its line if unbalanced.

    Brace-matching (string-aware) is needed because JSON-LD blobs span many lines and nest.
    """
    depth = 0
    in_string = False
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    newline = text.find("\n", start)
    return len(text) if newline == -1 else newline


def strip_embedded_code(text: str) -> str:
    """Remove script/iframe blocks, HTML tags and JSON objects (e.g. JSON-LD) from raw text."""
    text = _BLOCK_TAG_RE.sub("\n", text)
    text = _TAG_RE.sub(" ", text)
    pieces: list[str] = []
    position = 0
    for match in _JSON_START_RE.finditer(text):
        if match.start() < position:
            continue
        pieces.append(text[position : match.start()])
        position = _json_end(text, match.start())
        pieces.append("\n")
    pieces.append(text[position:])
    return "".join(pieces)


def _has_call_to_action(line: str) -> bool:
    lowered = line.lower()
    if not any(hint in lowered for hint in _SHORT_LINE_HINTS):
        return False
    return any(pattern.search(line) for pattern in _SHORT_LINE_PATTERNS)


def is_furniture_line(line: str) -> bool:
    """True for a whole line that belongs to the page around the article, not the article."""
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) >= 12 and len(_CODE_CHARS_RE.findall(stripped)) / len(stripped) > 0.08:
        return True
    if any(pattern.search(stripped) for pattern in _LINE_PATTERNS):
        return True
    n_words = len(stripped.split())
    if n_words <= _SHORT_LINE_WORDS and _has_call_to_action(stripped):
        return True
    return (
        n_words <= _BYLINE_WORDS
        and not stripped.endswith((".", "!", "?"))
        and _BYLINE_RE.match(stripped) is not None
    )


def strip_dateline(sentence: str) -> str:
    """Drop a leading wire dateline but keep the sentence it introduces."""
    match = DATELINE_RE.match(sentence)
    if match and len(sentence) - match.end() > 20:
        return sentence[match.end() :]
    return sentence


def strip_inline_credits(sentence: str) -> str:
    """Remove "(AP Photo/...)"-style credits left inside a paragraph."""
    return _INLINE_CREDIT_RE.sub("", sentence)
