"""The `factdesk import` command run as a desk runs it: a process of its own, with worker processes
for a large file (they re-import the command's main module), scratch files in the temp folder."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BAD_LINES = {101: "wibble", 7_002: "", 24_000: "pants-fire"}  # file line -> verdict written there


def _command() -> list[str]:
    script = Path(sys.executable).with_name("factdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "factdesk"]


def _run(args: list[str], database_url: str, scratch: Path) -> subprocess.CompletedProcess[str]:
    # Embedding 25,000 claims takes a minute here: these tests leave it to `factdesk index fill`.
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TMPDIR": str(scratch),
        "FACTDESK_EMBED_NOW_LIMIT": "0",
    }
    return subprocess.run(
        [*_command(), *args], env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


def _write_archive(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["claim", "verdict", "source", "date"])
        for line in range(2, rows + 2):
            verdict = BAD_LINES.get(line, "Mostly-True")
            # pants-fire (False) needs a source; the row at line 24,000 brings none
            source = "" if line == 24_000 else f"https://fc.example/{line}"
            writer.writerow(
                [f"Exports grew {line}% in the year of speech {line}", verdict, source, ""]
            )


def test_large_import_runs_in_workers_reports_bad_lines_and_repeats_nothing(
    tmp_path: Path, scratch: Path
) -> None:
    archive = tmp_path / "archive.csv"
    _write_archive(archive, 25_000)
    url = f"sqlite:///{tmp_path / 'desk.db'}"

    first = _run(["import", str(archive)], url, scratch)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "24997 added, 0 skipped as duplicates, 3 rejected"
    assert f"{archive}: line 101: unknown verdict 'wibble'" in first.stderr
    assert f"{archive}: line 7002: no verdict" in first.stderr
    assert f"{archive}: line 24000: a False verdict needs a source link" in first.stderr
    assert list(scratch.iterdir()) == []  # scratch files removed

    assert not (tmp_path / "desk.db-wal").exists()  # connections closed, log folded in

    again = _run(["import", str(archive)], url, scratch)

    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "0 added, 24997 skipped as duplicates, 3 rejected"

    exported = _run(["export", "csv", "-o", str(tmp_path / "out.csv")], url, scratch)

    assert exported.returncode == 0, exported.stderr
    assert exported.stderr.strip() == f"wrote 24997 verdicts to {tmp_path / 'out.csv'}"
    assert not (tmp_path / "desk.db-wal").exists()


def _stored_verdicts(database: Path) -> int:
    if not database.exists():
        return 0
    connection = sqlite3.connect(database, timeout=10)
    try:
        (count,) = connection.execute("SELECT count(*) FROM verdict").fetchone()
        return int(count)
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        connection.close()


def test_interrupted_import_keeps_what_it_loaded_and_finishes_when_run_again(
    tmp_path: Path, scratch: Path
) -> None:
    archive = tmp_path / "archive.csv"
    _write_archive(archive, 200_000)
    database = tmp_path / "desk.db"
    url = f"sqlite:///{database}"
    environment = {**os.environ, "DATABASE_URL": url, "TMPDIR": str(scratch)}
    command = subprocess.Popen(
        [*_command(), "import", str(archive)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the whole process group, workers included
    )
    deadline = time.monotonic() + 120
    while _stored_verdicts(database) == 0 and command.poll() is None:
        assert time.monotonic() < deadline, "the import never committed a chunk"
        time.sleep(0.05)
    os.killpg(command.pid, signal.SIGINT)
    out, err = command.communicate(timeout=120)

    kept = _stored_verdicts(database)
    assert command.returncode == 130, (out, err)
    assert "import interrupted" in err and "Traceback" not in err
    assert 0 < kept < 200_000 - len(BAD_LINES)
    assert list(scratch.iterdir()) == []

    again = _run(["import", str(archive)], url, scratch)

    assert again.returncode == 0, again.stderr
    added = 200_000 - len(BAD_LINES) - kept
    assert again.stdout.strip() == f"{added} added, {kept} skipped as duplicates, 3 rejected"
    assert _stored_verdicts(database) == 200_000 - len(BAD_LINES)


def test_unreachable_database_is_one_line_and_leaves_no_scratch_files(
    tmp_path: Path, scratch: Path
) -> None:
    archive = tmp_path / "archive.csv"
    _write_archive(archive, 25_000)
    nobody_listens = "postgresql+psycopg://postgres@127.0.0.1:1/test"

    result = _run(["import", str(archive)], nobody_listens, scratch)

    assert result.returncode == 3
    assert result.stderr.startswith("factdesk: the database cannot be reached (")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(scratch.iterdir()) == []
