"""/help, unknown commands and the error handler."""

from __future__ import annotations

import logging
from functools import partial

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


async def fill_embeddings(context: BotContext) -> None:
    """JobQueue callback: embed a page of archived claims still matched by words only (after a
    large `factdesk import --embed later`), so the running bot completes the archive."""
    filled = await run(partial(context.services.archive.fill_embeddings, limit=2048))
    if filled:
        logger.info("embedded %s archived claims in the background", filled)


async def save_index(context: BotContext) -> None:
    """JobQueue callback: commit the claims the archive took in since the last save (see
    `ClaimArchive.save`: never once per verdict, which would cost each press a disk write)."""
    await run(context.services.archive.save)


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
