"""Links: checking a reviewer's source link, and fetching an article from a link safely.

Fetching follows redirects one hop at a time and checks every hop's address, so a link cannot be
used to make the bot read a private network (the bot usually runs next to a database).
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
import trafilatura

from domain.source_links import LinkError, article_url, check_source_link

MAX_PAGE_BYTES = 5_000_000
MAX_REDIRECTS = 5
_USER_AGENT = "Factdesk/0.1 (fact-check review bot)"


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    url: str
    title: str | None
    text: str


class ArticleFetcher:
    """Downloads a page and extracts its main text with trafilatura."""

    def __init__(self, *, allow_private: bool = False, timeout: float = 15.0) -> None:
        self._allow_private = allow_private
        self._timeout = timeout

    async def fetch(self, url: str) -> FetchedArticle:
        html, final_url = await self._download(url)
        text, title = await asyncio.to_thread(_extract_main_text, html, final_url)
        if not text:
            raise LinkError("I could not find article text on that page.")
        return FetchedArticle(url=final_url, title=title, text=text)

    async def _download(self, url: str) -> tuple[str, str]:
        headers = {"User-Agent": _USER_AGENT, "Accept": "text/html,application/xhtml+xml"}
        async with httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False, headers=headers, trust_env=False
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                await self._check_host(url)
                try:
                    async with client.stream("GET", url) as response:
                        if response.is_redirect and "location" in response.headers:
                            url = urljoin(url, response.headers["location"])
                            continue
                        if response.status_code >= 400:
                            raise LinkError(f"The page answered with HTTP {response.status_code}.")
                        body = await _read_capped(response)
                        return body.decode(response.encoding or "utf-8", "replace"), url
                except httpx.TimeoutException:
                    raise LinkError("The page took too long to answer.") from None
                except httpx.HTTPError as error:
                    raise LinkError(f"The page could not be reached ({_short(error)}).") from None
        raise LinkError("The link redirects too many times.")

    async def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise LinkError("Only http:// and https:// links can be read.")
        if self._allow_private:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port)
        except OSError:
            raise LinkError(f"The address {parts.hostname} could not be found.") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise LinkError(
                    "That link points to a private or local network address, which I do not read."
                )


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            raise LinkError("The page is larger than 5 MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def _extract_main_text(html: str, url: str) -> tuple[str, str | None]:
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False) or ""
    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = metadata.title if metadata is not None else None
    return text.strip(), title


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) < 120 else text[:117] + "..."


__all__ = [
    "ArticleFetcher",
    "FetchedArticle",
    "LinkError",
    "article_url",
    "check_source_link",
]
