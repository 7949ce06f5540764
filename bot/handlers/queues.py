"""The queue: /next, /queue (with page buttons) and /mine. Claims are reviewed in private only."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, team_texts
from bot.context import BotContext
from bot.handlers.common import (
    button_message_id,
    chat_id_of,
    edit,
    in_private,
    pressed_button,
    reply,
    run,
)
from bot.handlers.walk import show_card
from domain.queue import QueueEmpty


async def next_claim(update: Update, context: BotContext) -> None:
    """/next: lock the oldest free claim for the caller and show it; in a group, only a link."""
    if not in_private(update):
        markup = keyboards.open_private(context.bot.username, "next", team_texts.NEXT_BUTTON)
        await reply(update, team_texts.NEXT_IN_GROUP, markup)
        return
    chat_id = chat_id_of(update)
    result = await run(context.services.queue.next_claim, context.the_member, chat_id)
    if isinstance(result, QueueEmpty):
        await reply(update, team_texts.queue_empty(result.pending))
        return
    await reply(update, team_texts.assigned(result))
    await show_card(context, chat_id, result.card)


async def queue(update: Update, context: BotContext) -> None:
    """/queue: pending claims, oldest first, a page at a time."""
    page = await run(context.services.queue.page, 0)
    await reply(update, team_texts.queue_page(page), keyboards.queue_pager(page.page, page.pages))


async def on_page(update: Update, context: BotContext) -> None:
    """A ◀️/▶️ button under /queue."""
    query = update.callback_query
    data = await pressed_button(update)
    if query is None or data is None:
        return
    page = await run(context.services.queue.page, data.claim_id)
    await query.answer()
    await edit(
        context,
        chat_id_of(update),
        button_message_id(update),
        team_texts.queue_page(page),
        keyboards.queue_pager(page.page, page.pages),
    )


async def mine(update: Update, context: BotContext) -> None:
    """/mine: the caller's assigned claims and recent verdicts."""
    await reply(update, team_texts.mine(await run(context.services.queue.mine, context.the_member)))
