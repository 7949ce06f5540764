"""The gate every update passes first: who is it, and may they use the bot at all.

Registered in an earlier group than every other handler. Members go on with `context.member`
set; strangers get a polite refusal and the update stops here, so no handler repeats the check.
The one thing a stranger may do is open an invite link (`/start <code>`).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.context import BotContext
from bot.handlers.common import person, run
from bot.polling import is_fresh

logger = logging.getLogger(__name__)


async def gate(update: Update, context: BotContext) -> None:
    who = person(update)
    if who is None:  # channel posts and the like: nobody to answer
        raise ApplicationHandlerStop
    updates = context.services.updates
    updates.begin(update.update_id)
    # A message may be answered before its effect is written ("Reading…"), so a redelivered one
    # is dropped here. A button's first step is its write, which refuses a redelivery by itself
    # (and a refused tap looks before answering), so a press costs no extra transaction; nor
    # does a message the poller knows to be new.
    may_repeat = update.callback_query is None and not is_fresh(context.bot_data, update.update_id)
    if may_repeat and await run(updates.seen, update.update_id):
        logger.info("update %s was handled before; dropped", update.update_id)
        raise ApplicationHandlerStop
    context.member = await run(context.services.access.member, who)
    if context.member is not None or _opens_invite(update):
        return
    logger.info("refused update %s from a non-member", update.update_id)
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_A_MEMBER_SHORT, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.not_a_member(who.telegram_id))
    raise ApplicationHandlerStop


def _opens_invite(update: Update) -> bool:
    message = update.message
    if message is None or not message.text:
        return False
    words = message.text.split()
    return (
        len(words) == 2
        and words[0].split("@")[0] == "/start"
        and words[1] not in ("next", "claim")
        and words[1].split("_")[0] != "export"
    )
