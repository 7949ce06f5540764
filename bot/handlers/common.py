"""What handlers share: running blocking service calls off the loop, replying, editing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot import callbacks, team_texts, texts
from bot.context import BotContext
from domain.access import Member, Person
from services.updates import AlreadyHandled

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def run(func: Callable[..., T], *args: Any) -> T:
    """Services are synchronous (SQLAlchemy sessions); keep the event loop free while they work.

    A redelivered update stops at its first write, silently: its effect and replies happened.
    """
    try:
        return await asyncio.to_thread(func, *args)
    except AlreadyHandled as handled:
        logger.info("update %s was handled before; this delivery changes nothing", handled)
        raise ApplicationHandlerStop from None


def person(update: Update) -> Person | None:
    user = update.effective_user
    if user is None:
        return None
    return Person(telegram_id=user.id, name=user.full_name, username=user.username)


async def admin_or_refuse(update: Update, context: BotContext) -> Member | None:
    """The sender if an admin; members who are not get told so."""
    member = context.the_member
    if member.is_admin:
        return member
    logger.warning(
        "update %s: reviewer %s refused an admin action", update.update_id, member.reviewer_id
    )
    if update.callback_query is not None:
        await update.callback_query.answer(team_texts.ADMINS_ONLY_SHORT, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(team_texts.ADMINS_ONLY)
    return None


async def pressed_button(update: Update) -> callbacks.Callback | None:
    """What the button says; forged or outdated data is answered here."""
    query = update.callback_query
    assert query is not None
    try:
        return callbacks.decode(query.data)
    except callbacks.BadCallback:
        logger.warning("update %s: unknown callback data %r", update.update_id, query.data)
        await query.answer(texts.BAD_CALLBACK, show_alert=True)
        return None


def button_message_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query and query.message else None


async def reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    """Reply in HTML, split under Telegram's length limit; the keyboard goes on the last part."""
    message = update.effective_message
    assert message is not None
    parts = texts.split_message(text)
    sent = message
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent = await message.reply_html(
            part, reply_markup=markup if last else None, disable_web_page_preview=True
        )
    return sent


async def edit(
    context: BotContext,
    chat_id: int,
    message_id: int | None,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit a message, tolerating one that is gone or already shows this text (double taps)."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except BadRequest as error:
        if "not modified" not in str(error).lower() and "not found" not in str(error).lower():
            raise
        logger.debug("edit of message %s skipped: %s", message_id, error)


async def edit_markup_off(context: BotContext, chat_id: int, message_id: int | None) -> None:
    """Take the buttons off a message whose choice was made (a message already bare is fine)."""
    if message_id is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as error:
        logger.debug("buttons of message %s left: %s", message_id, error)


def user_text(message: Message) -> str:
    """What the user wrote (text or caption), without NUL characters: PostgreSQL cannot store
    them, and no reader needs them."""
    return (message.text or message.caption or "").replace("\x00", "")


def chat_id_of(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def in_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == "private"
