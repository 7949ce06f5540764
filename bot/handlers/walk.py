"""The review walk in the chat: claim cards, verdict buttons, source links, /cancel."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import callbacks, keyboards, team_texts, texts
from bot.handlers.common import chat_id_of, edit, member_or_refuse, pressed_button, reply, run
from bot.services import services
from domain.access import Member
from domain.review import AwaitingSource, BadLink, ClaimCard, Notice, NotWaiting, Stale, Step

logger = logging.getLogger(__name__)


async def show_card(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, member: Member, card: ClaimCard
) -> None:
    """Send a claim as its own message with the verdict buttons, and remember that message."""
    message = await context.bot.send_message(
        chat_id,
        texts.claim_card(card),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboards.verdict_keyboard(card),
        disable_web_page_preview=True,
    )
    await run(services(context).review.claim_shown, member, chat_id, card.claim_id, message.id)


async def show_step(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, member: Member, step: Step
) -> None:
    """Turn the finished claim's message into a log line, then move on."""
    await edit(context, chat_id, step.recorded.message_id, texts.recorded(step.recorded))
    if step.next_card is not None:
        await show_card(context, chat_id, member, step.next_card)
    elif step.summary is not None:
        await context.bot.send_message(chat_id, texts.summary(step.summary), parse_mode="HTML")
    elif step.from_queue:
        await context.bot.send_message(chat_id, QUEUE_DONE)
    await send_notices(context, step.notices)


QUEUE_DONE = "Thanks! /next gets you another claim."


async def send_notices(context: ContextTypes.DEFAULT_TYPE, notices: tuple[Notice, ...]) -> None:
    """Closing the loop: tell each submitter that their article is fully checked."""
    for notice in notices:
        await context.bot.send_message(
            notice.chat_id, texts.summary(notice.summary), parse_mode=ParseMode.HTML
        )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A verdict, reuse or change button on a claim card."""
    query = update.callback_query
    pressed = await pressed_button(update, context)
    if query is None or pressed is None:
        return
    member, data = pressed
    chat_id = chat_id_of(update)
    refusal = await run(services(context).queue.refusal, member, data.claim_id)
    if refusal is not None:
        logger.warning(
            "update %s: refused %r from reviewer %s: %s",
            update.update_id,
            query.data,
            member.reviewer_id,
            refusal,
        )
        await query.answer(team_texts.REFUSED_BUTTON, show_alert=True)
        return
    review = services(context).review
    outcome: AwaitingSource | Step | Stale | ClaimCard
    if data.action is callbacks.Action.RATE:
        outcome = await run(review.choose, member, chat_id, data.claim_id, data.choice)
    elif data.action is callbacks.Action.REUSE:
        outcome = await run(review.reuse, member, chat_id, data.claim_id, int(data.arg))
    else:
        outcome = await run(review.change_rating, member, chat_id, data.claim_id)
    await _show_outcome(update, context, member, outcome)


async def _show_outcome(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    member: Member,
    outcome: AwaitingSource | Step | Stale | ClaimCard,
) -> None:
    query = update.callback_query
    assert query is not None
    chat_id = chat_id_of(update)
    if isinstance(outcome, Stale):
        await query.answer(outcome.reason)
        return
    await query.answer()
    if isinstance(outcome, AwaitingSource):
        await edit(
            context,
            chat_id,
            outcome.message_id or _message_id(update),
            texts.awaiting_source(outcome),
            keyboards.change_keyboard(outcome.claim_id),
        )
    elif isinstance(outcome, ClaimCard):
        await edit(
            context,
            chat_id,
            _message_id(update),
            texts.claim_card(outcome),
            keyboards.verdict_keyboard(outcome),
        )
    else:
        if outcome.recorded.message_id is None:  # tapped before the card's id was stored
            recorded = replace(outcome.recorded, message_id=_message_id(update))
            outcome = replace(outcome, recorded=recorded)
        await show_step(context, chat_id, member, outcome)


def _message_id(update: Update) -> int | None:
    query = update.callback_query
    return query.message.message_id if query and query.message else None


async def source_reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, member: Member, text: str
) -> bool:
    """Treat a text as the owed source link. False when no source is owed."""
    chat_id = chat_id_of(update)
    outcome = await run(services(context).review.give_source, member, chat_id, text)
    if isinstance(outcome, NotWaiting):
        return False
    if isinstance(outcome, BadLink):
        await reply(update, texts.bad_link(outcome.reason, outcome.awaiting))
    elif isinstance(outcome, Stale):
        await reply(update, texts.escape_text(outcome.reason))
    else:
        await show_step(context, chat_id, member, outcome)
    return True


async def no_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nosource: save Unverifiable without a link."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    chat_id = chat_id_of(update)
    outcome = await run(services(context).review.no_source, member, chat_id)
    if isinstance(outcome, NotWaiting):
        await reply(update, texts.NOTHING_WAITING)
    elif isinstance(outcome, AwaitingSource):
        await reply(update, texts.source_required(outcome))
    else:
        await show_step(context, chat_id, member, outcome)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: stop the article; its unreviewed claims stay pending."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    chat_id = chat_id_of(update)
    result = await run(services(context).review.cancel, member, chat_id)
    await reply(update, texts.cancelled(result) if result else texts.NOTHING_TO_CANCEL)


async def current_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claim: show the claim under review again (after scrolling away, or on a new phone)."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    chat_id = chat_id_of(update)
    review = services(context).review
    awaiting = await run(review.awaiting_source, member, chat_id)
    if awaiting is not None:
        await reply(
            update, texts.awaiting_source(awaiting), keyboards.change_keyboard(awaiting.claim_id)
        )
        return
    card = await run(review.current_card, member, chat_id)
    if card is None:
        await reply(update, texts.NO_CURRENT_CLAIM)
        return
    await show_card(context, chat_id, member, card)
