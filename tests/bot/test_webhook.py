"""The webhook server as Telegram and the orchestrator meet it, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

import httpx
import pytest

from bot.app import build_application
from bot.webhook import SECRET_HEADER, serve_webhook
from db.engine import make_engine
from db.migrate import upgrade
from db.uow import Database
from services.health import database_answers
from tests.conftest import ADMIN_ID, make_settings, shown
from tests.support.botapi import FakeBotApi

Serve = Callable[..., Awaitable[tuple[str, str]]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_update(update_id: int = 1) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": ADMIN_ID, "type": "private", "first_name": "Alma"},
            "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Alma"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
async def serve(fake_telegram: FakeBotApi, sqlite_url: str) -> AsyncIterator[Serve]:
    """Start the webhook server; returns its base URL and the secret Telegram was given."""
    upgrade(sqlite_url)
    stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> tuple[str, str]:
        port = _free_port()
        settings = make_settings(
            fake_telegram,
            sqlite_url,
            factdesk_webhook_url="https://factdesk.example.org",
            factdesk_webhook_port=port,
            **overrides,
        )
        application = build_application(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(serve_webhook(application, settings, stop=stop))
        stops.append((stop, task))
        registered = await fake_telegram.wait_for("setWebhook", timeout=30)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(100):
                try:
                    await client.get(f"{base}/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        return base, str(registered.params["secret_token"])

    yield start
    for stop, task in stops:
        stop.set()
        await asyncio.wait_for(task, 30)


async def _post(base: str, update: dict[str, Any], secret: str | None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{base}/telegram", json=update, headers=headers)
        return response.status_code


async def test_a_generated_secret_guards_the_webhook(
    serve: Serve, fake_telegram: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        base, secret = await serve()
    assert len(secret) >= 32
    assert "generated a webhook secret" in caplog.text and secret not in caplog.text
    assert await _post(base, _start_update(1), None) == 403
    assert await _post(base, _start_update(2), "wrong") == 403
    assert await _post(base, _start_update(3), secret) == 200
    await fake_telegram.wait_for_message(ADMIN_ID, lambda m: "Factdesk" in shown(m))
    assert len(fake_telegram.bot_messages(ADMIN_ID)) == 1, "the refused updates did nothing"


async def test_a_configured_secret_is_the_one_telegram_gets(serve: Serve) -> None:
    base, secret = await serve(factdesk_webhook_secret="configured-secret_123")
    assert secret == "configured-secret_123"
    assert await _post(base, _start_update(), "configured-secret_123") == 200


async def test_healthz_reports_the_database_and_the_last_update(
    serve: Serve, fake_telegram: FakeBotApi
) -> None:
    base, secret = await serve()
    async with httpx.AsyncClient(trust_env=False) as client:
        before = await client.get(f"{base}/healthz")
        assert before.status_code == 200
        assert before.json() == {"status": "ok", "database": "ok", "last_update": None}
        assert await _post(base, _start_update(), secret) == 200
        after = (await client.get(f"{base}/healthz")).json()
    assert after["last_update"] is not None and after["last_update"].endswith("+00:00")


async def test_healthz_is_503_when_the_database_is_down(
    fake_telegram: FakeBotApi, sqlite_url: str
) -> None:
    upgrade(sqlite_url)
    port = _free_port()
    settings = make_settings(
        fake_telegram,
        sqlite_url,
        factdesk_webhook_url="https://factdesk.example.org",
        factdesk_webhook_port=port,
    )
    down = make_engine(
        "postgresql+psycopg://postgres@127.0.0.1:9/factdesk", connect_args={"connect_timeout": 2}
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve_webhook(
            build_application(settings),
            settings,
            probe=partial(database_answers, Database(down)),
            stop=stop,
        )
    )
    try:
        await fake_telegram.wait_for("setWebhook", timeout=30)
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(100):
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        down.dispose()


async def test_listening_everywhere_without_a_secret_is_warned(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await serve(factdesk_webhook_listen="0.0.0.0")
    assert "listens on all interfaces" in caplog.text


async def test_the_default_listen_address_is_loopback(fake_telegram: FakeBotApi) -> None:
    settings = make_settings(fake_telegram, "sqlite://")
    assert settings.factdesk_webhook_listen == "127.0.0.1"


async def test_a_body_that_is_not_an_update_is_400(serve: Serve) -> None:
    base, secret = await serve()
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(
            f"{base}/telegram", content=b"{not json", headers={SECRET_HEADER: secret}
        )
        assert response.status_code == 400
        forged = await client.post(f"{base}/telegram", content=b"x" * 10, headers={})
        assert forged.status_code == 403
