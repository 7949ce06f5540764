"""/disputed with settlement buttons for admins, and /undo for everyone."""

from __future__ import annotations

import logging
from html import escape

from telegram import ForceReply, Update
from telegram.constants import ParseMode

from bot import keyboards, team_texts, texts
from bot.context import BotContext
from bot.handlers import articles
from bot.handlers.common import (
    admin_or_refuse,
    button_message_id,
    chat_id_of,
    edit,
    in_private,
    pressed_button,
    reply,
    run,
    user_text,
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
    chat_id, message_id = chat_id_of(update), button_message_id(update)
    disputes_ = context.services.disputes
    asked = await run(
        disputes_.choose_settlement, member, chat_id, data.claim_id, rating, message_id
    )
    if isinstance(asked, Refused):
        if not await run(context.services.updates.seen, update.update_id):
            await query.answer(asked.reason, show_alert=True)
        return
    await query.answer()
    await edit(context, chat_id, message_id, team_texts.settling(asked.claim_id, rating))
    await context.bot.send_message(
        chat_id,
        team_texts.settle_reason(asked.claim_id, rating),
        reply_markup=ForceReply(selective=True, input_field_placeholder="The reason"),
    )


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's messages: a settlement's reason, or else (in a private chat)
    any text, handled as usual."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    asked = message.reply_to_message
    claim_id = None
    if asked.from_user is not None and asked.from_user.id == context.bot.id:
        claim_id = team_texts.reason_asked_for(asked.text)
    result = None
    if claim_id is not None and context.the_member.is_admin:
        chat_id = chat_id_of(update)
        result = await run(
            context.services.disputes.settle_with_reason,
            context.the_member,
            chat_id,
            claim_id,
            user_text(message),
        )
    if isinstance(result, Refused):
        await reply(update, escape(result.reason, quote=False))
    elif result is not None:
        text = team_texts.settled(result, context.the_member.name)
        await edit(context, chat_id_of(update), result.message_id, text)
        await reply(update, text)
        await send_notices(context, result.notices)
    elif in_private(update):
        await articles.on_text(update, context)


async def undo(update: Update, context: BotContext) -> None:
    """/undo: retract the caller's last verdict (within the undo window); its message says so."""
    result = await run(context.services.disputes.undo, context.the_member)
    if isinstance(result, Refused):
        await reply(update, result.reason)
        return
    await edit(context, chat_id_of(update), result.message_id, team_texts.retracted_card(result))
    await reply(update, team_texts.undone(result))
