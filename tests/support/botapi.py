"""A local fake of the Telegram Bot API for end-to-end tests.

The tests drive the *real* python-telegram-bot ``Application`` over HTTP (``base_url`` points
here), so handlers, filters, the updater's long poll and the rate limiter all run exactly as in
production; only Telegram itself is replaced. The server is deliberately strict where Telegram is
strict (message length, empty text, callback data size, caption size, HTML that does not parse,
"message is not modified"), because PTB does not check those limits itself and a bot that only
passes against a lenient fake fails in production.

Usage::

    server = FakeBotApi()
    await server.start()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    ...
    server.send_text(42, "/start")
    msg = await server.wait_for_message(42, lambda m: "Welcome" in (m.text or ""))
    await server.stop()

Set ``NO_PROXY=127.0.0.1,localhost`` in the environment: httpx honours proxy variables and
would otherwise route requests for this server through a proxy.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web

TOKEN = "123456:TEST-TOKEN-0123456789abcdefghijklmnopq"

_T = TypeVar("_T")

#: Bot API limits (https://core.telegram.org/bots/api); PTB does not enforce them.
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)

# Form values are JSON-encoded by PTB unless they are plain strings; these parameters are always
# strings, so they must not be JSON-decoded even when they look like a number ("42").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "file_id",
        "url",
        "secret_token",
        "parse_mode",
        "action",
        "language_code",
        "business_connection_id",
        "message_effect_id",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "ip_address",
    }
)

# Tags Telegram accepts in parse_mode=HTML.
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_URL = re.compile(r"https?://[^\s<>\"']+")


class BotApiError(Exception):
    """An error answer: raised inside a method handler, turned into Telegram's error JSON."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad_request(description: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit Telegram uses for entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    """One request the bot made, in arrival order; ``status``/``error`` tell how it was answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    error: str | None = None


@dataclass
class SentMessage:
    """The server's view of a bot message, kept up to date by edits."""

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: dict[str, Any] | None
    document: bytes | None = None
    document_name: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    date: int = field(default_factory=lambda: int(time.time()))


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    times: int
    hang: float | None = None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str


class _HtmlToEntities(HTMLParser):
    """Parses Telegram-flavoured HTML into plain text plus entities, rejecting what Telegram does.

    The bot's result messages carry plain text and entities (as Telegram returns them), so
    ``message.text_html`` round-trips in handlers the way it does against the real API.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict[str, Any]] = []
        self._open: list[tuple[str, dict[str, str | None], int]] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
            return
        self._open.append((tag, dict(attrs), utf16_len(self.text)))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            self.error = self.error or f'Unmatched end tag "{tag}"'
            return
        name, attrs, start = self._open.pop()
        length = utf16_len(self.text) - start
        if length == 0:
            return
        entity: dict[str, Any] = {"type": _HTML_ENTITY_TYPES[name], "offset": start}
        entity["length"] = length
        if name == "a":
            entity["url"] = attrs.get("href") or ""
        if name == "tg-emoji":
            entity["custom_emoji_id"] = attrs.get("emoji-id") or ""
        if name == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data

    def finish(self) -> None:
        self.close()
        if self._open and self.error is None:
            self.error = f'Can\'t find end tag corresponding to start tag "{self._open[-1][0]}"'


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Return Telegram's view (plain text, entities) of an HTML text, or raise a 400 like it.

    A bare ``<`` (user text interpolated without escaping) is the classic production bug, so it
    is rejected here as Telegram rejects it.
    """
    for match in re.finditer("<", text):
        rest = text[match.end() :]
        if not re.match(r"/?[a-zA-Z]", rest):
            offset = len(text[: match.start()].encode())
            raise _bad_request(
                f"can't parse entities: Unexpected end of name token at byte offset {offset}"
            )
    parser = _HtmlToEntities()
    parser.feed(text)
    parser.finish()
    if parser.error:
        raise _bad_request(f"can't parse entities: {parser.error}")
    return parser.text, sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def check_markdown_v2(text: str) -> None:
    """Reject unescaped reserved characters in MarkdownV2 text, like Telegram does.

    Not a full parser: it knows enough (escapes, code spans, link targets, paired markers) to
    catch the usual bug of dynamic text with an unescaped ``.`` or ``-``.
    """
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            end = text.find(fence, i + len(fence))
            if end < 0:
                raise _bad_request(
                    "can't parse entities: Can't find end of Pre entity at byte offset "
                    f"{len(text[:i].encode())}"
                )
            i = end + len(fence)
            continue
        if ch == "]" and text.startswith("(", i + 1):
            end = text.find(")", i + 2)
            i = (end + 1) if end >= 0 else n
            continue
        if ch in "_*[]~|" or (ch == ">" and (i == 0 or text[i - 1] == "\n")):
            i += 1
            continue
        if ch in _MDV2_RESERVED:
            raise _bad_request(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped with "
                "the preceding '\\'"
            )
        i += 1


