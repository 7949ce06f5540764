"""The queue: /next, /queue (with page buttons) and /mine. Claims are reviewed in private only."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards, team_texts
from bot.handlers.common import (
    chat_id_of,
    edit,
    in_private,
    member_or_refuse,
    pressed_button,
    reply,
    run,
)
from bot.handlers.walk import show_card
from bot.services import services
from domain.queue import QueueEmpty


async def next_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/next: lock the oldest free claim for the caller and show it; in a group, only a link."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    if not in_private(update):
        markup = keyboards.open_private(context.bot.username, "next", team_texts.NEXT_BUTTON)
        await reply(update, team_texts.NEXT_IN_GROUP, markup)
        return
    chat_id = chat_id_of(update)
    result = await run(services(context).queue.next_claim, member, chat_id)
    if isinstance(result, QueueEmpty):
        await reply(update, team_texts.queue_empty(result.pending))
        return
    await reply(update, team_texts.assigned(result))
    await show_card(context, chat_id, member, result.card)


async def queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/queue: pending claims, oldest first, a page at a time."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    page = await run(services(context).queue.page, member, 0)
    await reply(update, team_texts.queue_page(page), keyboards.queue_pager(page.page, page.pages))


async def on_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A ◀️/▶️ button under /queue."""
    query = update.callback_query
    pressed = await pressed_button(update, context)
    if query is None or pressed is None:
        return
    member, data = pressed
    page = await run(services(context).queue.page, member, data.claim_id)
    await query.answer()
    message_id = query.message.message_id if query.message else None
    await edit(
        context,
        chat_id_of(update),
        message_id,
        team_texts.queue_page(page),
        keyboards.queue_pager(page.page, page.pages),
    )


async def mine(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mine: the caller's assigned claims and recent verdicts."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    await reply(update, team_texts.mine(await run(services(context).queue.mine, member)))
