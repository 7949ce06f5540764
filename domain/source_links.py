"""What counts as a usable source link, and whether a message is just a link.

Kept apart from fetching (`domain.links`) so that code which only checks links, such as the
archive import's worker processes, does not load the HTTP client and the article extractor.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_SINGLE_URL = re.compile(r"^\s*<?(https?://\S+?)>?\s*$", re.IGNORECASE)


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


__all__ = ["LinkError", "article_url", "check_source_link"]