class FakeBotApi:
    """An in-process Bot API server plus the "user side" that produces updates.

    Everything runs on the test's event loop, so user actions (``send_text`` …) are plain
    methods and the bot's requests are served concurrently while the test awaits ``wait_for``.
    """

    def __init__(self, *, bot_username: str = "factdesk_test_bot") -> None:
        self.bot_username = bot_username
        self.bot_id = int(TOKEN.split(":", 1)[0])
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        #: (chat_id, user_id) -> status answered by getChatMember ("member" when not set).
        self.member_status: dict[tuple[int, int], str] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._pushed: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._open_callback_queries: set[str] = set()
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._pages: dict[str, tuple[bytes, int, str]] = {}
        # Waiters capture the current event; a change sets it and installs a fresh one, so no
        # waiter misses a change and nobody polls.
        self._updates_changed = asyncio.Event()
        self._state_changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind 127.0.0.1 on a free port and start serving."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_get("/pages/{name:.+}", self._handle_page)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])
        self._stopping = False

    async def stop(self) -> None:
        """Stop serving; pending long polls are released first so shutdown does not hang."""
        self._stopping = True
        self._notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started: await server.start() first")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def add_page(
        self,
        name: str,
        html: str,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
    ) -> str:
        """Serve a static page at ``/pages/<name>`` (for tests that fetch article links)."""
        name = name.lstrip("/")
        self._pages[name] = (html.encode("utf-8"), status, content_type)
        return f"{self.url}/pages/{name}"

    # ------------------------------------------------------------------ inspection

    def bot_messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat, in send order (deleted ones are gone)."""
        return sorted(
            (m for (c, _), m in self.messages.items() if c == chat_id),
            key=lambda m: m.message_id,
        )

    def buttons(self, message: SentMessage) -> list[tuple[str, str]]:
        """(text, callback_data or url) of every inline button, row by row."""
        markup = message.reply_markup or {}
        result: list[tuple[str, str]] = []
        for row in markup.get("inline_keyboard", []):
            for button in row:
                value = button.get("callback_data", button.get("url", ""))
                result.append((str(button.get("text", "")), str(value)))
        return result

    def mark(self) -> int:
        """Current number of calls, to pass as ``after=`` so a wait ignores earlier calls."""
        return len(self.calls)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        timeout: float = 10.0,
        after: int = 0,
    ) -> Call:
        """Wait for a call of ``method`` (matching ``predicate``) at index >= ``after``."""

        def find() -> Call | None:
            for call in self.calls[after:]:
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        found = await self._wait(find, timeout)
        if found is None:
            raise AssertionError(
                f"no {method} call matching the predicate within {timeout}s "
                f"(after={after}); recent calls:\n{self.summary()}"
            )
        return found

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool],
        *,
        timeout: float = 10.0,
    ) -> SentMessage:
        """Wait until a bot message in the chat matches (sent, uploaded or edited into shape)."""

        def find() -> SentMessage | None:
            for message in self.bot_messages(chat_id):
                if predicate(message):
                    return message
            return None

        found = await self._wait(find, timeout)
        if found is None:
            texts = "\n".join(
                f"  #{m.message_id}: {(m.text or m.caption or m.document_name or '')[:200]!r}"
                f" buttons={self.buttons(m)}"
                for m in self.bot_messages(chat_id)[-10:]
            )
            raise AssertionError(
                f"no bot message in chat {chat_id} matched within {timeout}s; messages there:\n"
                f"{texts or '  (none)'}\nrecent calls:\n{self.summary()}"
            )
        return found

    def summary(self, last: int = 15) -> str:
        """The last calls (without the getUpdates noise), for failure messages."""
        lines = []
        for call in [c for c in self.calls if c.method != "getUpdates"][-last:]:
            params = {
                k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v)
                for k, v in call.params.items()
            }
            text = json.dumps(params, ensure_ascii=False, default=str)
            if len(text) > 300:
                text = text[:300] + "…"
            status = "" if call.status == 200 else f" -> {call.status} {call.error}"
            lines.append(f"  {call.method} {text}{status}")
        return "\n".join(lines) or "  (none)"

    async def wait_confirmed(self, update_id: int, *, timeout: float = 10.0) -> None:
        """Wait until the bot has confirmed the update (asked for updates past it): the poller
        does that only once the update is handled."""

        def confirmed() -> bool | None:
            return all(u["update_id"] != update_id for u in self._updates) or None

        if await self._wait(confirmed, timeout) is None:
            raise TimeoutError(f"update {update_id} not confirmed within {timeout} s")

    async def _wait(self, find: Callable[[], _T | None], seconds: float) -> _T | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            event = self._state_changed
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return find()

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 502,
        retry_after: int | None = None,
        times: int = 1,
        hang: float | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        With ``retry_after`` the answer is Telegram's flood-control 429 (what PTB's
        ``AIORateLimiter`` retries); otherwise an error with ``status`` (502: Bad Gateway).
        With ``hang`` the call gets no answer for that many seconds (longer than the bot's read
        timeout: a timeout) and then a 504, and has no effect.
        """
        if retry_after is not None or status == 429:
            status, retry_after = 429, retry_after if retry_after is not None else 1
        if hang is not None:
            status = 504
        self._faults.setdefault(method, []).append(_Fault(status, retry_after, times, hang))

    # ------------------------------------------------------------------ user side

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str | None = None,
        username: str | None = None,
        chat_type: str = "private",
        forward_from_chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """Deliver a user's text message; returns its message_id."""
        message = self._user_message(user_id, chat_id, first_name, username, chat_type)
        message["text"] = text
        entities = self._text_entities(text)
        if entities:
            message["entities"] = entities
        if forward_from_chat_title is not None:
            message["forward_origin"] = {
                "type": "channel",
                "chat": {
                    "id": -1001000000000 - zlib.crc32(forward_from_chat_title.encode()) % 1000000,
                    "type": "channel",
                    "title": forward_from_chat_title,
                },
                "message_id": 1,
                "date": message["date"] - 60,
            }
        if reply_to_message_id is not None:
            message["reply_to_message"] = self._message_by_id(
                message["chat"]["id"], reply_to_message_id
            )
        return self._push_message(message)

    def send_document(
        self,
        user_id: int,
        content: bytes,
        file_name: str,
        mime_type: str,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> int:
        """Deliver a user's document; the bot can download it via getFile."""
        message = self._user_message(user_id, chat_id, None, None, None)
        stored = self._store_file(content, file_name, mime_type, "documents")
        message["document"] = self._document_json(stored)
        if caption is not None:
            message["caption"] = caption
        return self._push_message(message)

    def press_button(
        self,
        user_id: int,
        message: SentMessage,
        callback_data: str,
        *,
        chat_id: int | None = None,
        must_exist: bool = True,
    ) -> str:
        """Press an inline button of a bot message; returns the callback query id.

        By default the button must be on the message's current keyboard, so a test cannot press
        a button the user would not see; ``must_exist=False`` simulates a stale client.
        """
        if must_exist and callback_data not in [data for _, data in self.buttons(message)]:
            raise AssertionError(
                f"message {message.message_id} has no button {callback_data!r}; "
                f"buttons: {self.buttons(message)}"
            )
        chat = chat_id if chat_id is not None else message.chat_id
        query_id = str(next(self._callback_ids))
        self._open_callback_queries.add(query_id)
        user = self._user_json(user_id)
        query: dict[str, Any] = {
            "id": query_id,
            "from": user,
            "message": self._message_json(message, chat_id=chat),
            "chat_instance": f"ci-{chat}",
            "data": callback_data,
        }
        self._push_update({"callback_query": query})
        return query_id

    # ------------------------------------------------------------------ helpers: objects

    def _user_json(
        self, user_id: int, first_name: str | None = None, username: str | None = None
    ) -> dict[str, Any]:
        """The user as last introduced by a ``send_text`` (so button presses keep the name)."""
        known = self._users.get(user_id, {})
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or known.get("first_name", "Ann"),
            "language_code": "en",
        }
        username = username or known.get("username")
        if username is not None:
            user["username"] = username
        self._users[user_id] = user
        return dict(user)

    def _bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Factdesk Test",
            "username": self.bot_username,
        }

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        """The chat as last seen from a user, or a plausible one for a chat the bot writes first."""
        known = self._chats.get(chat_id)
        if known is not None:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Ann"}
        return {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"}

    def _next_id(self, chat_id: int) -> int:
        """Message ids are per chat and shared by the user's and the bot's messages."""
        value = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = value + 1
        return value

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        first_name: str | None,
        username: str | None,
        chat_type: str | None,
    ) -> dict[str, Any]:
        """A new user message; the chat keeps the type it was first seen with.

        A private chat is the user's own id, so ``chat_type="private"`` with another chat id
        means "whatever that chat is" (a group, by the sign of its id).
        """
        user = self._user_json(user_id, first_name, username)
        chat_id = user_id if chat_id is None else chat_id
        if chat_type == "private" and chat_id != user_id:
            chat_type = None
        chat = self._chats.get(chat_id)
        if chat is None or (chat_type is not None and chat["type"] != chat_type):
            if chat_type is None:
                chat_type = "private" if chat_id > 0 else "supergroup"
            if chat_type == "private":
                chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
                if "username" in user:
                    chat["username"] = user["username"]
            else:
                chat = {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
            self._chats[chat_id] = chat
        return {
            "message_id": self._next_id(chat_id),
            "date": int(time.time()),
            "chat": dict(chat),
            "from": user,
        }

    def _push_message(self, message: dict[str, Any]) -> int:
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        self._user_messages[key] = message
        self._push_update({"message": message})
        return int(message["message_id"])

    def _push_update(self, payload: dict[str, Any]) -> None:
        update = {"update_id": next(self._update_ids), **payload}
        self._pushed[update["update_id"]] = update
        self._updates.append(update)
        self._notify_updates()

    def redeliver(self, update_id: int) -> None:
        """Deliver an update again with its own id, as Telegram does when the bot died (or a
        webhook answer failed) before the update was confirmed."""
        self._updates.append({**self._pushed[update_id], "_again": True})
        self._notify_updates()

    def redelivery_pending(self) -> bool:
        """Whether an update sent again has not been fetched by the bot yet."""
        return any("_again" in update for update in self._updates)

    def last_update_id(self) -> int:
        return max(self._pushed)

    def _notify_updates(self) -> None:
        event, self._updates_changed = self._updates_changed, asyncio.Event()
        event.set()

    def _notify_state(self) -> None:
        event, self._state_changed = self._state_changed, asyncio.Event()
        event.set()

    def _message_by_id(self, chat_id: int, message_id: int) -> dict[str, Any]:
        sent = self.messages.get((chat_id, message_id))
        if sent is not None:
            return self._message_json(sent)
        user = self._user_messages.get((chat_id, message_id))
        if user is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return user

    def _text_entities(self, text: str) -> list[dict[str, Any]]:
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        for match in _URL.finditer(text):
            entities.append(
                {
                    "type": "url",
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
        return entities

    def _message_json(self, sent: SentMessage, *, chat_id: int | None = None) -> dict[str, Any]:
        """A complete Message as Telegram returns it (plain text + entities, inline markup)."""
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": sent.date,
            "chat": self._chat_json(sent.chat_id if chat_id is None else chat_id),
            "from": self._bot_json(),
        }
        if sent.text is not None:
            text, entities = self._rendered(sent.text, sent.parse_mode)
            message["text"] = text
            if entities:
                message["entities"] = entities
        if sent.caption is not None:
            caption, entities = self._rendered(sent.caption, sent.parse_mode)
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities
        if sent.document is not None:
            stored = self._files_by_path.get(f"sent/{sent.chat_id}/{sent.message_id}")
            if stored is not None:
                message["document"] = self._document_json(stored)
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            # Only inline keyboards are echoed back; PTB would choke on a reply keyboard here.
            message["reply_markup"] = sent.reply_markup
        return message

    @staticmethod
    def _rendered(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
        if parse_mode is not None and parse_mode.lower() == "html":
            try:
                return parse_html(text)
            except BotApiError:
                return text, []
        return text, []

    def _store_file(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> _StoredFile:
        number = next(self._file_ids)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=f"FILE{number:06d}",
            file_unique_id=f"U{number:06d}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_json(stored: _StoredFile) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.file_name is not None:
            document["file_name"] = stored.file_name
        if stored.mime_type is not None:
            document["mime_type"] = stored.mime_type
        return document

    # ------------------------------------------------------------------ HTTP

    async def _handle_page(self, request: web.Request) -> web.Response:
        page = self._pages.get(request.match_info["name"])
        if page is None:
            return web.Response(status=404, text="not found")
        body, status, content_type = page
        return web.Response(body=body, status=status, headers={"Content-Type": content_type})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.content,
            headers={"Content-Type": stored.mime_type or "application/octet-stream"},
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        arrived = time.monotonic()
        params = await self._read_params(request)
        call = Call(method=method, params=params, at=arrived)
        try:
            await self._maybe_fail(method)
            result = await self._dispatch(method, params)
        except BotApiError as error:
            call.status, call.error = error.status, error.description
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.parameters:
                body["parameters"] = error.parameters
            response = web.json_response(body, status=error.status)
        else:
            response = web.json_response({"ok": True, "result": result})
        # Recorded after the state change, so a test that saw the call also sees its effect.
        self.calls.append(call)
        self._notify_state()
        return response

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Decode form, multipart or JSON bodies (and query strings) into Python values."""
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[bytes, str | None]] = {}
        content_type = request.content_type
        if content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            return {**raw, **body}
        if content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = (bytes(await part.read()), part.filename)
                else:
                    raw[part.name] = await part.text()
        elif request.can_read_body:
            raw.update(dict(await request.post()))
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and value.startswith("attach://"):
                attached = files.pop(value.removeprefix("attach://"), None)
                if attached is not None:
                    params[key], params[f"{key}_filename"] = attached
                    continue
            params[key] = FakeBotApi._decode_value(key, value)
        for key, (content, filename) in files.items():
            params[key] = content
            params[f"{key}_filename"] = filename
        return params

    @staticmethod
    def _decode_value(key: str, value: Any) -> Any:
        if not isinstance(value, str) or key in _STRING_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    async def _maybe_fail(self, method: str) -> None:
        faults = self._faults.get(method)
        if not faults:
            return
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.pop(0)
        if fault.hang is not None:
            await asyncio.sleep(fault.hang)
        if fault.status == 429:
            raise BotApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        descriptions = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}
        raise BotApiError(fault.status, descriptions.get(fault.status, f"Error {fault.status}"))

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return True
        return await handler(params)

    # ------------------------------------------------------------------ Bot API methods

    async def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        """Long poll: confirm updates below ``offset``, then wait up to ``timeout`` for new ones."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset or "_again" in u]
            self._notify_state()  # a test may wait for the confirmation (`wait_confirmed`)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._updates_changed
            if self._updates or self._stopping:
                return self._take(limit)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return self._take(limit)

    def _take(self, limit: int) -> list[dict[str, Any]]:
        """The next updates; a redelivered one goes out once, whatever the offset says."""
        batch = self._updates[:limit]
        self._updates = [u for u in self._updates if not ("_again" in u and u in batch)]
        return [{k: v for k, v in u.items() if k != "_again"} for u in batch]

    async def _api_getChat(self, params: dict[str, Any]) -> Any:
        chat = self._chat_json(self._chat_id(params))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    async def _api_getChatMember(self, params: dict[str, Any]) -> Any:
        """Membership from ``member_status`` (creator, administrator, member, left, kicked)."""
        chat_id, user_id = self._chat_id(params), int(params.get("user_id") or 0)
        status = self.member_status.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": self._user_json(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update({right: True for right in _ADMIN_RIGHTS})
            member.update({"can_be_edited": False, "is_anonymous": False})
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        for command in commands:
            if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = list(commands)
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._chat_id(params)
        text = params.get("text")
        self._check_text(text, params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        sent = SentMessage(
            chat_id=chat_id,
            message_id=self._next_id(chat_id),
            text=str(text),
            reply_markup=markup,
            parse_mode=params.get("parse_mode"),
        )
        self.messages[(chat_id, sent.message_id)] = sent
        return self._message_json(sent)

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        return self._send_file(params, "document", "documents")

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._send_file(params, "photo", "photos")

    def _send_file(self, params: dict[str, Any], key: str, folder: str) -> Any:
        chat_id = self._chat_id(params)
        caption = params.get("caption")
        if caption is not None:
            self._check_caption(str(caption), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        value = params.get(key)
        name = params.get(f"{key}_filename")
        if isinstance(value, bytes):
            content = value
        elif isinstance(value, str) and value in self._files:
            content, name = self._files[value].content, self._files[value].file_name
        else:
            raise _bad_request(f"wrong remote file identifier specified: {value!r}"[:200])
        sent = SentMessage(
            chat_id=chat_id,
            message_id=self._next_id(chat_id),
            text=None,
            reply_markup=markup,
            document=content,
            document_name=name,
            caption=None if caption is None else str(caption),
            parse_mode=params.get("parse_mode"),
        )
        mime = "image/jpeg" if key == "photo" else self._guess_mime(name)
        stored = self._store_file(content, name, mime, folder)
        self._files_by_path[f"sent/{chat_id}/{sent.message_id}"] = stored
        self.messages[(chat_id, sent.message_id)] = sent
        message = self._message_json(sent)
        if key == "photo":
            del message["document"]
            message["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": 1,
                    "height": 1,
                    "file_size": len(content),
                }
            ]
        return message

    @staticmethod
    def _guess_mime(name: str | None) -> str:
        guessed = mimetypes.guess_type(name or "")[0]
        return guessed or "application/octet-stream"

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        sent = self._editable(params)
        if sent.text is None:
            raise _bad_request("there is no text in the message to edit")
        text = params.get("text")
        self._check_text(text, params.get("parse_mode"))
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = self._check_markup(params.get("reply_markup"))
        if str(text) == sent.text and markup == sent.reply_markup:
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        sent.text, sent.reply_markup = str(text), markup
        sent.parse_mode = params.get("parse_mode")
        return self._message_json(sent)

    async def _api_editMessageCaption(self, params: dict[str, Any]) -> Any:
        sent = self._editable(params)
        caption = params.get("caption")
        if caption is not None:
            self._check_caption(str(caption), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        if caption == sent.caption and markup == sent.reply_markup:
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        sent.caption = None if caption is None else str(caption)
        sent.reply_markup = markup
        sent.parse_mode = params.get("parse_mode")
        return self._message_json(sent)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        sent = self._editable(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == sent.reply_markup or (not markup and not sent.reply_markup):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        sent.reply_markup = markup
        return self._message_json(sent)

    async def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        key = (self._chat_id(params), int(params.get("message_id") or 0))
        if key not in self.messages:
            raise _bad_request("message to delete not found")
        del self.messages[key]
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_callback_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_callback_queries.discard(query_id)
        return True

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _chat_id(params: dict[str, Any]) -> int:
        value = params.get("chat_id")
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad_request("chat not found") from None

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad_request("message to edit not found")
        try:
            key = (int(params.get("chat_id")), int(params.get("message_id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _bad_request("message to edit not found") from None
        sent = self.messages.get(key)
        if sent is None:
            raise _bad_request("message to edit not found")
        return sent

    @staticmethod
    def _visible(text: str, parse_mode: Any) -> str:
        """The text Telegram measures: markup parsed away (and rejected if it does not parse)."""
        mode = str(parse_mode).lower() if parse_mode else ""
        if mode == "html":
            return parse_html(text)[0]
        if mode == "markdownv2":
            check_markdown_v2(text)
        return text

    def _check_text(self, text: Any, parse_mode: Any) -> None:
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        visible = self._visible(text, parse_mode)
        if not visible.strip():
            raise _bad_request("message text is empty")
        if len(visible.strip()) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")

    def _check_caption(self, caption: str, parse_mode: Any) -> None:
        if len(self._visible(caption, parse_mode).strip()) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise _bad_request("BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and (
                    not data or len(str(data).encode("utf-8")) > MAX_CALLBACK_DATA_BYTES
                ):
                    raise _bad_request("BUTTON_DATA_INVALID")
        return markup
