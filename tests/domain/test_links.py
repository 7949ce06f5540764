"""Source links and article links, as a reviewer would send them."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import httpcore
import pytest
from aiohttp import web

from domain.links import (
    ArticleFetcher,
    LinkError,
    article_url,
    check_source_link,
    is_public_address,
)
from tests.support.botapi import FakeBotApi

ARTICLE_HTML = """<html><head><title>Jobs report: 175,000 added</title></head><body>
<nav>Home | World | Business</nav>
<article><h1>Jobs report: 175,000 added</h1>
<p>The U.S. economy added 175,000 jobs in April, the Labor Department said on Friday, fewer than
the 240,000 economists had expected.</p>
<p>The unemployment rate rose to 3.9% from 3.8% in March, the highest level since January 2022.</p>
<p>Average hourly earnings increased 0.2% last month after rising 0.3% in March.</p>
</article><footer>© 2024 Example News</footer></body></html>"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://www.bls.gov/news.release/empsit.nr0.htm",
            "https://www.bls.gov/news.release/empsit.nr0.htm",
        ),
        ("  <http://example.org/a?b=1>  ", "http://example.org/a?b=1"),
        ("www.reuters.com/world/", "https://www.reuters.com/world/"),
    ],
)
def test_source_links_accepted(text: str, expected: str) -> None:
    assert check_source_link(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("the BLS website", "single link"),
        ("ftp://example.org/file", "http"),
        ("javascript:alert(1)", "http"),
        ("https://localhost/x", "valid web address"),
        ("https://example.org/" + "a" * 2100, "2,048"),
    ],
)
def test_source_links_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(LinkError, match=reason):
        check_source_link(text)


def test_a_message_that_is_only_a_link_is_an_article_link() -> None:
    assert article_url(" https://example.org/story ") == "https://example.org/story"
    assert article_url("Read https://example.org/story now") is None


async def test_fetches_main_text_and_title(fake_telegram: FakeBotApi) -> None:
    url = fake_telegram.add_page("jobs", ARTICLE_HTML)
    fetched = await ArticleFetcher(allow_private=True).fetch(url)
    assert "175,000 jobs in April" in fetched.text
    assert "Home | World" not in fetched.text
    assert fetched.title == "Jobs report: 175,000 added"


async def test_private_addresses_are_refused(fake_telegram: FakeBotApi) -> None:
    url = fake_telegram.add_page("jobs", ARTICLE_HTML)
    with pytest.raises(LinkError, match="private or local"):
        await ArticleFetcher(allow_private=False).fetch(url)


async def test_http_errors_and_empty_pages_are_explained(fake_telegram: FakeBotApi) -> None:
    fetcher = ArticleFetcher(allow_private=True)
    with pytest.raises(LinkError, match="HTTP 404"):
        await fetcher.fetch(fake_telegram.add_page("gone", "nope", status=404))
    with pytest.raises(LinkError, match=r"no article text|could not find"):
        await fetcher.fetch(fake_telegram.add_page("empty", "<html><body></body></html>"))


async def test_unreachable_host_is_explained() -> None:
    with pytest.raises(LinkError, match=r"could not be reached|took too long"):
        await ArticleFetcher(allow_private=True, timeout=2).fetch("http://127.0.0.1:9/story")


# ---------------------------------------------------------------- address pinning (DNS rebinding)

#: A public address (the RFC 5737 documentation ranges are not global, so they cannot stand in);
#: the test's network backend routes it to the local page server, so no traffic leaves the machine.
_PUBLIC = "93.184.216.34"


class _PageServer:
    """A local web server that records the Host header of every request it answers."""

    def __init__(self) -> None:
        self.hosts: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/story", self._story)
        app.router.add_get("/hop", self._hop)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _story(self, request: web.Request) -> web.Response:
        self.hosts.append(request.headers.get("Host", ""))
        return web.Response(text=ARTICLE_HTML, content_type="text/html")

    async def _hop(self, request: web.Request) -> web.Response:
        self.hosts.append(request.headers.get("Host", ""))
        raise web.HTTPFound(f"http://intranet.test:{self.port}/story")


