"""/disputed with settlement buttons for admins, and /undo for everyone."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from bot import keyboards, team_texts, texts
from bot.context import BotContext
from bot.handlers.common import (
    admin_or_refuse,
    button_message_id,
    chat_id_of,
    edit,
    pressed_button,
    reply,
    run,
)
from bot.handlers.walk import send_notices
from domain.disputes import Refused
from domain.verdicts import Rating

logger = logging.getLogger(__name__)


async def disputed(update: Update, context: BotContext) -> None:
    """/disputed: each disputed claim as its own message with the settle buttons."""
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    found = await run(context.services.disputes.disputed, member)
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


async def on_settle(update: Update, context: BotContext) -> None:
    """A settle button: the admin's final verdict on a disputed claim."""
    query = update.callback_query
    data = await pressed_button(update)
    if query is None or data is None:
        return
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    try:
        rating = Rating(data.choice)
    except ValueError:  # skip is a choice on verdict buttons, not a settlement
        logger.warning("update %s: bad settle data %r", update.update_id, query.data)
        await query.answer(texts.BAD_CALLBACK, show_alert=True)
        return
    result = await run(context.services.disputes.settle, member, data.claim_id, rating)
    if isinstance(result, Refused):
        if not await run(context.services.updates.seen, update.update_id):
            await query.answer(result.reason, show_alert=True)
        return
    await query.answer()
    await edit(
        context,
        chat_id_of(update),
        button_message_id(update),
        team_texts.settled(result, member.name),
    )
    await send_notices(context, result.notices)


async def undo(update: Update, context: BotContext) -> None:
    """/undo: retract the caller's last verdict (within the undo window); its message says so."""
    result = await run(context.services.disputes.undo, context.the_member)
    if isinstance(result, Refused):
        await reply(update, result.reason)
        return
    await edit(context, chat_id_of(update), result.message_id, team_texts.retracted_card(result))
    await reply(update, team_texts.undone(result))
