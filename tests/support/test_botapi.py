"""The fake Bot API server, checked against the real PTB Application it stands in for.

If these pass, end-to-end tests of the bot exercise PTB's own request, polling, retry and
download code against this server, not a mock of it.
"""

from __future__ import annotations

import os

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
os.environ.setdefault("PTB_TIMEDELTA", "1")

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.botapi import TOKEN, FakeBotApi, SentMessage

pytestmark = pytest.mark.timeout(20)

USER = 1001


class Seen:
    """What the handlers observed, so tests can assert on the bot side too."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.updates: list[int] = []
        self.downloads: list[bytes] = []
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


async def _build_app(server: FakeBotApi, seen: Seen) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update.update_id)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        text = update.effective_message.text or ""
        if text == "long":
            try:
                await update.effective_message.reply_text("x" * 5000)
            except BadRequest as error:
                seen.errors.append(error)
                await update.effective_message.reply_text("too long, sorry")
            return
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Yes", callback_data="v:yes")],
                [InlineKeyboardButton("No", callback_data="v:no")],
            ]
        )
        await update.effective_message.reply_text(
            f"<b>echo</b>: {text}", parse_mode=ParseMode.HTML, reply_markup=keyboard
        )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"started {context.args}")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer("noted")
        await query.edit_message_text(f"verdict {query.data}")

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        file = await message.document.get_file()
        content = bytes(await file.download_as_bytearray())
        seen.downloads.append(content)
        await message.reply_document(
            content.upper(), filename="upper.txt", caption=f"{len(content)} bytes"
        )

    app.add_handler(MessageHandler(filters.ALL, record), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    return app


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Seen]:
    seen = Seen()
    app = await _build_app(server, seen)
    seen.app = app
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield seen
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_text_round_trip(server: FakeBotApi, bot: Seen) -> None:
    mid = server.send_text(USER, "hello world")
    reply = await server.wait_for_message(USER, lambda m: (m.text or "").startswith("<b>echo"))
    assert reply.text == "<b>echo</b>: hello world"
    assert reply.message_id > mid
    assert server.buttons(reply) == [("Yes", "v:yes"), ("No", "v:no")]
    call = await server.wait_for("sendMessage")
    assert call.params["chat_id"] == USER
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "v:yes"


async def test_command_gets_entity(server: FakeBotApi, bot: Seen) -> None:
    server.send_text(USER, "/start abc")
    reply = await server.wait_for_message(USER, lambda m: (m.text or "").startswith("started"))
    assert reply.text == "started ['abc']"


async def test_html_that_telegram_rejects_is_rejected(server: FakeBotApi, bot: Seen) -> None:
    # The echo handler interpolates user text unescaped: Telegram would refuse "<world>".
    server.send_text(USER, "hello <world>")
    call = await server.wait_for("sendMessage", lambda c: c.status != 200)
    assert call.status == 400
    assert "can't parse entities" in (call.error or "")


async def test_button_press_answer_and_edit(server: FakeBotApi, bot: Seen) -> None:
    server.send_text(USER, "claim one")
    message = await server.wait_for_message(USER, lambda m: bool(server.buttons(m)))
    mark = server.mark()
    query_id = server.press_button(USER, message, "v:yes")
    answer = await server.wait_for("answerCallbackQuery", after=mark)
    assert answer.params["callback_query_id"] == query_id
    assert answer.params["text"] == "noted"
    edited = await server.wait_for_message(USER, lambda m: m.text == "verdict v:yes")
    assert edited is message
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    with pytest.raises(AssertionError, match="no button"):
        server.press_button(USER, message, "v:no")


async def test_document_upload_and_download(server: FakeBotApi, bot: Seen) -> None:
    server.send_document(USER, b"some claims\n", "claims.txt", "text/plain", caption="batch")
    reply = await server.wait_for_message(USER, lambda m: m.document is not None)
    assert bot.downloads == [b"some claims\n"]
    assert reply.document == b"SOME CLAIMS\n"
    assert reply.document_name == "upper.txt"
    assert reply.caption == "12 bytes"
    call = await server.wait_for("sendDocument")
    assert call.params["document"] == b"SOME CLAIMS\n"
    assert call.params["document_filename"] == "upper.txt"


async def test_too_long_message_is_bad_request(server: FakeBotApi, bot: Seen) -> None:
    server.send_text(USER, "long")
    await server.wait_for_message(USER, lambda m: m.text == "too long, sorry")
    assert len(bot.errors) == 1
    assert "too long" in str(bot.errors[0]).lower()
    failed = [c for c in server.calls if c.method == "sendMessage" and c.status == 400]
    assert len(failed) == 1


async def test_429_is_retried_by_rate_limiter(server: FakeBotApi, bot: Seen) -> None:
    server.fail_next("sendMessage", retry_after=1)
    server.send_text(USER, "/start")
    await server.wait_for_message(USER, lambda m: (m.text or "").startswith("started"))
    attempts = [c for c in server.calls if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.9


def _text_is(text: str) -> Callable[[SentMessage], bool]:
    return lambda message: message.text == text


async def test_no_update_delivered_twice(server: FakeBotApi, bot: Seen) -> None:
    for i in range(5):
        server.send_text(USER, f"/start {i}")
    for i in range(5):
        await server.wait_for_message(USER, _text_is(f"started ['{i}']"))
    server.send_text(USER, "/start last")
    await server.wait_for_message(USER, lambda m: m.text == "started ['last']")
    assert sorted(bot.updates) == sorted(set(bot.updates))
    assert len(bot.updates) == 6
    replies = [m for m in server.bot_messages(USER) if (m.text or "").startswith("started")]
    assert len(replies) == 6


async def test_get_updates_long_poll_and_offset(server: FakeBotApi) -> None:
    async with httpx.AsyncClient(base_url=f"{server.base_url}{TOKEN}") as client:
        started = asyncio.get_running_loop().time()
        empty = (await client.post("/getUpdates", data={"timeout": "0.3"})).json()
        assert empty == {"ok": True, "result": []}
        assert asyncio.get_running_loop().time() - started >= 0.25

        pending = asyncio.ensure_future(client.post("/getUpdates", data={"timeout": "5"}))
        await asyncio.sleep(0.05)
        server.send_text(USER, "wake up")
        first = (await pending).json()["result"]
        assert [u["message"]["text"] for u in first] == ["wake up"]

        again = (await client.post("/getUpdates", data={"timeout": "0"})).json()["result"]
        assert again == first  # not confirmed yet
        offset = first[-1]["update_id"] + 1
        after = (await client.post("/getUpdates", json={"offset": offset})).json()["result"]
        assert after == []


async def test_limits_and_errors_over_http(server: FakeBotApi) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        api = f"/bot{TOKEN}"
        wrong = await client.post("/bot1:WRONG/getMe")
        assert wrong.status_code == 401

        empty = (await client.post(f"{api}/sendMessage", data={"chat_id": "1", "text": " "})).json()
        assert empty["description"] == "Bad Request: message text is empty"

        markup = '{"inline_keyboard": [[{"text": "x", "callback_data": "%s"}]]}' % ("a" * 65)
        big = await client.post(
            f"{api}/sendMessage", data={"chat_id": "1", "text": "hi", "reply_markup": markup}
        )
        assert big.json()["description"] == "Bad Request: BUTTON_DATA_INVALID"

        missing = await client.post(
            f"{api}/editMessageText", data={"chat_id": "1", "message_id": "99", "text": "x"}
        )
        assert missing.json()["description"] == "Bad Request: message to edit not found"

        sent = (await client.post(f"{api}/sendMessage", data={"chat_id": "1", "text": "42"})).json()
        assert sent["result"]["text"] == "42"  # text stays a string
        same = await client.post(
            f"{api}/editMessageText",
            data={"chat_id": "1", "message_id": str(sent["result"]["message_id"]), "text": "42"},
        )
        assert same.json()["description"].startswith("Bad Request: message is not modified")

        caption = await client.post(
            f"{api}/sendDocument",
            data={"chat_id": "1", "caption": "c" * 1025},
            files={"document": ("a.txt", b"abc", "text/plain")},
        )
        assert caption.status_code == 400

        server.fail_next("getMe", status=502)
        assert (await client.post(f"{api}/getMe")).status_code == 502
        assert (await client.post(f"{api}/getMe")).json()["result"]["username"] == (
            "factdesk_test_bot"
        )
        assert [c.status for c in server.calls if c.method == "getMe"] == [502, 200]

        page = server.add_page("article.html", "<p>hi</p>")
        fetched = await client.get(page)
        assert fetched.text == "<p>hi</p>"
        assert fetched.headers["content-type"].startswith("text/html")


async def test_wait_for_timeout_explains(server: FakeBotApi) -> None:
    with pytest.raises(AssertionError, match="no sendMessage call"):
        await server.wait_for("sendMessage", timeout=0.05)
    unused = SentMessage(chat_id=1, message_id=1, text="x", reply_markup=None)
    assert server.buttons(unused) == []


async def test_group_chat_and_direct_bot_calls(server: FakeBotApi, bot: Seen) -> None:
    group = -100123
    server.send_text(USER, "/start@factdesk_test_bot x", chat_id=group, chat_type="supergroup")
    reply = await server.wait_for_message(group, lambda m: m.text == "started ['x']")
    assert server.bot_messages(USER) == []

    assert bot.app is not None
    tg = bot.app.bot
    server.member_status[(group, USER)] = "administrator"
    member = await tg.get_chat_member(group, USER)
    assert member.status == "administrator"
    assert member.user.first_name == "Ann"

    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await tg.edit_message_reply_markup(group, reply.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await tg.send_message(group, "version 1.0", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await tg.send_message(group, r"version 1\.0 *bold*", parse_mode=ParseMode.MARKDOWN_V2)
    assert sent.chat.type == "supergroup"
    html = await tg.send_message(group, "<b>bold</b> &amp; <i>it</i>", parse_mode=ParseMode.HTML)
    assert html.text == "bold & it"
    assert html.text_html == "<b>bold</b> &amp; <i>it</i>"
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await tg.send_message(
            group,
            "pick",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="é" * 33)]]  # 66 bytes, 33 characters
            ),
        )