class _LocalInternet(httpcore.AsyncNetworkBackend):
    """Routes the stand-in public address to the local server and records every connection.

    Any other non-loopback target is refused, so a test can never reach a real host.
    """

    def __init__(self) -> None:
        self.connects: list[str] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append(host)
        if host not in {_PUBLIC, "127.0.0.1"}:
            raise httpcore.ConnectError(f"test network: {host} is not reachable")
        return await self._inner.connect_tcp("127.0.0.1", port, timeout=timeout)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no unix sockets here")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _RebindingResolver:
    """Answers a public address for a name the first time and 127.0.0.1 every time after."""

    def __init__(self, fixed: dict[str, str] | None = None) -> None:
        self.asked: list[str] = []
        self._fixed = fixed or {}

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host in self._fixed:
            return [self._fixed[host]]
        return [_PUBLIC] if self.asked.count(host) == 1 else ["127.0.0.1"]


@pytest.fixture
async def pages() -> AsyncIterator[_PageServer]:
    server = _PageServer()
    await server.start()
    yield server
    await server.stop()


async def test_fetch_connects_to_the_address_it_checked(pages: _PageServer) -> None:
    resolver = _RebindingResolver()
    network = _LocalInternet()
    fetcher = ArticleFetcher(resolver=resolver, network_backend=network)
    fetched = await fetcher.fetch(f"http://news.test:{pages.port}/story")
    assert "175,000 jobs in April" in fetched.text
    assert resolver.asked == ["news.test"]
    assert network.connects == [_PUBLIC]
    assert pages.hosts == [f"news.test:{pages.port}"]


async def test_rebinding_name_never_reaches_loopback(pages: _PageServer) -> None:
    """The second answer (127.0.0.1) is never used: a fresh fetch checks again and refuses."""
    resolver = _RebindingResolver()
    network = _LocalInternet()
    fetcher = ArticleFetcher(resolver=resolver, network_backend=network)
    await fetcher.fetch(f"http://news.test:{pages.port}/story")
    with pytest.raises(LinkError, match="private or local"):
        await fetcher.fetch(f"http://news.test:{pages.port}/story")
    assert "127.0.0.1" not in network.connects
    assert len(pages.hosts) == 1


async def test_a_redirect_to_a_private_address_is_refused(pages: _PageServer) -> None:
    resolver = _RebindingResolver({"news.test": _PUBLIC, "intranet.test": "127.0.0.1"})
    network = _LocalInternet()
    fetcher = ArticleFetcher(resolver=resolver, network_backend=network)
    with pytest.raises(LinkError, match="private or local"):
        await fetcher.fetch(f"http://news.test:{pages.port}/hop")
    assert network.connects == [_PUBLIC]
    assert pages.hosts == [f"news.test:{pages.port}"]


async def test_private_urls_allowed_fetch_a_local_server(pages: _PageServer) -> None:
    fetched = await ArticleFetcher(allow_private=True).fetch(f"http://localhost:{pages.port}/story")
    assert "175,000 jobs in April" in fetched.text


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1", "0.0.0.0"]
)
def test_non_public_addresses_are_recognised(address: str) -> None:
    assert not is_public_address(address)


def test_public_addresses_are_recognised() -> None:
    assert is_public_address(_PUBLIC)
    assert is_public_address("2606:4700::1111")


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    key, cert = directory / "key.pem", directory / "cert.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True)
    return key, cert


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_https_sends_the_original_name_as_sni_to_the_pinned_address(tmp_path: Path) -> None:
    """TLS goes to the checked address but names the link's host (SNI, certificate check): a
    self-signed certificate is refused, after the server saw the original name."""
    key, cert = _self_signed(tmp_path, "news.test")
    names: list[str | None] = []

    def record_name(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = record_name

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    network = _LocalInternet()
    fetcher = ArticleFetcher(
        resolver=_RebindingResolver({"news.test": _PUBLIC}), network_backend=network
    )
    try:
        with pytest.raises(LinkError, match="could not be reached"):
            await fetcher.fetch(f"https://news.test:{port}/story")
    finally:
        server.close()
        await server.wait_closed()
    assert names == ["news.test"]
    assert network.connects == [_PUBLIC]
