"""What counts as a usable source link, and whether a message is just a link.

Kept apart from fetching (`domain.links`) so that code which only checks links, such as the
archive import's worker processes, does not load the HTTP client and the article extractor.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_SINGLE_URL = re.compile(r"^\s*<?(https?://\S+?)>?\s*$", re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"<?((?:https?://|www\.)[^\s<>\"']+)", re.IGNORECASE)
# What people put around a link: "Source: …", "see … (page 3)", "via …", a closing bracket.
_TRAILING = ".,;:!?)]}»”’'\""
_LABEL = re.compile(r"^\s*(?:sources?|see(?: also)?|via|ref(?:erence)?s?|link)\s*[:\-–—]?\s*", re.I)
_CONNECTIVE = re.compile(r"^(?:(?:and|or|&|\+)\b\s*|[,;.]\s*)+", re.I)
MAX_SOURCES = 3
# A few words beside the links are a note on the verdict ("the report revises the figure").
NOTE_MIN_WORDS = 3
MAX_NOTE_CHARS = 500


class LinkError(ValueError):
    """A link that cannot be used; the message is written for the reviewer."""


def check_source_link(text: str) -> str:
    """The reviewer's reply as a source URL, or a LinkError saying what is wrong with it."""
    candidate = text.strip().strip("<>")
    if not candidate:
        raise LinkError("That message is empty.")
    if any(ch.isspace() for ch in candidate):
        raise LinkError("A source must be a single link, without spaces.")
    if "://" not in candidate and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", candidate):
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in {"http", "https"}:
        raise LinkError("A source link must start with http:// or https://.")
    host = parts.hostname or ""
    if not host or ("." not in host and not _is_ip(host)):
        raise LinkError("That link has no valid web address.")
    if len(candidate) > 2048:
        raise LinkError("That link is longer than 2,048 characters.")
    return candidate


@dataclass(frozen=True, slots=True)
class SourceReply:
    """What a reviewer's reply gave for a verdict: its links (at most three) and a note."""

    links: tuple[str, ...]
    note: str | None = None


def source_reply(text: str) -> SourceReply | None:
    """The links in a reply such as "Source: https://…" or "see https://… (page 3)".

    A reply of one word is taken as one link and checked strictly (LinkError says what is wrong,
    as before); in a sentence every http(s) or www. link counts, up to three, and the words left
    over, when there are a few, become the verdict's note. None: a sentence without any link.
    """
    stripped = text.strip()
    if stripped and not any(ch.isspace() for ch in stripped):
        return SourceReply((check_source_link(stripped.lstrip("([{").rstrip(_TRAILING)),))
    links: list[str] = []
    for match in _URL_IN_TEXT.finditer(text):
        candidate = match.group(1).rstrip(_TRAILING)
        if candidate.lower().startswith("www."):
            candidate = "https://" + candidate
        try:
            link = check_source_link(candidate)
        except LinkError:
            continue
        if link not in links:
            links.append(link)
    if not links:
        return None
    rest = _URL_IN_TEXT.sub(" ", text)
    rest = " ".join(_LABEL.sub("", part) for part in re.split(r"[\n;]+", rest))
    rest = " ".join(rest.replace("()", " ").split()).strip(" ,;:-–—")
    rest = _CONNECTIVE.sub("", rest).strip(" ,;:-–—")
    words = [w for w in re.split(r"\W+", rest) if w]
    note = rest[:MAX_NOTE_CHARS] if len(words) >= NOTE_MIN_WORDS else None
    return SourceReply(tuple(links[:MAX_SOURCES]), note)


def article_url(text: str) -> str | None:
    """The URL when a message is just a link (an article to fetch), else None."""
    match = _SINGLE_URL.match(text)
    return match.group(1) if match else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


__all__ = [
    "MAX_SOURCES",
    "LinkError",
    "SourceReply",
    "article_url",
    "check_source_link",
    "source_reply",
]
