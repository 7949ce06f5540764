"""/stats with a chart, and the daily digest of the queue to the team group."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from bot import team_texts
from bot.context import BotContext
from bot.handlers.common import reply, run
from domain.stats import PERIODS, chart_png

logger = logging.getLogger(__name__)


async def stats(update: Update, context: BotContext) -> None:
    """/stats [week|month|all]: the figures as text, the mix as a picture."""
    message = update.effective_message
    assert message is not None
    period = (context.args or ["week"])[0].lower()
    if period not in PERIODS:
        await reply(update, team_texts.STATS_USAGE)
        return
    result = await run(context.services.stats.stats, period)
    await reply(update, team_texts.stats(result))
    picture = await run(chart_png, result)
    if picture is not None:
        await message.reply_photo(picture, caption=f"Verdicts and reviewers — {period}")


async def digest(context: BotContext) -> None:
    """JobQueue callback: the queue's state to the team group, once a day."""
    chat_id = context.services.settings.factdesk_digest_chat_id
    if chat_id is None:
        return
    page, disputed = await run(context.services.queue.digest)
    await context.bot.send_message(
        chat_id, team_texts.digest(page, disputed), parse_mode=ParseMode.HTML
    )
    logger.info("digest sent to %s", chat_id)
