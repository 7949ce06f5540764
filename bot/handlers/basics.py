"""/start, /help, unknown commands and the error handler."""

from __future__ import annotations

import io
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.common import member_or_refuse, reply, run
from bot.services import services

logger = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await member_or_refuse(update, context) is not None:
        await reply(update, texts.WELCOME)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await member_or_refuse(update, context) is not None:
        await reply(update, texts.HELP)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if await member_or_refuse(update, context) is not None:
        await reply(update, texts.UNKNOWN_COMMAND)


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export csv: every recorded verdict as a document."""
    message = update.effective_message
    assert message is not None
    if await member_or_refuse(update, context) is None:
        return
    args = [arg.lower() for arg in (context.args or [])]
    if args[:1] not in ([], ["csv"]):
        await reply(update, texts.EXPORT_USAGE)
        return
    buffer = io.StringIO()
    count = await run(services(context).reports.write_csv, buffer)
    if count == 0:
        await reply(update, texts.EXPORT_EMPTY)
        return
    data = buffer.getvalue().encode("utf-8")
    await message.reply_document(
        document=data, filename="factdesk-verdicts.csv", caption=texts.export_caption(count)
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
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
