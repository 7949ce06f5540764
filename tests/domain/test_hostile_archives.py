"""Hostile or broken archive files and exports: one line each, nothing swallowed, nothing run."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from db.models import Claim
from db.uow import Database
from domain.import_files import MAX_CSV_LINE_BYTES, ImportFileError, Rejection, read_import_file
from domain.reports import Organization, build_request
from services.imports import ImportService
from services.reports import ReportService
from tests.support.seed import Seeded, seed_verdicts


def _rows(path: Path) -> list[tuple[str, str]]:
    return [
        (item.where, item.reason if isinstance(item, Rejection) else item.claim)
        for item in read_import_file(path).rows()
    ]


def test_json_nested_a_hundred_thousand_deep_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFileError, match="nested too deeply") as refused:
        read_import_file(path)
    assert "\n" not in str(refused.value)
    objects = tmp_path / "deep_objects.json"
    objects.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    with pytest.raises(ImportFileError, match="nested too deeply"):
        read_import_file(objects)


def test_records_wrapped_in_many_arrays_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.json"
    record = '{"claim": "Taxes rose", "verdict": "False", "source": "https://fc.example/t"}'
    path.write_text("[" * 40 + record + "]" * 40)
    with pytest.raises(ImportFileError, match="wrapped in more than"):
        read_import_file(path)


def test_a_gigantic_csv_line_is_refused_while_streaming(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("claim,verdict,source\nTaxes rose,False,https://fc.example/t\n")
        block = "x" * 1_000_000
        for _ in range(64):  # 64 MB on one line
            stream.write(block)
        stream.write(",False,https://fc.example/x\n")
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match=r"line 3 is longer than 1 MB"):
        read_import_file(path)
    assert time.perf_counter() - started < 2.0
    assert MAX_CSV_LINE_BYTES == 1 << 20


def test_an_unterminated_quote_is_reported_on_its_line_and_swallows_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(
        "claim,verdict,source\n"
        '"Unclosed claim,False,https://fc.example/a\n'
        "Crime fell 5% in Ohio,True,https://fc.example/o\n"
        "Taxes rose,False,https://fc.example/t\n"
    )
    rows = _rows(path)
    assert rows[0][0] == "line 2" and "not closed properly" in rows[0][1]
    assert rows[1:] == [("line 3", "Crime fell 5% in Ohio"), ("line 4", "Taxes rose")]


def test_a_quote_closed_lines_later_does_not_swallow_the_records_between(
    tmp_path: Path,
) -> None:
    path = tmp_path / "quote2.csv"
    path.write_text(
        "claim,verdict,source\n"
        '"Unclosed claim,False,https://fc.example/a\n'
        "Crime fell 5% in Ohio,True,https://fc.example/o\n"
        'Wages "rose" a lot",False,https://fc.example/w\n'
        "Rents fell,True,https://fc.example/r\n"
    )
    rows = _rows(path)
    assert rows[0][0] == "line 2" and "not closed properly" in rows[0][1]
    assert [where for where, _ in rows[1:]] == ["line 3", "line 4", "line 5"]
    assert rows[1][1] == "Crime fell 5% in Ohio" and rows[3][1] == "Rents fell"


def test_a_multiline_claim_still_reads_whole(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(
        'claim,verdict,source\n"Line one\nline two",False,https://fc.example/a\n'
        "Next,True,https://fc.example/b\n"
    )
    assert _rows(path) == [("line 3", "Line one line two"), ("line 4", "Next")]


def test_nul_bytes_are_dropped_on_every_database(engine: Engine, tmp_path: Path) -> None:
    csv_path = tmp_path / "nul.csv"
    csv_path.write_bytes(
        b"claim,verdict,source,reviewer\nTaxes\x00 rose,False,https://fc.example/t,A\x00nn\n"
    )
    json_path = tmp_path / "nul.json"
    json_path.write_text(
        '[{"claim": "Rents\\u0000 fell", "verdict": "True", "source": "https://fc.example/r"}]'
    )
    service = ImportService(Database(engine))
    assert service.import_source(read_import_file(csv_path)).added == 1
    assert service.import_source(read_import_file(json_path)).added == 1
    with Session(engine) as session:
        texts = session.exec(select(Claim.text).order_by(col(Claim.id))).all()
    assert texts == ["Taxes rose", "Rents fell"]


ORG = Organization("Desk <b>of</b> Facts", "javascript:alert(1)")
HOSTILE = [
    Seeded(
        '=HYPERLINK("https://evil.example","click")',
        "false",
        "https://fc.example/a",
        "@Ann",
        datetime(2026, 11, 1, tzinfo=UTC),
    ),
    Seeded(
        "+1 million jobs", "true", "https://fc.example/b", "-Bo", datetime(2026, 11, 2, tzinfo=UTC)
    ),
    Seeded("\t=1+1", "misleading", "https://fc.example/c", "Cy", datetime(2026, 11, 3, tzinfo=UTC)),
    Seeded(
        '<img src=x onerror="alert(1)"> rose',
        "false",
        "https://fc.example/d?a=1&b=<2>",
        "<script>Dee</script>",
        datetime(2026, 11, 4, tzinfo=UTC),
    ),
]


def _export(engine: Engine, fmt: str) -> str:
    stream = io.StringIO()
    ReportService(Database(engine), ORG).export(build_request(fmt=fmt), stream)
    return stream.getvalue()


def test_csv_export_neutralises_formulas_and_imports_back(engine: Engine, tmp_path: Path) -> None:
    seed_verdicts(engine, HOSTILE, url="https://news.example/story")
    data = _export(engine, "csv")
    rows = list(csv.DictReader(io.StringIO(data)))
    for row in rows:
        for column in ("claim", "source", "reviewer", "article_title", "article_url"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row[column]
    claims = {row["claim"] for row in rows}
    assert '\'=HYPERLINK("https://evil.example","click")' in claims
    assert "'+1 million jobs" in claims and "'\t=1+1" in claims
    assert {row["reviewer"] for row in rows} >= {"'@Ann", "'-Bo"}
    path = tmp_path / "export.csv"
    path.write_text(data, encoding="utf-8")
    imported = {
        item.claim for item in read_import_file(path).rows() if not isinstance(item, Rejection)
    }
    assert '=HYPERLINK("https://evil.example","click")' in imported
    assert "+1 million jobs" in imported


def test_html_export_escapes_everything(engine: Engine) -> None:
    seed_verdicts(engine, HOSTILE, url="https://news.example/story")
    page = _export(engine, "html")
    assert "<img" not in page and "<script" not in page and "<b>of</b>" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "&lt;script&gt;Dee&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert 'href="https://fc.example/d?a=1&amp;b=&lt;2&gt;"' in page


#: tmp_path is shared by a test's examples; each example overwrites the one file it uses.
_FIXTURE_IN_GIVEN = [HealthCheck.function_scoped_fixture]


def _check_rows(path: Path) -> None:
    """Reading gives ImportFileError, or rows and rejections: no other exception, no NUL."""
    try:
        source = read_import_file(path)
    except ImportFileError as error:
        assert "\n" not in str(error)
        return
    for item in source.rows():
        if isinstance(item, Rejection):
            assert item.where.startswith(("line ", "record "))
        else:
            assert item.claim and "\x00" not in item.claim
            assert item.reviewer is None or "\x00" not in item.reviewer


_CSV_PIECES = st.sampled_from(
    [
        "claim",
        "verdict",
        "source",
        ",",
        ";",
        '"',
        '""',
        "\n",
        "\r\n",
        "\x00",
        "False",
        "True",
        "https://fc.example/a",
        "=1+1",
        "'=",
        " ",
        "2024-01-02",
        "ünïcödé",
        "\t",
    ]
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(_CSV_PIECES, st.text(max_size=8)), max_size=60))
def test_any_csv_reads_without_a_traceback(tmp_path: Path, pieces: list[str]) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("claim,verdict,source\n" + "".join(pieces), encoding="utf-8")
    _check_rows(path)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["claim", "verdict", "source", "@graph", "claims", "@type", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_JSON)
def test_any_json_reads_without_a_traceback(tmp_path: Path, document: object) -> None:
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    _check_rows(path)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_any_bytes_read_without_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.dat"
    path.write_bytes(content)
    _check_rows(path)
