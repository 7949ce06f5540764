"""/export [format] [filters]: recorded verdicts as a document, for admins and reviewers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction

from bot import texts
from bot.context import BotContext
from bot.handlers.common import chat_id_of, reply, run
from domain.reports import ExportRequestError, PreparedExport, parse_export_words


async def export(update: Update, context: BotContext) -> None:
    """`/export html since 2026-11-01`: write the export, then send it (zipped or split if big)."""
    message = update.effective_message
    assert message is not None
    try:
        request = parse_export_words(list(context.args or []))
    except ExportRequestError as error:
        await reply(update, texts.export_usage(str(error)))
        return
    # "sending a file…" at the top of the chat while a big export is written and uploaded
    await context.bot.send_chat_action(chat_id_of(update), ChatAction.UPLOAD_DOCUMENT)
    with tempfile.TemporaryDirectory(prefix="factdesk-export-") as directory:
        prepared = await run(context.services.reports.export_for_upload, request, Path(directory))
        await _send(update, prepared, request.describe())


async def _send(update: Update, prepared: PreparedExport, filters: str) -> None:
    message = update.effective_message
    assert message is not None
    if prepared.count == 0:
        await reply(update, texts.EXPORT_EMPTY)
        return
    for part in prepared.parts:
        with part.path.open("rb") as document:
            await message.reply_document(
                document=document,
                filename=part.filename,
                caption=texts.export_caption(
                    prepared.count, filters, part.number, part.of, prepared.compressed
                ),
            )
