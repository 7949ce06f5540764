"""The audit trail and the archive: /claim <id>, /history, /article, /search. Read-only."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import keyboards, team_texts
from bot.handlers import walk
from bot.handlers.common import in_private, member_or_refuse, reply, run
from bot.services import services


def _number(context: ContextTypes.DEFAULT_TYPE) -> int | None:
    args = context.args or []
    return int(args[0].lstrip("#")) if len(args) == 1 and args[0].lstrip("#").isdigit() else None


async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claim <id>: one claim and where it stands; /claim alone: the claim under review."""
    if not context.args:
        if not in_private(update):  # the claim under review, with its buttons, stays private
            markup = keyboards.open_private(context.bot.username, "claim", team_texts.NEXT_BUTTON)
            await reply(update, team_texts.CLAIM_IN_GROUP, markup)
            return
        await walk.current_claim(update, context)
        return
    await _claim(update, context, with_history=False, usage=team_texts.CLAIM_USAGE)


async def history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/history <id>: every verdict, change and assignment of a claim: who, what, when."""
    await _claim(update, context, with_history=True, usage=team_texts.HISTORY_USAGE)


async def _claim(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, with_history: bool, usage: str
) -> None:
    member = await member_or_refuse(update, context)
    if member is None:
        return
    number = _number(context)
    if number is None:
        await reply(update, usage)
        return
    record = await run(services(context).records.claim, member, number)
    if record is None:
        await reply(update, team_texts.NO_SUCH_CLAIM)
        return
    await reply(update, team_texts.claim_record(record, with_history=with_history))


async def article(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/article <id>: the progress of one article."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    number = _number(context)
    if number is None:
        await reply(update, team_texts.ARTICLE_USAGE)
        return
    progress = await run(services(context).records.article, member, number)
    if progress is None:
        await reply(update, team_texts.NO_SUCH_ARTICLE)
        return
    await reply(update, team_texts.article_progress(progress))


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search <text>: the checked claims most like the text, with verdicts and sources."""
    member = await member_or_refuse(update, context)
    if member is None:
        return
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, team_texts.SEARCH_USAGE)
        return
    found = await run(services(context).archive.search, query)
    await reply(update, team_texts.search_results(query, found))
