"""The webhook server: Telegram's updates in, and /healthz for the proxy and the orchestrator.

PTB's built-in webhook server has no room for other routes, so this follows PTB's
`customwebhookbot/starlettebot.py`: a small Starlette app under uvicorn hands each update to
`application.process_update` and answers Telegram only once it is handled; the Application runs
without its Updater doing the serving.

Security defaults, because the webhook is the bot's front door (a POST claiming to be an admin
is otherwise obeyed):
- every update must carry Telegram's `X-Telegram-Bot-Api-Secret-Token`, compared in constant
  time; when `FACTDESK_WEBHOOK_SECRET` is unset a strong secret is generated at start and given
  to Telegram with `setWebhook` (logged that it happened, never its value);
- the server listens on 127.0.0.1 unless told otherwise (a reverse proxy terminates HTTPS in
  front of it); listening on every interface without a configured secret is logged as a warning,
  since several replicas would each generate their own secret and refuse each other's updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from factdesk.config import Settings
from factdesk.logs import register_secrets

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000  # an update is a few KB; anything bigger is not from Telegram
_ALL_INTERFACES = {"0.0.0.0", "::", "", "*"}

HealthProbe = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """Where Telegram posts, where the server listens, and the secret both sides share."""

    url: str
    listen: str
    port: int
    secret: str = field(repr=False)
    secret_generated: bool


def webhook_config(settings: Settings) -> WebhookConfig:
    """The webhook's settings, with a secret generated when none is configured."""
    if not settings.factdesk_webhook_url:
        raise ValueError("FACTDESK_WEBHOOK_URL is not set")
    configured = settings.factdesk_webhook_secret
    secret = configured.get_secret_value() if configured else ""
    generated = not secret
    if generated:
        secret = secrets.token_urlsafe(32)  # 43 characters of [A-Za-z0-9_-], as Telegram allows
        register_secrets([secret])
        logger.info(
            "FACTDESK_WEBHOOK_SECRET is not set: generated a webhook secret for this process"
        )
    listen = settings.factdesk_webhook_listen
    if listen in _ALL_INTERFACES and generated:
        logger.warning(
            "the webhook server listens on all interfaces (%s) without FACTDESK_WEBHOOK_SECRET: "
            "run one replica only, or set the same secret on every replica",
            listen or "*",
        )
    return WebhookConfig(
        url=f"{settings.factdesk_webhook_url.rstrip('/')}/{WEBHOOK_PATH}",
        listen=listen,
        port=settings.factdesk_webhook_port,
        secret=secret,
        secret_generated=generated,
    )


@dataclass(slots=True)
class _State:
    last_update: float | None = None


def build_web_app(
    application: Application,  # type: ignore[type-arg]
    *,
    secret: str,
    probe: HealthProbe,
) -> Starlette:
    """The ASGI app: POST /telegram feeds the update queue, GET /healthz reports health."""
    state = _State()
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        offered = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(offered, expected):
            return Response(status_code=HTTPStatus.FORBIDDEN)
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            return Response(status_code=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            return Response(status_code=HTTPStatus.BAD_REQUEST)
        state.last_update = time.time()
        # Answered once handled: Telegram sends an update again until it gets its 200, so a
        # bot that dies mid-update loses nothing (and the database keeps each effect once).
        await application.process_update(update)
        return Response()

    async def healthz(_: Request) -> JSONResponse:
        database = await asyncio.to_thread(probe)
        last = state.last_update
        body = {
            "status": "ok" if database else "unavailable",
            "database": "ok" if database else "unreachable",
            "last_update": None if last is None else datetime.fromtimestamp(last, UTC).isoformat(),
        }
        status = HTTPStatus.OK if database else HTTPStatus.SERVICE_UNAVAILABLE
        return JSONResponse(body, status_code=status)

    return Starlette(
        routes=[
            Route(f"/{WEBHOOK_PATH}", telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `serve_webhook` owns SIGINT/SIGTERM, so a stop
    shuts the Application down cleanly instead of uvicorn re-raising the signal afterwards."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_webhook(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    *,
    probe: HealthProbe | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Register the webhook with Telegram and serve until SIGINT/SIGTERM (or `stop` is set)."""
    from bot.app import ALLOWED_UPDATES
    from services.health import database_answers
    from services.registry import Services

    config = webhook_config(settings)
    if probe is None:
        found = application.bot_data["services"]
        assert isinstance(found, Services)
        probe = partial(database_answers, found.db)
    app = build_web_app(application, secret=config.secret, probe=probe)
    server = _Server(
        uvicorn.Config(
            app,
            host=config.listen or "0.0.0.0",
            port=config.port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
    )
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)

    async def stop_server() -> None:
        await stop.wait()
        server.should_exit = True

    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(
            url=config.url, secret_token=config.secret, allowed_updates=ALLOWED_UPDATES
        )
        await application.start()
        logger.info("webhook server listening on %s:%s", config.listen, config.port)
        watcher = asyncio.create_task(stop_server())
        try:
            await server.serve()
        finally:
            watcher.cancel()
            await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def run_webhook(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """`factdesk run` in webhook mode: blocks until SIGINT/SIGTERM."""
    asyncio.run(serve_webhook(application, settings))


__all__ = [
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "WebhookConfig",
    "build_web_app",
    "run_webhook",
    "serve_webhook",
    "webhook_config",
]
