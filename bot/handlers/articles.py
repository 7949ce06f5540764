"""Articles coming in: pasted text, links, forwarded posts and documents."""

from __future__ import annotations

import logging
from functools import partial

from telegram import Message, Update
from telegram.constants import ChatAction

from bot import texts
from bot.context import BotContext
from bot.handlers.common import chat_id_of, edit, reply, run
from bot.handlers.walk import show_card, source_reply
from domain.documents import MAX_DOCUMENT_BYTES, DocumentError, document_text
from domain.links import LinkError, article_url
from domain.walk import ArticleInput

logger = logging.getLogger(__name__)


async def on_text(update: Update, context: BotContext) -> None:
    """Any text that is not a command: a source link if one is owed, else an article."""
    message = update.effective_message
    assert message is not None
    text = message.text or message.caption or ""
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


async def submit(
    update: Update,
    context: BotContext,
    article: ArticleInput,
    progress: Message | None = None,
) -> None:
    """Store the article, say how many claims it has, and send the first one."""
    chat_id = chat_id_of(update)
    if progress is None:
        progress = await reply(update, texts.READING)
    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    member = context.the_member
    submission = await run(context.services.review.submit_article, member, chat_id, article)
    logger.info(
        "article %s: %s claims from %s", submission.article_id, submission.total, member.reviewer_id
    )
    summary = texts.found_claims(submission) if submission.total else texts.NO_CLAIMS
    await edit(context, chat_id, progress.message_id, summary)
    if submission.first is not None:
        await show_card(context, chat_id, submission.first)
