"""Exports: round trips through import, ClaimReview against schema.org/Google, filters, packing."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from db.engine import make_engine
from db.migrate import upgrade
from db.uow import Database
from domain.reports import (
    ExportRequestError,
    Organization,
    build_request,
    parse_export_words,
)
from domain.reports.upload import package_for_upload
from domain.verdicts import Rating, VerdictKind
from services.imports import ImportService, read_import_file
from services.reports import ReportService
from tests.support.seed import Seeded, seed_verdicts

ORG = Organization("Desk of Facts", "https://facts.example.org")
ITEMS = [
    Seeded(
        'The "U.S." economy added 175,000 jobs, Ann said',
        "false",
        "https://www.bls.gov/a",
        "Ann",
        datetime(2026, 10, 30, 9, 15, tzinfo=UTC),
    ),
    Seeded(
        "Unemployment rose to 3.9% — the highest since 2022",
        "true",
        "https://www.bls.gov/b",
        "Ann",
        datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
    ),
    Seeded(
        "<script>alert('x')</script> wages grew 0.2%",
        "misleading",
        "https://fc.example/c?a=1&b=2",
        "Bo Li",
        datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
    ),
    Seeded(
        "Powell said rates rose 11 times",
        "unverifiable",
        None,
        "Bo Li",
        datetime(2026, 11, 30, 23, 59, tzinfo=UTC),
    ),
    Seeded(
        "What a lovely day", "not_a_claim", None, "Ann", datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    ),
]


def _export(engine: Engine, fmt: str, **filters: Any) -> tuple[int, str]:
    stream = io.StringIO()
    count = ReportService(Database(engine), ORG).export(build_request(fmt=fmt, **filters), stream)
    return count, stream.getvalue()


def _archive(engine: Engine) -> set[tuple[str, str, str, str, str]]:
    """What an archive says, whatever its ids: claim, verdict, source, reviewer, day."""
    _, data = _export(engine, "csv")
    return {
        (r["claim"], r["verdict"], r["source"], r["reviewer"], r["reviewed_at"])
        for r in csv.DictReader(io.StringIO(data))
    }


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_verdicts(engine, ITEMS, url="https://news.example/story")
    return engine


def _fresh(tmp_path: Path, name: str) -> Engine:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(url)
    return make_engine(url)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_export_import_export(seeded: Engine, tmp_path: Path, fmt: str) -> None:
    count, data = _export(seeded, fmt)
    assert count == len(ITEMS)
    path = tmp_path / f"export.{fmt}"
    path.write_text(data, encoding="utf-8")
    other = _fresh(tmp_path, "other.db")
    summary = ImportService(Database(other)).import_source(read_import_file(path))
    assert (summary.added, summary.rejected) == (len(ITEMS), [])
    assert _archive(other) == _archive(seeded)
    # where the claims appeared survives too
    _, again = _export(other, "json")
    assert {o["article_url"] for o in json.loads(again)} == {"https://news.example/story"}
    # and importing the export of the import adds nothing new to it
    again_path = tmp_path / f"again.{fmt}"
    again_path.write_text(_export(other, fmt)[1], encoding="utf-8")
    assert ImportService(Database(other)).import_source(read_import_file(again_path)).added == 0
    other.dispose()


def test_claimreview_round_trip(seeded: Engine, tmp_path: Path) -> None:
    count, data = _export(seeded, "claimreview")
    assert count == 4  # "Not a claim" is not a review
    path = tmp_path / "reviews.jsonld"
    path.write_text(data, encoding="utf-8")
    other = _fresh(tmp_path, "other.db")
    assert ImportService(Database(other)).import_source(read_import_file(path)).added == 4
    _, back = _export(other, "claimreview")
    strip = ("author",)  # imported reviews keep their author's name, without the desk's url
    first = [{k: v for k, v in o.items() if k not in strip} for o in json.loads(data)]
    second = [{k: v for k, v in o.items() if k not in strip} for o in json.loads(back)]
    for item in first + second:
        if item["url"].startswith(ORG.url):
            item["url"] = "(desk)"
    assert second == first
    assert {o["author"]["name"] for o in json.loads(back)} == {ORG.name}
    other.dispose()


def _schema_org_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The network is not ours to use in tests: schema.org's context, reduced to its vocabulary."""
    assert url.rstrip("/") in {"https://schema.org", "http://schema.org"}, url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": "https://schema.org/"}},
    }


