"""Telling the desk's admins what needs them: a new dispute, a new member by invite."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.context import BotContext

logger = logging.getLogger(__name__)


async def tell_admins(context: BotContext, text: str, *, besides: int | None = None) -> None:
    """Each admin (FACTDESK_ADMINS) in their private chat, except `besides` (who acted).

    An admin who never opened the bot cannot be written to (403 or "chat not found"): that is
    logged, and the others still hear.
    """
    for admin_id in sorted(context.services.settings.factdesk_admins):
        if admin_id == besides:
            continue
        try:
            await context.bot.send_message(
                admin_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
            )
        except (Forbidden, BadRequest) as error:
            logger.warning("admin %s could not be told (%s)", admin_id, error)
