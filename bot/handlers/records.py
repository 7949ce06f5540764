"""The audit trail and the archive: /claim <id>, /history, /article, /search. Read-only."""

from __future__ import annotations

from telegram import Update

from bot import keyboards, team_texts
from bot.context import BotContext
from bot.handlers import walk
from bot.handlers.common import in_private, reply, run
from domain.ids import parse_id


def _written_number(context: BotContext) -> str | None:
    """The one argument when it is written as a number (#12 or 12), else None (show usage)."""
    args = context.args or []
    return args[0] if len(args) == 1 and args[0].lstrip("#").isdigit() else None


async def claim(update: Update, context: BotContext) -> None:
    """/claim <id>: one claim and where it stands; /claim alone: the claim under review."""
    if not context.args:
        if not in_private(update):  # the claim under review, with its buttons, stays private
            markup = keyboards.open_private(context.bot.username, "claim", team_texts.NEXT_BUTTON)
            await reply(update, team_texts.CLAIM_IN_GROUP, markup)
            return
        await walk.current_claim(update, context)
        return
    await _claim(update, context, with_history=False, usage=team_texts.CLAIM_USAGE)


async def history(update: Update, context: BotContext) -> None:
    """/history <id>: every verdict, change and assignment of a claim: who, what, when."""
    await _claim(update, context, with_history=True, usage=team_texts.HISTORY_USAGE)


async def _claim(update: Update, context: BotContext, *, with_history: bool, usage: str) -> None:
    written = _written_number(context)
    if written is None:
        await reply(update, usage)
        return
    number = parse_id(written)  # a number too big for any id is no claim, not an error
    record = None
    if number is not None:
        record = await run(context.services.records.claim, context.the_member, number)
    if record is None:
        await reply(update, team_texts.NO_SUCH_CLAIM)
        return
    await reply(update, team_texts.claim_record(record, with_history=with_history))


async def article(update: Update, context: BotContext) -> None:
    """/article <id>: the progress of one article."""
    written = _written_number(context)
    if written is None:
        await reply(update, team_texts.ARTICLE_USAGE)
        return
    number = parse_id(written)
    progress = None
    if number is not None:
        progress = await run(context.services.records.article, context.the_member, number)
    if progress is None:
        await reply(update, team_texts.NO_SUCH_ARTICLE)
        return
    await reply(update, team_texts.article_progress(progress))


async def search(update: Update, context: BotContext) -> None:
    """/search <text>: the checked claims most like the text, with verdicts and sources."""
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, team_texts.SEARCH_USAGE)
        return
    found = await run(context.services.search.claims_like, query)
    await reply(update, team_texts.search_results(query, found))