def test_claimreview_has_the_fields_and_types_google_requires(seeded: Engine) -> None:
    from pyld import jsonld

    _, data = _export(seeded, "claimreview")
    reviews = json.loads(data)
    iso_date = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        assert isinstance(review["claimReviewed"], str) and review["claimReviewed"]
        assert re.match(r"^https?://", review["url"])
        assert iso_date.match(review["datePublished"])
        assert review["author"] == {"@type": "Organization", "name": ORG.name, "url": ORG.url}
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating"
        assert isinstance(rating["alternateName"], str) and rating["alternateName"]
        assert all(isinstance(rating[k], int) for k in ("ratingValue", "bestRating", "worstRating"))
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["worstRating"] >= 1 and rating["bestRating"] > rating["worstRating"]
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["itemReviewed"]["appearance"] == {
            "@type": "CreativeWork",
            "url": "https://news.example/story",
        }
    by_name = {
        r["reviewRating"]["alternateName"]: r["reviewRating"]["ratingValue"] for r in reviews
    }
    assert by_name == {"False": 1, "True": 5, "Misleading": 2, "Unverifiable": 3}
    assert reviews[3]["url"] == f"{ORG.url}/#claim-{reviews[3]['url'].rsplit('-', 1)[1]}"

    # A JSON-LD processor reads the same statements back.
    options = {"documentLoader": _schema_org_loader}
    expanded = jsonld.expand(reviews, options)
    s = "https://schema.org/"
    first = expanded[0]
    assert first["@type"] == [f"{s}ClaimReview"]
    assert first[f"{s}claimReviewed"][0]["@value"] == ITEMS[0].claim
    rating = first[f"{s}reviewRating"][0]
    assert rating["@type"] == [f"{s}Rating"]
    assert rating[f"{s}ratingValue"][0]["@value"] == 1
    assert rating[f"{s}alternateName"][0]["@value"] == "False"
    appearance = first[f"{s}itemReviewed"][0][f"{s}appearance"][0]
    assert appearance[f"{s}url"][0]["@value"] == "https://news.example/story"
    compacted = jsonld.compact(expanded[1], "https://schema.org", options)
    assert compacted["claimReviewed"] == reviews[1]["claimReviewed"]
    assert compacted["reviewRating"]["ratingValue"] == 5


def test_claimreview_carries_only_the_final_verdict(seeded: Engine) -> None:
    from db.uow import Database
    from services.verdicts import record_act

    with Database(seeded).unit() as tx:
        claim = tx.claims.get(1)
        first = tx.verdicts.standing_of(1)[-1]
        assert claim is not None and first.reviewer_id is not None
        record_act(
            tx,
            claim,
            reviewer_id=first.reviewer_id,
            rating=Rating.MISLEADING,
            kind=VerdictKind.REVIEW,
            required=1,
            source_url="https://www.bls.gov/newer",
        )
    _, data = _export(seeded, "claimreview")
    reviews = [r for r in json.loads(data) if r["claimReviewed"] == ITEMS[0].claim]
    assert [r["reviewRating"]["alternateName"] for r in reviews] == ["Misleading"]
    # A changed verdict supersedes the first: the export has one row per claim by default, and
    # the superseded one only when history is asked for, marked as such.
    count, data = _export(seeded, "csv")
    assert count == len(ITEMS) and "https://www.bls.gov/newer" in data
    count, data = _export(seeded, "csv", include_history=True)
    rows = list(csv.DictReader(io.StringIO(data)))
    assert count == len(ITEMS) + 1
    assert [r["kind"] for r in rows if r["claim_id"] == "1"] == ["superseded", "review"]


def test_filters(seeded: Engine) -> None:
    assert _export(seeded, "csv", since="2026-11-01")[0] == 4
    assert _export(seeded, "csv", until="2026-11-01")[0] == 2  # until is inclusive
    assert _export(seeded, "csv", since="2026-11-01", until="2026-11-30")[0] == 3
    assert _export(seeded, "csv", reviewer="bo li")[0] == 2
    assert _export(seeded, "csv", reviewer="@bo_li")[0] == 2
    assert _export(seeded, "csv", reviewer="5000")[0] == 3  # Ann's Telegram id
    assert _export(seeded, "csv", verdict="false,Mostly-True,true")[0] == 2
    assert _export(seeded, "csv", article="1")[0] == 5
    assert _export(seeded, "csv", article="2")[0] == 0
    count, data = _export(seeded, "json", verdict="misleading", reviewer="Bo Li")
    assert count == 1 and json.loads(data)[0]["source"] == "https://fc.example/c?a=1&b=2"


