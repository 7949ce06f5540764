"""The team: /start with an invite code, /invite, /addreviewer, /removereviewer, /team."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import team_texts
from bot.handlers import basics, queues, walk
from bot.handlers.common import admin_or_refuse, person, reply, run
from bot.services import services
from domain.team import InviteRefused, NotAllowed

logger = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, or a deep link: `start=next` (from a group's button) or an invite code."""
    payload = (context.args or [""])[0]
    if payload == "next":
        await queues.next_claim(update, context)
        return
    if payload == "claim":
        await walk.current_claim(update, context)
        return
    who = person(update)
    if not payload or who is None:
        await basics.start(update, context)
        return
    result = await run(services(context).team.redeem, who, payload)
    if isinstance(result, InviteRefused):
        logger.info("update %s: invite code refused (%s)", update.update_id, result.reason)
        await reply(update, result.reason)
        return
    await reply(update, team_texts.joined(result.name, result.already_member))


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    code = await run(services(context).team.invite, member)
    await reply(update, team_texts.invite_link(context.bot.username, code.code, code.hours))


def _user_id(context: ContextTypes.DEFAULT_TYPE) -> int | None:
    args = context.args or []
    return int(args[0]) if len(args) == 1 and args[0].lstrip("-").isdigit() else None


async def add_reviewer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    user_id = _user_id(context)
    if user_id is None:
        await reply(update, team_texts.ADD_USAGE)
        return
    name = await run(services(context).team.add_reviewer, member, user_id)
    await reply(update, team_texts.added(name))


async def remove_reviewer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    user_id = _user_id(context)
    if user_id is None:
        await reply(update, team_texts.REMOVE_USAGE)
        return
    try:
        name = await run(services(context).team.remove_reviewer, member, user_id)
    except NotAllowed as error:
        await reply(update, str(error))
        return
    await reply(update, team_texts.removed(name) if name else team_texts.NOT_FOUND)


async def team(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = await admin_or_refuse(update, context)
    if member is None:
        return
    rows = await run(services(context).team.roster, member)
    await reply(update, team_texts.roster(rows))
