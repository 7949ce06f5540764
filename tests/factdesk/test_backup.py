"""`factdesk db backup` and `factdesk db restore`, run as an operator runs them."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from db.engine import make_engine
from db.migrate import upgrade
from db.models import Claim, Verdict
from tests.factdesk.test_cli import _factdesk
from tests.support.seed import Seeded, seed_verdicts

ITEMS = [
    Seeded("Taxes rose 5% in 2024", "false", "https://fc.example/t", "Ann", datetime.now(UTC)),
    Seeded("Rents fell in Ohio", "true", "https://fc.example/r", "Bo", datetime.now(UTC)),
]


async def _run(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = await _factdesk(tmp_path, *args, **env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def _claim_texts(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Claim.text).order_by(col(Claim.id))).all())
    finally:
        engine.dispose()


def _verdict_count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(Verdict)).one())
    finally:
        engine.dispose()


async def test_backup_then_restore_brings_the_verdicts_back(
    tmp_path: Path, database_url: str
) -> None:
    if database_url.startswith("postgresql") and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    upgrade(database_url)
    engine = make_engine(database_url)
    seed_verdicts(engine, ITEMS)
    engine.dispose()
    backup = tmp_path / "factdesk.backup"

    code, stdout, stderr = await _run(
        tmp_path, "db", "backup", str(backup), DATABASE_URL=database_url
    )
    assert code == 0, stderr[-1500:]
    assert "backed up the database" in stdout and backup.stat().st_size > 0

    engine = make_engine(database_url)
    with engine.begin() as connection:  # after the backup, the claims are vandalised
        connection.execute(text("UPDATE claim SET text = 'vandalised'"))
    engine.dispose()
    assert _claim_texts(database_url) == ["vandalised", "vandalised"]

    code, stdout, stderr = await _run(
        tmp_path, "db", "restore", str(backup), "--yes", DATABASE_URL=database_url
    )
    assert code == 0, stderr[-1500:]
    assert _claim_texts(database_url) == [item.claim for item in ITEMS]
    assert _verdict_count(database_url) == 2


async def test_restore_asks_for_confirmation(tmp_path: Path, sqlite_url: str) -> None:
    upgrade(sqlite_url)
    backup = tmp_path / "b.db"
    code, _, stderr = await _run(tmp_path, "db", "backup", str(backup), DATABASE_URL=sqlite_url)
    assert code == 0, stderr
    code, _, stderr = await _run(tmp_path, "db", "restore", str(backup), DATABASE_URL=sqlite_url)
    assert code == 2
    assert stderr.strip().splitlines() == [stderr.strip()] and "--yes" in stderr


async def test_a_file_that_is_no_backup_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    upgrade(sqlite_url)
    junk = tmp_path / "junk.bin"
    junk.write_text("not a database")
    code, _, stderr = await _run(
        tmp_path, "db", "restore", str(junk), "--yes", DATABASE_URL=sqlite_url
    )
    assert code == 2
    assert "is not a SQLite backup" in stderr and len(stderr.strip().splitlines()) == 1
    assert _verdict_count(sqlite_url) == 0, "the database is untouched"


@pytest.mark.postgres
async def test_postgres_backup_without_pg_dump_is_one_line(
    tmp_path: Path, postgres_url: str
) -> None:
    code, _, stderr = await _run(
        tmp_path,
        "db",
        "backup",
        str(tmp_path / "pg.backup"),
        DATABASE_URL=postgres_url,
        PATH=str(tmp_path / "no-tools-here"),
    )
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "pg_dump is not on PATH" in lines[0]
