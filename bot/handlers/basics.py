"""/help, unknown commands and the error handler."""

from __future__ import annotations

import logging

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.handlers.common import reply, run

logger = logging.getLogger(__name__)


async def help_command(update: Update, context: BotContext) -> None:
    await reply(update, texts.HELP)


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply(update, texts.UNKNOWN_COMMAND)


async def prune_updates(context: BotContext) -> None:
    """JobQueue callback: forget handled update ids older than a day."""
    pruned = await run(context.services.updates.prune)
    logger.debug("pruned %s handled update ids", pruned)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its update id and tell the reviewer that nothing was lost."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(texts.FAILED[:200], show_alert=True)
        elif update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, texts.FAILED)
    except Exception:  # the error report itself must never raise into PTB
        logger.exception("could not tell the user about the failure of update %s", update_id)
