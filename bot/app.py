"""Wiring: the PTB Application, its handlers and its lifecycle. No behaviour lives here."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import CONTEXT_TYPES, FactdeskApp, attach
from bot.delivery import RetryingRateLimiter
from bot.gate import gate
from bot.handlers import articles, basics, disputes, export, queues, records, stats, team, walk
from bot.polling import UpdateFeed, use_feed
from factdesk.config import Settings
from services.registry import Services

logger = logging.getLogger(__name__)

COMMANDS = [
    BotCommand("start", "What this bot does"),
    BotCommand("help", "How to review, and the commands"),
    BotCommand("claim", "The claim under review, or /claim <id>"),
    BotCommand("nosource", "Save Unverifiable without a link"),
    BotCommand("cancel", "Stop the current article"),
    BotCommand("more", "The claims beyond an article's first ones"),
    BotCommand("export", "Export verdicts: /export csv|json|claimreview|html"),
    BotCommand("next", "Take the next claim from the queue"),
    BotCommand("queue", "Pending claims, oldest first"),
    BotCommand("mine", "Your assigned claims and recent verdicts"),
    BotCommand("undo", "Retract your last verdict (10 minutes)"),
    BotCommand("disputed", "Claims reviewers disagree on (admins)"),
    BotCommand("team", "The desk's members (admins)"),
    BotCommand("invite", "A one-time invite link (admins)"),
    BotCommand("history", "Every verdict and assignment of a claim: /history <id>"),
    BotCommand("article", "Progress of an article: /article <id>"),
    BotCommand("search", "Search checked claims: /search <text>"),
    BotCommand("stats", "Desk statistics: /stats [week|month|all]"),
]


def build_application(settings: Settings, shared: Services | None = None) -> FactdeskApp:
    """The bot, ready to run by polling or webhook; `shared` lets tests bring their own engine."""
    feed = UpdateFeed(connection_pool_size=1)
    application = (
        ApplicationBuilder()
        .context_types(CONTEXT_TYPES)
        .token(settings.require_token())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.file_url)
        .rate_limiter(RetryingRateLimiter(_rate_limiter(settings), others=_no_rate()))
        .read_timeout(settings.factdesk_telegram_timeout)
        .get_updates_request(feed)
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    attach(application, shared or Services.build(settings))
    use_feed(application, feed)
    _add_handlers(application)
    _schedule_digest(application, settings)
    if application.job_queue is not None:
        application.job_queue.run_repeating(basics.prune_updates, interval=3600, first=60)
        application.job_queue.run_repeating(basics.fill_embeddings, interval=30, first=30)
        application.job_queue.run_repeating(basics.save_index, interval=2, first=2)
    return application


def _rate_limiter(settings: Settings) -> AIORateLimiter:
    """Telegram's limits for messages (30 a second, 20 a minute per group); with
    FACTDESK_RATE_LIMIT=false no throttling, but a 429 from the server is still waited out."""
    if settings.factdesk_rate_limit:
        return AIORateLimiter(max_retries=3)
    return _no_rate()


def _no_rate() -> AIORateLimiter:
    """No throttling; a 429 from the server is still waited out."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)


def _add_handlers(application: FactdeskApp) -> None:
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handler(CommandHandler("start", team.start))
    application.add_handler(CommandHandler("help", basics.help_command))
    application.add_handler(CommandHandler("export", export.export))
    application.add_handler(CommandHandler("cancel", walk.cancel))
    application.add_handler(CommandHandler("nosource", walk.no_source))
    application.add_handler(CommandHandler("more", walk.more))
    application.add_handler(CommandHandler("claim", records.claim))
    _add_team_handlers(application)
    application.add_handler(CallbackQueryHandler(walk.on_button))
    application.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    private = filters.ChatType.PRIVATE  # claims are never reviewed in a group
    application.add_handler(
        MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, disputes.on_reply)
    )
    application.add_handler(MessageHandler(filters.Document.ALL & private, articles.on_document))
    application.add_handler(
        MessageHandler(
            (filters.TEXT | filters.CAPTION) & ~filters.COMMAND & private, articles.on_text
        )
    )
    application.add_error_handler(basics.on_error)


def _add_team_handlers(application: FactdeskApp) -> None:
    """Team, queue and dispute commands; page and settle buttons go before the verdict buttons."""
    commands = {
        "invite": team.invite,
        "addreviewer": team.add_reviewer,
        "removereviewer": team.remove_reviewer,
        "team": team.team,
        "next": queues.next_claim,
        "queue": queues.queue,
        "mine": queues.mine,
        "disputed": disputes.disputed,
        "undo": disputes.undo,
        "history": records.history,
        "article": records.article,
        "search": records.search,
        "stats": stats.stats,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback))
    application.add_handler(CallbackQueryHandler(queues.on_page, pattern=r"^p:"))
    application.add_handler(CallbackQueryHandler(disputes.on_settle, pattern=r"^d:"))
    application.add_handler(CallbackQueryHandler(articles.on_text_choice, pattern=r"^x:"))
    application.add_handler(CallbackQueryHandler(walk.on_claim_tool, pattern=r"^[ve]:"))
    application.add_handler(CallbackQueryHandler(articles.on_reuse_all, pattern=r"^w:"))


def _schedule_digest(application: FactdeskApp, settings: Settings) -> None:
    """The optional daily digest of the queue to the team group (FACTDESK_DIGEST_*)."""
    chat_id, at = settings.factdesk_digest_chat_id, settings.factdesk_digest_time
    if chat_id is None or at is None or application.job_queue is None:
        return
    when = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    application.job_queue.run_daily(stats.digest, when, name="digest", chat_id=chat_id)


def services_of(application: FactdeskApp) -> Services:
    found = application.bot_data["services"]
    assert isinstance(found, Services)
    return found


async def _post_init(application: FactdeskApp) -> None:
    """Register the command menu, load the archive and the extraction models before the first
    update arrives."""
    await application.bot.set_my_commands(COMMANDS)
    shared = services_of(application)
    await asyncio.gather(
        asyncio.to_thread(shared.archive.load, shared.db),
        asyncio.to_thread(shared.review.warm_up),
    )
    logger.info("archive loaded: %s checked claims", len(shared.archive))


async def _post_shutdown(application: FactdeskApp) -> None:
    """Close the database connections: on SQLite the last close folds the write-ahead log in."""
    services_of(application).close()


ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]

__all__ = ["ALLOWED_UPDATES", "COMMANDS", "build_application", "services_of"]
