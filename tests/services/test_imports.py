"""Importing archives: verdict words, idempotency, bad rows and files, ClaimReview from others."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.models import Claim, Verdict
from db.uow import Database
from domain.verdict_words import rating_from_word
from domain.verdicts import Rating
from services.imports import ImportFileError, ImportService, read_import_file

GOOD_CSV = """claim,verdict,source,date,reviewer,url
"The US economy added 175,000 jobs in April",Pants-Fire,https://www.politifact.com/a,2024-05-03,PolitiFact,https://example.com/speech
Unemployment rose to 3.9% in April,half-true,https://www.politifact.com/b,2024-05-04,PolitiFact,
Vaccines cause autism,wibble,https://fc.example/c,,,
,False,https://fc.example/d,,,
The moon is made of cheese,false,not a link,,,
Crime fell 5% in Ohio last year,Mostly True,https://fc.example/e,yesterday,,
The average rent in Berlin is 12 euros,UNPROVEN,,2024-06-01T10:00:00Z,AFP,
"""


def _import(engine: Engine, path: Path) -> tuple[int, int, list[tuple[str, str]]]:
    summary = ImportService(Database(engine), chunk_size=3).import_source(read_import_file(path))
    return summary.added, summary.duplicates, [(r.where, r.reason) for r in summary.rejected]


@pytest.mark.parametrize(
    ("word", "rating"),
    [
        ("mostly true", Rating.MOSTLY_TRUE),
        ("Mostly-True", Rating.MOSTLY_TRUE),
        ("MOSTLY_TRUE", Rating.MOSTLY_TRUE),
        ("pants-fire", Rating.FALSE),
        ("Pants on Fire!", Rating.FALSE),
        ("half-true", Rating.MISLEADING),
        ("barely-true", Rating.MISLEADING),
        ("Mostly False", Rating.MISLEADING),
        ("Mixture", Rating.MISLEADING),
        ("Unproven", Rating.UNVERIFIABLE),
        ("Not a claim", Rating.NOT_A_CLAIM),
        ("TRUE", Rating.TRUE),
    ],
)
def test_verdict_words_map_to_our_scale(word: str, rating: Rating) -> None:
    assert rating_from_word(word) is rating


def test_unknown_verdict_word_is_not_guessed() -> None:
    assert rating_from_word("wibble") is None
    assert rating_from_word("") is None


def test_import_keeps_good_rows_reports_bad_ones_and_is_idempotent(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "archive.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    added, duplicates, rejected = _import(engine, path)
    assert (added, duplicates) == (3, 0)
    assert rejected == [
        ("line 4", "unknown verdict 'wibble'"),
        ("line 5", "no claim text"),
        ("line 6", "bad source link: A source must be a single link, without spaces."),
        ("line 7", "bad date 'yesterday' (expected e.g. 2026-11-01)"),
    ]
    with Session(engine) as session:
        verdicts = session.exec(select(Verdict).order_by(col(Verdict.id))).all()
        claims = session.exec(select(Claim).order_by(col(Claim.id))).all()
    assert [v.rating for v in verdicts] == ["false", "misleading", "unverifiable"]
    assert {v.kind for v in verdicts} == {"import"}
    assert verdicts[0].external_reviewer == "PolitiFact" and verdicts[0].reviewer_id is None
    assert verdicts[0].created_at.date().isoformat() == "2024-05-03"
    assert all(c.article_id is None and c.position == 0 for c in claims)
    assert claims[0].appearance_url == "https://example.com/speech"
    assert claims[0].normalized_text == "the usa economy added 175000 jobs in april"

    assert _import(engine, path)[:2] == (0, 3)  # the same file again adds nothing
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Verdict)).one() == 3


def test_wrong_encoding_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "claim,verdict,source\nCafé prices rose,False,https://x.org/a\n".encode("latin-1")
    )
    with pytest.raises(ImportFileError, match=r"not UTF-8 .*0xe9 on line 2"):
        read_import_file(path)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "claim,verdict,source\nCafé prices rose,False,https://x.org/a\n".encode("utf-16")
    )
    rows = list(read_import_file(path).rows())
    assert [getattr(r, "claim", None) for r in rows] == ["Café prices rose"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("claim,rating_text\nSomething,False\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"missing column.*verdict, source"):
        read_import_file(path)


@pytest.mark.parametrize("content", ["", "  \n\n", "[]"])
def test_empty_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / ("empty.json" if content == "[]" else "empty.csv")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError, match="nothing to import"):
        read_import_file(path)


def test_broken_json_is_refused_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"claim": "x",\n "verdict": }]', encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 2"):
        read_import_file(path)


def test_claimreview_from_another_fact_checker(engine: Engine, tmp_path: Path) -> None:
    """The shapes seen in the wild: @graph, author lists, appearance lists, ISO datetimes."""
    document = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "ClaimReview",
                "url": "https://www.politifact.com/factchecks/2024/may/03/x/",
                "claimReviewed": "Crime in Texas doubled since 2020.",
                "datePublished": "2024-05-03T14:00:00-05:00",
                "author": [{"@type": "Organization", "name": "PolitiFact"}],
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": 1,
                    "alternateName": "Pants on Fire!",
                },
                "itemReviewed": {
                    "@type": "Claim",
                    "appearance": [{"@type": "CreativeWork", "url": "https://example.com/post"}],
                },
            },
            {"@type": "ClaimReview", "claimReviewed": "No rating here", "url": "https://x.org/1"},
            "not an object",
        ],
    }
    path = tmp_path / "politifact.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    source = read_import_file(path)
    assert source.kind == "claimreview" and source.total == 3
    summary = ImportService(Database(engine)).import_source(source)
    assert summary.added == 1
    assert [(r.where, r.reason) for r in summary.rejected] == [
        ("record 2", "no verdict"),
        ("record 3", "not a JSON object"),
    ]
    with Session(engine) as session:
        verdict = session.exec(select(Verdict)).one()
        claim = session.exec(select(Claim)).one()
    assert verdict.rating == "false" and verdict.external_reviewer == "PolitiFact"
    assert verdict.created_at.isoformat() == "2024-05-03T19:00:00+00:00"
    assert claim.appearance_url == "https://example.com/post"


def test_json_records_may_name_their_fields_differently(engine: Engine, tmp_path: Path) -> None:
    """Field names are matched per record, in any case and by alias (a file merged from two
    desks' exports); a record may also name a field twice in different cases: the last wins."""
    records = [
        {"claim": "Rents rose 5% in Berlin", "verdict": "True", "source": "https://fc.example/1"},
        {"Text": "Wages fell 2% in Ohio", "Rating": "false", "Link": "https://fc.example/2"},
        {
            "claim": "Crime doubled",
            "verdict": "Mostly-True",
            "source": "https://fc.example/3",
            "reviewed_at": "2024-05-03",
            "REVIEWER": "AFP",
            "article_url": "https://news.example/a",
        },
        {
            "claim": "Taxes rose",
            "verdict": "True",
            "source": "https://fc.example/4",
            "Verdict": "wibble",
        },
        {"Text": "Exports grew 9%", "Rating": "pants-fire", "Link": "https://fc.example/5"},
    ]
    path = tmp_path / "merged.json"
    path.write_text(json.dumps(records), encoding="utf-8")

    summary = ImportService(Database(engine)).import_source(read_import_file(path))

    assert summary.added == 4
    assert [(r.where, r.reason) for r in summary.rejected] == [
        ("record 4", "unknown verdict 'wibble'")
    ]
    with Session(engine) as session:
        stored = {
            claim.text: (verdict.rating, verdict.source_url, verdict.external_reviewer)
            for claim, verdict in session.exec(
                select(Claim, Verdict).where(col(Verdict.claim_id) == Claim.id)
            )
        }
    assert stored == {
        "Rents rose 5% in Berlin": ("true", "https://fc.example/1", None),
        "Wages fell 2% in Ohio": ("false", "https://fc.example/2", None),
        "Crime doubled": ("mostly_true", "https://fc.example/3", "AFP"),
        "Exports grew 9%": ("false", "https://fc.example/5", None),
    }


def test_hundred_thousand_rows(sqlite_url: str, tmp_path: Path) -> None:
    """A large archive imports whole, with a bad row every 10,000 reported by its line."""
    from db.engine import make_engine
    from db.migrate import upgrade

    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    lines = ["claim,verdict,source,date,reviewer"]
    for i in range(100_000):
        verdict = "nonsense" if i % 10_000 == 7 else ("True", "False", "half-true")[i % 3]
        lines.append(
            f"Claim {i} says rents rose {i % 90}%,{verdict},https://fc.example/{i},2025-01-02,AFP"
        )
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = read_import_file(path)
    assert source.total == 100_000
    seen: list[int] = []
    started = time.perf_counter()
    summary = ImportService(Database(engine)).import_source(source, progress=seen.append)
    elapsed = time.perf_counter() - started
    assert (summary.added, summary.duplicates, len(summary.rejected)) == (99_990, 0, 10)
    assert summary.rejected[0].where == "line 9"
    assert summary.unknown_verdicts == {"nonsense": 10}
    assert sum(seen) == 100_000 and len(seen) > 1
    assert elapsed < 60
    engine.dispose()


def test_chunks_never_cut_a_quoted_claim_and_lines_stay_right(
    engine: Engine, tmp_path: Path
) -> None:
    """Claims with line breaks and quotes inside, cut into chunks of two records: every claim
    arrives whole, and a bad row is reported by its line in the file, not in its chunk."""
    lines = ["claim,verdict,source"]
    for i in range(9):
        padding = "n" * (i * 7 % 23)  # records of different lengths, so cuts fall anywhere
        lines.append(
            f'"Line one of claim {i}{padding}\nline two, with ""quotes""",False,https://fc.example/{i}'
        )
    lines.append("Bad row,wibble,https://fc.example/bad")  # starts on line 20
    lines.append('"Last ""claim""\n\n",True,https://fc.example/last')
    path = tmp_path / "multiline.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary = ImportService(Database(engine), chunk_size=1).import_source(read_import_file(path))

    assert (summary.added, summary.duplicates) == (10, 0)
    assert [(r.where, r.reason) for r in summary.rejected] == [
        ("line 20", "unknown verdict 'wibble'")
    ]
    with Session(engine) as session:
        texts = session.exec(select(Claim.text).order_by(col(Claim.id))).all()
    assert texts[:2] == [
        'Line one of claim 0 line two, with "quotes"',
        'Line one of claim 1nnnnnnn line two, with "quotes"',
    ]
    assert texts[-1] == 'Last "claim"'


def test_repeats_within_a_file_are_duplicates_across_chunks(engine: Engine, tmp_path: Path) -> None:
    row = "Taxes doubled in 2020,False,https://fc.example/t,2024-01-02,AFP"
    other = "Rents fell 5%,True,https://fc.example/r,2024-01-03,AFP"
    path = tmp_path / "repeats.csv"
    path.write_text(
        "\n".join(["claim,verdict,source,date,reviewer", row, row, other, row, other, row]) + "\n",
        encoding="utf-8",
    )
    summary = ImportService(Database(engine), chunk_size=2).import_source(read_import_file(path))
    assert (summary.added, summary.duplicates, summary.rejected) == (2, 4, [])


def test_a_huge_field_is_one_rejected_line(engine: Engine, tmp_path: Path) -> None:
    huge = "x" * 200_000
    path = tmp_path / "huge.csv"
    path.write_text(
        "claim,verdict,source\n"
        f'"{huge}",False,https://fc.example/h\n'
        "Crime fell 5% in Ohio,True,https://fc.example/o\n",
        encoding="utf-8",
    )
    summary = ImportService(Database(engine)).import_source(read_import_file(path))
    assert summary.added == 1
    [rejection] = summary.rejected
    assert rejection.where == "line 2" and "field larger than field limit" in rejection.reason


def test_imported_dates_filter_like_reviewed_ones(engine: Engine, tmp_path: Path) -> None:
    """Imported timestamps are stored in the ORM's own format, so date filters see them."""
    path = tmp_path / "dated.csv"
    path.write_text(
        "claim,verdict,source,date\n"
        "Crime fell 5% in Ohio,True,https://fc.example/o,2024-05-03T23:30:00-02:00\n"
        "Rents rose 7% in Berlin,False,https://fc.example/b,2024-05-01\n",
        encoding="utf-8",
    )
    ImportService(Database(engine)).import_source(read_import_file(path))
    since = datetime(2024, 5, 4, tzinfo=UTC)
    with Session(engine) as session:
        later = session.exec(select(Verdict).where(col(Verdict.created_at) >= since)).all()
    assert [v.created_at.isoformat() for v in later] == ["2024-05-04T01:30:00+00:00"]
