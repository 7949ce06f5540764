"""The `factdesk` command as an operator runs it: a real subprocess against the fake Telegram."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_ID, shown
from tests.support.botapi import TOKEN, FakeBotApi


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "FACTDESK_", "DATABASE_URL"))
    }
    env.update({"NO_PROXY": "127.0.0.1,localhost", "PTB_TIMEDELTA": "1"})
    env.update(values)
    return env


async def _factdesk(tmp_path: Path, *args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "factdesk",
        *args,
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_missing_token_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    process = await _factdesk(tmp_path, "run")
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in stderr.decode()


async def test_malformed_setting_names_the_variable(tmp_path: Path) -> None:
    process = await _factdesk(
        tmp_path, "run", TELEGRAM_BOT_TOKEN=TOKEN, FACTDESK_ADMINS="12, alice"
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    text = stderr.decode().strip()
    assert "FACTDESK_ADMINS" in text and "alice" in text and len(text.splitlines()) == 1


async def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'fromenv.db'}\n")
    process = await _factdesk(tmp_path, "db", "upgrade")
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    assert (tmp_path / "fromenv.db").exists()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_run_serves_updates_and_stops_cleanly(
    tmp_path: Path, fake_telegram: FakeBotApi, stop_signal: signal.Signals
) -> None:
    process = await _factdesk(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake_telegram.base_url,
        TELEGRAM_FILE_URL=fake_telegram.base_file_url,
        FACTDESK_ADMINS=str(ADMIN_ID),
        FACTDESK_LOG_LEVEL="DEBUG",
    )
    try:
        await fake_telegram.wait_for("getUpdates", timeout=60)
        fake_telegram.send_text(ADMIN_ID, "/start")
        await fake_telegram.wait_for_message(ADMIN_ID, lambda m: "Factdesk" in shown(m))
    finally:
        process.send_signal(stop_signal)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "Factdesk is starting" in log and "Factdesk stopped" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert (tmp_path / "factdesk.db").exists(), "the default database is created in the cwd"
