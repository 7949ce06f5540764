"""Articles coming in: pasted text, links, forwarded posts and documents."""

from __future__ import annotations

import logging
from functools import partial

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import NetworkError

from bot import callbacks, keyboards, texts
from bot.context import BotContext
from bot.delivery import is_transient
from bot.handlers.common import (
    button_message_id,
    chat_id_of,
    edit,
    edit_markup_off,
    pressed_button,
    reply,
    run,
    user_text,
)
from bot.handlers.walk import send_notices, show_card, show_current, source_reply
from domain.documents import MAX_DOCUMENT_BYTES, DocumentError, document_text
from domain.links import LinkError, article_url
from domain.walk import ArticleInput, Stale, TextChoice

logger = logging.getLogger(__name__)


async def on_text(update: Update, context: BotContext) -> None:
    """Any text that is not a command: a source link if one is owed, else an article."""
    message = update.effective_message
    assert message is not None
    text = user_text(message)
    if not text.strip():
        await reply(update, texts.EMPTY_ARTICLE)
        return
    if await source_reply(update, context, text):
        return
    url = article_url(text)
    if url is not None and message.forward_origin is None:
        await _submit_link(update, context, url)
        return
    await submit(update, context, _as_article(message, text))


async def on_text_choice(update: Update, context: BotContext) -> None:
    """The answer to "Read this as a new article?": read it, keep it as a note, or go on."""
    query = update.callback_query
    data = await pressed_button(update)
    if query is None or data is None:
        return
    assert data.action is callbacks.Action.TEXT
    chat_id, choice, named = chat_id_of(update), TextChoice(data.arg[0]), data.arg[1:]
    review = context.services.review
    member = context.the_member
    outcome = await run(review.answer_text, member, chat_id, data.claim_id, choice, named)
    if isinstance(outcome, Stale):
        if not await run(context.services.updates.seen, update.update_id):
            await query.answer(outcome.reason, show_alert=True)
        return
    await query.answer()
    number = outcome.current.number if outcome.current is not None else None
    await edit(context, chat_id, button_message_id(update), texts.text_answered(outcome, number))
    if outcome.article is not None:
        article = ArticleInput(text=outcome.article, source_kind="text")
        url = article_url(outcome.article)
        if url is not None:
            await _submit_link(update, context, url)
        else:
            await submit(update, context, article)
    elif outcome.current is not None:
        await show_current(update, context, outcome.current)


async def on_reuse_all(update: Update, context: BotContext) -> None:
    """ "♻️ Reuse all N earlier verdicts" under an article whose every claim was checked before."""
    query = update.callback_query
    data = await pressed_button(update)
    if query is None or data is None:
        return
    chat_id = chat_id_of(update)
    review = context.services.review
    done = await run(review.reuse_all, context.the_member, chat_id, data.claim_id)
    if isinstance(done, Stale):
        if not await run(context.services.updates.seen, update.update_id):
            await query.answer(done.reason, show_alert=True)
        return
    await query.answer()
    await edit_markup_off(context, chat_id, button_message_id(update))
    await reply(update, texts.reused_all(done))
    await send_notices(context, done.notices)


def _as_article(message: Message, text: str) -> ArticleInput:
    origin = message.forward_origin
    if origin is None:
        return ArticleInput(text=text, source_kind="text")
    chat = getattr(origin, "chat", None)
    title = getattr(chat, "title", None) if chat is not None else None
    return ArticleInput(text=text, source_kind="forward", title=title)


async def _submit_link(update: Update, context: BotContext, url: str) -> None:
    progress = await reply(update, texts.FETCHING)
    try:
        fetched = await context.services.fetcher.fetch(url)
    except LinkError as error:
        await edit(
            context,
            chat_id_of(update),
            progress.message_id,
            f"🔗 I could not read that link: {texts.escape_text(str(error))}\n"
            "You can paste the article's text instead.",
        )
        return
    article = ArticleInput(
        text=fetched.text, source_kind="url", url=fetched.url, title=fetched.title
    )
    await submit(update, context, article, progress)


async def on_document(update: Update, context: BotContext) -> None:
    """An uploaded file: read its text and treat it as an article."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    if document.file_size and document.file_size > MAX_DOCUMENT_BYTES:
        await reply(update, "That file is over 20 MB, more than bots may download.")
        return
    progress = await reply(update, texts.READING)
    content = bytes(await (await document.get_file()).download_as_bytearray())
    try:
        max_chars = context.services.settings.factdesk_max_article_chars
        text = await run(
            partial(document_text, max_chars=max_chars),
            content,
            document.file_name,
            document.mime_type,
        )
    except DocumentError as error:
        await edit(context, chat_id_of(update), progress.message_id, texts.escape_text(str(error)))
        return
    if not text.strip():
        await edit(context, chat_id_of(update), progress.message_id, texts.EMPTY_ARTICLE)
        return
    article = ArticleInput(text=text, source_kind="document", title=document.file_name)
    await submit(update, context, article, progress)


#: Pasted text up to this long is read in a fraction of a second: its answer comes without a
#: "Reading…" message first (two requests fewer per article).
QUICK_TEXT_CHARS = 3000


async def submit(
    update: Update,
    context: BotContext,
    article: ArticleInput,
    progress: Message | None = None,
) -> None:
    """Store the article, say how many claims it has, and send the first one."""
    chat_id = chat_id_of(update)
    if progress is None and len(article.text) > QUICK_TEXT_CHARS:
        progress = await reply(update, texts.READING)
    if progress is not None:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    member = context.the_member
    submission = await run(context.services.review.submit_article, member, chat_id, article)
    logger.info(
        "article %s: %s claims from %s", submission.article_id, submission.total, member.reviewer_id
    )
    summary = texts.found_claims(submission) if submission.total else texts.NO_CLAIMS
    markup = None
    if submission.reusable:
        markup = keyboards.reuse_all_keyboard(submission.article_id, submission.reusable)
    try:
        if progress is None:
            await reply(update, summary, markup)
        else:
            await edit(context, chat_id, progress.message_id, summary, markup)
    except NetworkError as error:  # retried already; the first claim matters more
        if not is_transient(error):
            raise
        logger.warning("article %s: progress not updated (%s)", submission.article_id, error)
    if submission.first is not None:
        await show_card(context, chat_id, submission.first)
