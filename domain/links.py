"""Links: checking a reviewer's source link, and fetching an article from a link safely.

Fetching follows redirects one hop at a time and checks every hop's address, so a link cannot be
used to make the bot read a private network (the bot usually runs next to a database). Each hop's
name is resolved once, the answer is checked, and the connection goes to exactly that address
(`PinnedBackend`): a name that answers a public address to the check and a loopback address to the
connection (DNS rebinding) cannot slip past. The URL keeps its host name, so the Host header, TLS
SNI and certificate check are those of the original name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import httpcore
import httpx
import trafilatura

from domain.source_links import LinkError, article_url, check_source_link

MAX_PAGE_BYTES = 5_000_000
MAX_REDIRECTS = 5
_USER_AGENT = "Factdesk/0.1 (fact-check review bot)"

#: Resolves (host, port) to IP address strings; swapped in tests for a stub resolver.
Resolver = Callable[[str, int], Awaitable[list[str]]]

_PRIVATE = "That link points to a private or local network address, which I do not read."


async def system_resolver(host: str, port: int) -> list[str]:
    """The operating system's answer for host, in its order of preference."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(text: str) -> bool:
    """Whether an address is on the public internet (IPv4-mapped IPv6 judged as its IPv4)."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects each host name only to the address pinned for it.

    httpcore hands `connect_tcp` the URL's host name; instead of resolving it again, the backend
    looks up the address the fetcher checked. A host with no pin is refused, so nothing reaches
    the network without having been checked.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()
        self._pins: dict[str, list[str]] = {}

    def pin(self, host: str, addresses: list[str]) -> None:
        """Connect host only to these (checked) addresses, tried in order."""
        self._pins[host.lower()] = list(addresses)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = self._pins.get(host.lower())
        if not addresses:
            raise httpcore.ConnectError(f"no checked address for {host}")
        for address in addresses[:-1]:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError:
                continue
        return await self._inner.connect_tcp(
            addresses[-1], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool built on a `PinnedBackend`.

    httpx does not take a network backend, but its transport is a thin adapter over an httpcore
    pool, which does (httpcore's documented ``network_backend``); replacing the pool keeps httpx's
    request/response conversion and exception mapping.
    """

    def __init__(self, backend: PinnedBackend) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=4,
            max_keepalive_connections=0,
            network_backend=backend,
        )


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    url: str
    title: str | None
    text: str


class ArticleFetcher:
    """Downloads a page and extracts its main text with trafilatura."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 15.0,
        resolver: Resolver = system_resolver,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._timeout = timeout
        self._resolver = resolver
        self._network_backend = network_backend

    async def fetch(self, url: str) -> FetchedArticle:
        html, final_url = await self._download(url)
        text, title = await asyncio.to_thread(_extract_main_text, html, final_url)
        if not text:
            raise LinkError("I could not find article text on that page.")
        return FetchedArticle(url=final_url, title=title, text=text)

    async def _download(self, url: str) -> tuple[str, str]:
        headers = {"User-Agent": _USER_AGENT, "Accept": "text/html,application/xhtml+xml"}
        backend = PinnedBackend(self._network_backend)
        async with httpx.AsyncClient(
            timeout=self._timeout,
            follow_redirects=False,
            headers=headers,
            trust_env=False,
            transport=_PinnedTransport(backend),
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                host, addresses = await self._checked_addresses(url)
                backend.pin(host, addresses)
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

    async def _checked_addresses(self, url: str) -> tuple[str, list[str]]:
        """The URL's host and the addresses the fetch may connect to, all of them checked."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise LinkError("That link is not a valid web address.") from None
        if parsed.scheme not in {"http", "https"} or not parsed.raw_host:
            raise LinkError("Only http:// and https:// links can be read.")
        # The ASCII (IDNA) form is the name httpcore will ask the backend to connect to.
        host = parsed.raw_host.decode("ascii")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = await self._resolver(host, port)
        except (OSError, UnicodeError):
            raise LinkError(f"The address {host} could not be found.") from None
        if not addresses:
            raise LinkError(f"The address {host} could not be found.")
        if not self._allow_private and not all(is_public_address(a) for a in addresses):
            raise LinkError(_PRIVATE)
        return host, list(dict.fromkeys(addresses))


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
    "PinnedBackend",
    "Resolver",
    "article_url",
    "check_source_link",
    "is_public_address",
    "system_resolver",
]
