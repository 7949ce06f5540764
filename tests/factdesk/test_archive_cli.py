"""`factdesk import`, `factdesk export` and `factdesk search` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factdesk.cli import app

ARCHIVE = """claim,verdict,source,date,reviewer,url
"The US economy added 175,000 jobs in April",pants-fire,https://www.politifact.com/a,2024-05-03,PolitiFact,https://example.com/speech
Unemployment rose to 3.9% in April,Mostly-True,https://www.politifact.com/b,2024-05-04,PolitiFact,
Vaccines cause autism,wibble,https://fc.example/c,,,
"""


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    for name in ("FACTDESK_ORG_NAME", "FACTDESK_ORG_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FACTDESK_ORG_NAME", "Desk of Facts")
    monkeypatch.setenv("FACTDESK_ORG_URL", "https://facts.example.org")
    return CliRunner()


def _import(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "archive.csv").write_text(ARCHIVE, encoding="utf-8")
    result = runner.invoke(app, ["import", "archive.csv"])
    assert result.exit_code == 0, result.output


def test_import_twice_then_export(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "archive.csv").write_text(ARCHIVE, encoding="utf-8")
    first = runner.invoke(app, ["import", "archive.csv"])
    assert first.exit_code == 0
    assert "2 added, 0 skipped as duplicates, 1 rejected" in first.stdout
    assert "archive.csv: line 4: unknown verdict 'wibble'" in first.stderr
    assert "unknown verdict words: 'wibble' (1)" in first.stderr
    again = runner.invoke(app, ["import", "archive.csv"])
    assert "0 added, 2 skipped as duplicates, 1 rejected" in again.stdout

    exported = runner.invoke(app, ["export", "claimreview", "--verdict", "false"])
    reviews = json.loads(exported.stdout)
    assert [r["claimReviewed"] for r in reviews] == ["The US economy added 175,000 jobs in April"]
    assert reviews[0]["author"]["name"] == "PolitiFact"
    result = runner.invoke(app, ["export", "html", "-o", "report.html", "--since", "2024-05-04"])
    assert result.exit_code == 0 and "wrote 1 verdicts" in result.stderr
    assert "Unemployment rose" in (tmp_path / "report.html").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["export", "csv", "--since", "May"])
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_import_refuses_unreadable_files(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["import", "empty.csv"])
    assert result.exit_code == 2 and "empty" in result.stderr
    result = runner.invoke(app, ["import", "missing.csv"])
    assert result.exit_code == 2 and "cannot read missing.csv" in result.stderr


def test_search_prints_matches_and_json(runner: CliRunner, tmp_path: Path) -> None:
    _import(runner, tmp_path)
    result = runner.invoke(
        app, ["search", "--json", "--limit", "1", "US economy added 175000 jobs in April", "xyzzy"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["US economy added 175000 jobs in April", "xyzzy"]
    best = lines[0]["matches"]
    assert len(best) == 1
    assert best[0]["claim"] == "The US economy added 175,000 jobs in April"
    assert best[0]["verdict"] == "False" and best[0]["source"] == "https://www.politifact.com/a"
    assert best[0]["same"] is True and isinstance(best[0]["score"], float)
    assert lines[1]["matches"] == []

    near = runner.invoke(app, ["search", "--json"], input="Unemployment rose to 4.9% in April\n\n")
    (line,) = [json.loads(x) for x in near.stdout.splitlines()]
    assert line["matches"][0]["same"] is False  # another figure: similar, never the same

    text = runner.invoke(app, ["search", "unemployment rose to 3.9 percent in April"])
    assert "same Mostly true: Unemployment rose to 3.9% in April" in text.stdout
    assert "source: https://www.politifact.com/b" in text.stdout
