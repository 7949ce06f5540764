"""Wiring: the PTB Application, its handlers and its lifecycle. No behaviour lives here."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.handlers import articles, basics, walk
from bot.services import Services, attach, services
from factdesk.config import Settings

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "What this bot does"),
    BotCommand("help", "How to review, and the commands"),
    BotCommand("claim", "Show the claim under review again"),
    BotCommand("nosource", "Save Unverifiable without a link"),
    BotCommand("cancel", "Stop the current article"),
    BotCommand("export", "Export verdicts: /export csv"),
]


def build_application(settings: Settings, shared: Services | None = None) -> Application:  # type: ignore[type-arg]
    """The bot, ready to run by polling or webhook; `shared` lets tests bring their own engine."""
    application = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .post_init(_post_init)
        .build()
    )
    attach(application, shared or Services.build(settings))
    _add_handlers(application)
    return application


def _add_handlers(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("start", basics.start))
    application.add_handler(CommandHandler("help", basics.help_command))
    application.add_handler(CommandHandler("export", basics.export))
    application.add_handler(CommandHandler("cancel", walk.cancel))
    application.add_handler(CommandHandler("nosource", walk.no_source))
    application.add_handler(CommandHandler("claim", walk.current_claim))
    application.add_handler(CallbackQueryHandler(walk.on_button))
    application.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    application.add_handler(MessageHandler(filters.Document.ALL, articles.on_document))
    application.add_handler(
        MessageHandler((filters.TEXT | filters.CAPTION) & ~filters.COMMAND, articles.on_text)
    )
    application.add_error_handler(basics.on_error)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Register the command menu and load the archive before the first update arrives."""
    await application.bot.set_my_commands(COMMANDS)
    archive = application.bot_data["services"].archive
    await asyncio.to_thread(archive.refresh)
    logger.info("archive loaded: %s checked claims", len(archive))


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]

__all__ = ["ALLOWED_UPDATES", "COMMANDS", "build_application", "services"]
