"""/export [format] [filters]: recorded verdicts as a document, for admins and reviewers."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from telegram import Update
from telegram.constants import ChatAction

from bot import keyboards, texts
from bot.context import BotContext
from bot.handlers.common import chat_id_of, in_private, reply, run
from domain.reports import ExportRequestError, PreparedExport, parse_export_words

#: What a deep link may carry (Telegram: up to 64 of A-Z, a-z, 0-9, _ and -).
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
EXPORT_PAYLOAD = "export"


def private_payload(words: list[str]) -> str:
    """The deep link's payload that repeats this export in the private chat: the words joined by
    `_` when they fit, else the plain default export."""
    payload = "_".join([EXPORT_PAYLOAD, *words])
    if any("_" in word for word in words) or not _PAYLOAD.fullmatch(payload):
        return EXPORT_PAYLOAD
    return payload


def words_of(payload: str) -> list[str]:
    return payload.split("_")[1:]


async def export(update: Update, context: BotContext) -> None:
    """`/export html since 2026-11-01`: write the export, then send it (zipped or split if big).

    Only in a private chat: in a group the desk's whole record would be posted to everyone in
    it, so the group gets a button to the private chat instead, carrying the same request.
    """
    message = update.effective_message
    assert message is not None
    if not in_private(update):
        payload = private_payload(list(context.args or []))
        markup = keyboards.open_private(context.bot.username, payload, texts.EXPORT_BUTTON)
        await reply(update, texts.EXPORT_IN_GROUP, markup)
        return
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
