"""Source links and article links, as a reviewer would send them."""

from __future__ import annotations

import pytest

from domain.links import ArticleFetcher, LinkError, article_url, check_source_link
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
