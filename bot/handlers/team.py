"""The team: /start with an invite code, /invite, /addreviewer, /removereviewer, /team."""

from __future__ import annotations

import logging

from telegram import Update

from bot import team_texts, texts
from bot.context import BotContext
from bot.handlers import queues, walk
from bot.handlers.common import admin_or_refuse, person, reply, run
from domain.ids import parse_id
from domain.team import InviteRefused, NotAllowed

logger = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """/start, or a deep link: `start=next` (from a group's button) or an invite code.

    The gate lets a stranger through only with an invite code, so `context.member` is None here
    only for someone joining.
    """
    payload = (context.args or [""])[0]
    if payload == "next":
        await queues.next_claim(update, context)
        return
    if payload == "claim":
        await walk.current_claim(update, context)
        return
    who = person(update)
    if not payload or who is None:
        await reply(update, texts.WELCOME)
        return
    result = await run(context.services.team.redeem, who, payload)
    if isinstance(result, InviteRefused):
        logger.info("update %s: invite code refused (%s)", update.update_id, result.reason)
        await reply(update, result.reason)
        return
    await reply(update, team_texts.joined(result.name, result.already_member))


async def invite(update: Update, context: BotContext) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    code = await run(context.services.team.invite, member)
    await reply(update, team_texts.invite_link(context.bot.username, code.code, code.hours))


def _user_id(context: BotContext) -> int | None:
    """A Telegram user id (positive, 64-bit), or None: the usage is shown."""
    args = context.args or []
    return parse_id(args[0]) if len(args) == 1 else None


async def add_reviewer(update: Update, context: BotContext) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    user_id = _user_id(context)
    if user_id is None:
        await reply(update, team_texts.ADD_USAGE)
        return
    name = await run(context.services.team.add_reviewer, member, user_id)
    await reply(update, team_texts.added(name))


async def remove_reviewer(update: Update, context: BotContext) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    user_id = _user_id(context)
    if user_id is None:
        await reply(update, team_texts.REMOVE_USAGE)
        return
    try:
        name = await run(context.services.team.remove_reviewer, member, user_id)
    except NotAllowed as error:
        await reply(update, str(error))
        return
    await reply(update, team_texts.removed(name) if name else team_texts.NOT_FOUND)


async def team(update: Update, context: BotContext) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    rows = await run(context.services.team.roster, member)
    await reply(update, team_texts.roster(rows))
