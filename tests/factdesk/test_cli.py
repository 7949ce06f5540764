"""The `factdesk` command as an operator runs it: a real subprocess against the fake Telegram."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
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
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
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
        FACTDESK_POLL_TIMEOUT="1",
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
    assert not (tmp_path / "factdesk.db-wal").exists(), "connections closed on stop"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _post_update(port: int, update: dict[str, object], secret: str) -> int:
    """Deliver an update as Telegram does, retrying while the bot's web server starts."""
    url = f"http://127.0.0.1:{port}/telegram"
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with httpx.AsyncClient(trust_env=False) as client:
        for _ in range(100):
            try:
                response = await client.post(url, json=update, headers=headers)
                return response.status_code
            except httpx.TransportError:
                await asyncio.sleep(0.2)
    raise AssertionError("the webhook server never came up")


async def test_webhook_mode_serves_updates_with_the_secret_only(
    tmp_path: Path, fake_telegram: FakeBotApi
) -> None:
    port, secret = _free_port(), "s3cret-webhook-token"
    process = await _factdesk(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake_telegram.base_url,
        FACTDESK_ADMINS=str(ADMIN_ID),
        FACTDESK_WEBHOOK_URL="https://factdesk.example.org",
        FACTDESK_WEBHOOK_LISTEN="127.0.0.1",
        FACTDESK_WEBHOOK_PORT=str(port),
        FACTDESK_WEBHOOK_SECRET=secret,
    )
    start = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Ann"},
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Ann"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    try:
        registered = await fake_telegram.wait_for("setWebhook", timeout=60)
        assert registered.params["url"] == "https://factdesk.example.org/telegram"
        assert await _post_update(port, start, "wrong") == 403
        assert await _post_update(port, start, secret) == 200
        await fake_telegram.wait_for(
            "sendMessage", lambda c: "Factdesk" in str(c.params.get("text")), timeout=30
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert secret not in log and TOKEN not in log
