"""/disputed with settlement buttons for admins, and /undo for everyone."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import keyboards, team_texts, texts
from bot.handlers.common import (
    admin_or_refuse,
    chat_id_of,
    edit,
    member_or_refuse,
    pressed_button,
    reply,
    run,
)
from bot.handlers.walk import send_notices
from bot.services import services
from domain.disputes import Refused
from domain.verdicts import Rating

logger = logging.getLogger(__name__)


async def disputed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/disputed: each disputed claim as its own message with the settle buttons."""
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    found = await run(services(context).disputes.disputed, member)
    if isinstance(found, Refused):
        await reply(update, found.reason)
        return
    if not found:
        await reply(update, team_texts.NO_DISPUTES)
    for item in found:
        await context.bot.send_message(
            chat_id_of(update),
            team_texts.dispute(item),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.settle_keyboard(item.claim_id),
            disable_web_page_preview=True,
        )


async def on_settle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A settle button: the admin's final verdict on a disputed claim."""
    query = update.callback_query
    pressed = await pressed_button(update, context, admin=True)
    if query is None or pressed is None:
        return
    member, data = pressed
    try:
        rating = Rating(data.choice)
    except ValueError:  # skip is a choice on verdict buttons, not a settlement
        logger.warning("update %s: bad settle data %r", update.update_id, query.data)
        await query.answer(texts.BAD_CALLBACK, show_alert=True)
        return
    result = await run(services(context).disputes.settle, member, data.claim_id, rating)
    if isinstance(result, Refused):
        await query.answer(result.reason, show_alert=True)
        return
    await query.answer()
    message_id = query.message.message_id if query.message else None
    await edit(context, chat_id_of(update), message_id, team_texts.settled(result, member.name))
    await send_notices(context, result.notices)


async def undo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/undo: retract the caller's last verdict (within the undo window)."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    result = await run(services(context).disputes.undo, member)
    if isinstance(result, Refused):
        await reply(update, result.reason)
        return
    await reply(update, team_texts.undone(result))
