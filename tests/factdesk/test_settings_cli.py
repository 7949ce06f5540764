"""Bad settings, a rejected token and database trouble, as an operator meets them: one line each."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from factdesk.logs import RedactingFormatter, register_secrets
from tests.conftest import ADMIN_ID, PG_ADMIN_URL
from tests.factdesk.test_cli import _factdesk, _free_port, _post_update
from tests.support.botapi import TOKEN, FakeBotApi

VALID_TOKEN = "987654:AAFakeButWellShapedToken_0123456789-xyz"


async def _run(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    process = await _factdesk(tmp_path, *args, **env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "foo://bar"),
        ("DATABASE_URL", "notaurl"),
        ("DATABASE_URL", "mysql://user@db.example.org/factdesk"),
        ("DATABASE_URL", "postgresql+nosuchdriver://user@db.example.org/factdesk"),
        ("TELEGRAM_API_URL", "notaurl"),
        ("TELEGRAM_API_URL", "https://"),
        ("TELEGRAM_FILE_URL", "ftp://files.example.org"),
        ("FACTDESK_WEBHOOK_URL", "http://bot.example.org"),
        ("FACTDESK_ORG_URL", "example"),
    ],
)
async def test_a_malformed_setting_is_one_line_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    code, _, stderr = await _run(tmp_path, "run", TELEGRAM_BOT_TOKEN=VALID_TOKEN, **{name: value})
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr[-1500:]
    assert name in lines[0]


async def test_a_misshapen_token_never_reaches_the_network(tmp_path: Path) -> None:
    code, _, stderr = await _run(
        tmp_path, "run", TELEGRAM_BOT_TOKEN="hello", TELEGRAM_API_URL="http://127.0.0.1:9/bot"
    )
    assert code == 2
    assert stderr.strip().splitlines() == [stderr.strip()]
    assert "TELEGRAM_BOT_TOKEN does not look like a bot token" in stderr
    assert "hello" not in stderr


@pytest.fixture
async def rejecting_api() -> AsyncIterator[tuple[str, list[str]]]:
    """A Bot API stand-in on 127.0.0.1 that answers every request 401, recording the paths."""
    paths: list[str] = []

    async def unauthorized(request: web.Request) -> web.Response:
        paths.append(request.path)
        return web.json_response(
            {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/bot", paths
    await runner.cleanup()


async def test_a_token_telegram_rejects_is_one_line_without_the_token(
    tmp_path: Path, rejecting_api: tuple[str, list[str]]
) -> None:
    api_url, paths = rejecting_api
    code, stdout, stderr = await _run(
        tmp_path, "run", TELEGRAM_BOT_TOKEN=VALID_TOKEN, TELEGRAM_API_URL=api_url
    )
    assert code == 2
    assert paths, "the token was checked with the server"
    output = stdout + stderr
    assert VALID_TOKEN not in output and VALID_TOKEN.split(":")[1] not in output
    assert "Traceback" not in output
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "rejected TELEGRAM_BOT_TOKEN" in lines[0], stderr[-1500:]


def test_tracebacks_in_log_records_are_scrubbed() -> None:
    register_secrets([VALID_TOKEN])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{VALID_TOKEN}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "token %s", (VALID_TOKEN,), exc_info=sys.exc_info()
        )
    rendered = RedactingFormatter("%(message)s").format(record)
    assert VALID_TOKEN not in rendered and VALID_TOKEN.split(":")[1] not in rendered
    assert "bot<token>/getMe" in rendered and "token <token>" in rendered


async def test_search_and_export_migrate_a_new_database(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, stdout, stderr = await _run(tmp_path, "search", "jobs", DATABASE_URL=database)
    assert code == 0, stderr[-1500:]
    assert "no archived claim matches" in stdout
    database = f"sqlite:///{tmp_path / 'fresh2.db'}"
    code, stdout, stderr = await _run(tmp_path, "export", "csv", DATABASE_URL=database)
    assert code == 0, stderr[-1500:]
    assert stdout.startswith("claim_id") or stdout.splitlines()[0].count(",") >= 3


async def test_an_unreachable_database_says_so_exit_3(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:9/test"
    code, _, stderr = await _run(tmp_path, "search", "jobs", DATABASE_URL=url)
    assert code == 3
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be reached" in lines[0] and "try again" in lines[0]


@pytest.mark.postgres
async def test_a_refused_login_says_so_exit_2(tmp_path: Path, postgres_url: str) -> None:
    head, _, tail = PG_ADMIN_URL.partition("://")
    host = tail.split("@", 1)[-1]
    url = f"{head}://factdesk_no_such_role:secret-pw@{host}"
    code, _, stderr = await _run(tmp_path, "search", "jobs", DATABASE_URL=url)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the login" in lines[0] and "try again" not in lines[0]
    assert "secret-pw" not in stderr


async def test_webhook_without_a_secret_generates_one_and_serves_healthz(
    tmp_path: Path, fake_telegram: FakeBotApi
) -> None:
    port = _free_port()
    process = await _factdesk(
        tmp_path,
        "run",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=fake_telegram.base_url,
        FACTDESK_ADMINS=str(ADMIN_ID),
        FACTDESK_WEBHOOK_URL="https://factdesk.example.org",
        FACTDESK_WEBHOOK_PORT=str(port),
    )
    try:
        registered = await fake_telegram.wait_for("setWebhook", timeout=60)
        secret = str(registered.params["secret_token"])
        assert len(secret) >= 32
        assert await _post_update(port, {"update_id": 1}, "guess") == 403
        async with httpx.AsyncClient(trust_env=False) as client:
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert health.status_code == 200 and health.json()["database"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    log = stderr.decode()
    assert process.returncode == 0, log[-2000:]
    assert "generated a webhook secret" in log and secret not in log
    assert "Factdesk stopped" in log
