"""The review walk in the chat: claim cards, verdict buttons, source links, /cancel."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.constants import ParseMode

from bot import callbacks, keyboards, texts
from bot.context import BotContext
from bot.handlers.common import button_message_id, chat_id_of, edit, pressed_button, reply, run
from domain.walk import AwaitingSource, BadLink, ClaimCard, Notice, NotWaiting, Stale, Step

logger = logging.getLogger(__name__)

QUEUE_DONE = "Thanks! /next gets you another claim."


async def show_card(context: BotContext, chat_id: int, card: ClaimCard) -> None:
    """Send a claim as its own message with the verdict buttons."""
    await context.bot.send_message(
        chat_id,
        texts.claim_card(card),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.verdict_keyboard(card),
        disable_web_page_preview=True,
    )


async def show_step(context: BotContext, chat_id: int, step: Step) -> None:
    """Turn the finished claim's message into a log line, then move on."""
    await edit(context, chat_id, step.recorded.message_id, texts.recorded(step.recorded))
    if step.next_card is not None:
        await show_card(context, chat_id, step.next_card)
    elif step.summary is not None:
        await context.bot.send_message(chat_id, texts.summary(step.summary), parse_mode="HTML")
    elif step.from_queue:
        await context.bot.send_message(chat_id, QUEUE_DONE)
    await send_notices(context, step.notices)


async def send_notices(context: BotContext, notices: tuple[Notice, ...]) -> None:
    """Closing the loop: tell each submitter that their article is fully checked."""
    for notice in notices:
        await context.bot.send_message(
            notice.chat_id, texts.summary(notice.summary), parse_mode=ParseMode.HTML
        )


async def on_button(update: Update, context: BotContext) -> None:
    """A verdict, reuse or change button on a claim card."""
    query = update.callback_query
    data = await pressed_button(update)
    if query is None or data is None:
        return
    member, chat_id = context.the_member, chat_id_of(update)
    review = context.services.review
    message_id = button_message_id(update)
    outcome: AwaitingSource | Step | Stale | ClaimCard
    if data.action is callbacks.Action.RATE:
        outcome = await run(review.choose, member, chat_id, data.claim_id, data.choice, message_id)
    elif data.action is callbacks.Action.REUSE:
        outcome = await run(review.reuse, member, chat_id, data.claim_id, int(data.arg), message_id)
    else:
        outcome = await run(review.change_rating, member, chat_id, data.claim_id)
    if isinstance(outcome, Stale):
        if await run(context.services.updates.seen, update.update_id):
            return  # a redelivered press: it was answered the first time
        logger.info("update %s: stale button %r: %s", update.update_id, query.data, outcome.reason)
        await query.answer(outcome.reason, show_alert=outcome.alert)
        return
    await query.answer()
    if isinstance(outcome, AwaitingSource):
        await edit(
            context,
            chat_id,
            message_id,
            texts.awaiting_source(outcome),
            keyboards.change_keyboard(outcome.claim_id),
        )
    elif isinstance(outcome, ClaimCard):
        await edit(
            context,
            chat_id,
            message_id,
            texts.claim_card(outcome),
            keyboards.verdict_keyboard(outcome),
        )
    else:
        if outcome.recorded.message_id is None:
            outcome = replace(outcome, recorded=replace(outcome.recorded, message_id=message_id))
        await show_step(context, chat_id, outcome)


async def source_reply(update: Update, context: BotContext, text: str) -> bool:
    """Treat a text as the owed source link. False when no source is owed."""
    chat_id = chat_id_of(update)
    outcome = await run(context.services.review.give_source, context.the_member, chat_id, text)
    if isinstance(outcome, NotWaiting):
        return False
    if isinstance(outcome, BadLink):
        await reply(update, texts.bad_link(outcome.reason, outcome.awaiting))
    elif isinstance(outcome, Stale):
        await reply(update, texts.escape_text(outcome.reason))
    else:
        await show_step(context, chat_id, outcome)
    return True


async def no_source(update: Update, context: BotContext) -> None:
    """/nosource: save Unverifiable without a link."""
    chat_id = chat_id_of(update)
    outcome = await run(context.services.review.no_source, context.the_member, chat_id)
    if isinstance(outcome, NotWaiting):
        await reply(update, texts.NOTHING_WAITING)
    elif isinstance(outcome, AwaitingSource):
        await reply(update, texts.source_required(outcome))
    else:
        await show_step(context, chat_id, outcome)


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel: stop the article; its unreviewed claims stay pending, and the card says so."""
    chat_id = chat_id_of(update)
    result = await run(context.services.review.cancel, context.the_member, chat_id)
    if result is None:
        await reply(update, texts.NOTHING_TO_CANCEL)
        return
    if result.card is not None:
        await edit(context, chat_id, result.message_id, texts.cancelled_card(result.card))
    await reply(update, texts.cancelled(result))


async def current_claim(update: Update, context: BotContext) -> None:
    """/claim: show the claim under review again (after scrolling away, or on a new phone)."""
    chat_id = chat_id_of(update)
    current = await run(context.services.review.current, context.the_member, chat_id)
    if current is None:
        await reply(update, texts.NO_CURRENT_CLAIM)
    elif isinstance(current, AwaitingSource):
        await reply(
            update, texts.awaiting_source(current), keyboards.change_keyboard(current.claim_id)
        )
    else:
        await show_card(context, chat_id, current)