def test_chat_words_become_a_request() -> None:
    request = parse_export_words(["html", "since", "2026-11-01", "reviewer", "Alma", "Admin"])
    assert request.format.value == "html"
    assert request.filters.reviewer == "Alma Admin"
    assert request.filters.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert request.describe() == "since 2026-11-01, reviewer Alma Admin"
    assert parse_export_words([]).format.value == "csv"
    assert parse_export_words(["since=2026-11-01"]).filters.since is not None
    assert parse_export_words(["verdict", "pants-fire"]).filters.ratings == frozenset({"false"})
    for words, message in [
        (["pdf"], "unknown format"),
        (["csv", "since", "yesterday"], "not a date"),
        (["csv", "since"], "needs a value"),
        (["csv", "banana"], "expected one of"),
        (["csv", "verdict", "wibble"], "not a verdict"),
        (["csv", "since", "2026-12-01", "until", "2026-11-01"], "on or before"),
        (["csv", "article", "x"], "not an article number"),
    ]:
        with pytest.raises(ExportRequestError, match=message):
            parse_export_words(words)


def test_html_report_is_self_contained_and_escaped(seeded: Engine) -> None:
    count, page = _export(seeded, "html")
    assert count == len(ITEMS)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page  # the claim's markup is text, and the report has no script
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("<svg") == 3
    for caption in ("Verdicts by type", "Verdicts over time", "Verdicts by reviewer"):
        assert caption in page
    assert 'href="https://fc.example/c?a=1&amp;b=2"' in page
    assert "src=" not in page and "<link" not in page  # nothing fetched from elsewhere
    assert "5</b>verdicts" in page and ORG.name in page


def test_big_exports_are_zipped_then_split(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(b"claim,verdict\n" + b"the same line again,False\n" * 20_000)
    assert [p.filename for p in package_for_upload(path, "report.csv", limit=10**6)] == [
        "report.csv"
    ]
    zipped = package_for_upload(path, "report.csv", limit=100_000)
    assert [p.filename for p in zipped] == ["report.csv.zip"]
    with zipfile.ZipFile(zipped[0].path) as archive:
        assert archive.read("report.csv") == path.read_bytes()

    noisy = tmp_path / "noisy.csv"
    noisy.write_bytes(random.Random(4).randbytes(300_000))  # does not compress
    parts = package_for_upload(noisy, "noisy.csv", limit=100_000)
    assert len(parts) > 1 and all(p.path.stat().st_size <= 100_000 for p in parts)
    assert [p.filename for p in parts][:2] == ["noisy.csv.zip.001", "noisy.csv.zip.002"]
    joined = b"".join(p.path.read_bytes() for p in parts)
    joined_path = tmp_path / "joined.zip"
    joined_path.write_bytes(joined)
    with zipfile.ZipFile(joined_path) as archive:
        assert archive.read("noisy.csv") == noisy.read_bytes()


CHROMIUM = Path("/usr/bin/chromium")


def _png_pixels(data: bytes) -> tuple[int, int, set[tuple[int, int, int]]]:
    """Width, height and the colours of an 8-bit RGB(A) PNG, decoded with the standard library."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunks[kind] = chunks.get(kind, b"") + data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and colour_type in (2, 6)
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    previous = bytearray(stride)
    colours: set[tuple[int, int, int]] = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        if y % 4 == 0:
            colours.update(
                (line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels * 2)
            )
        previous = line
    return width, height, colours


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: apt-get install -y chromium"
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_html_report_renders_in_headless_chromium(seeded: Engine, tmp_path: Path) -> None:
    import subprocess

    _, page = _export(seeded, "html")
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,900",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    width, height, colours = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 900)
    # the charts were drawn: the verdict colours and the reviewer/time bars are on the screen
    for hex_colour in ("#cc0000", "#1a7f37", "#e69138", "#3d85c6"):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"{hex_colour} not rendered"
