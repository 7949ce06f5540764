"""Long polling that confirms an update to Telegram only once the bot has handled it.

PTB's Updater asks for the next batch while the handlers of the last one still run, and asking
with a higher `offset` is what confirms updates to Telegram. A bot killed at that moment loses
the updates in flight: Telegram will not send them again. Here the offset is the oldest update
still being handled, so Telegram keeps, and after a crash delivers again, every update whose
effect is not stored yet. Updates fetched again while they are in flight, or after they were
handled, are skipped; if one is handled twice anyway (two replicas, a crash after the commit),
the database keeps its effect once (`services.updates`).

This is PTB's documented way to fetch updates yourself: the Application is built without an
Updater's loop doing the fetching, and each update goes to `Application.process_update`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.context import FactdeskApp

logger = logging.getLogger(__name__)

#: How long to wait for a handler to finish when every update Telegram returned is already
#: in hand (a slow one holds the offset back), before asking again.
_IN_HAND_WAIT = 0.2
_GRACE_ON_STOP = 10.0
#: Telegram's (and PTB's) default number of updates in one getUpdates answer.
_BATCH = 100


_FEED = "factdesk.update_feed"


class UpdateFeed(HTTPXRequest):
    """The getUpdates connection, which drops the updates the poller already has from each answer
    before PTB turns them into objects.

    With the offset held at the oldest unfinished update, Telegram sends every update in hand
    again with each answer; under load, parsing those again cost about a fifth of the bot's CPU.
    PTB documents `parse_json_payload` as the place to change how answers are read.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.known: Callable[[object], bool] = lambda update_id: False

    # The base declares it static but calls it on the instance, which is what lets it see `known`.
    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        answer = super().parse_json_payload(payload)
        updates = answer.get("result")
        if isinstance(updates, list):
            answer["result"] = [
                u for u in updates if not (isinstance(u, dict) and self.known(u.get("update_id")))
            ]
        return answer


_FRESH = "factdesk.fresh_updates"


def is_fresh(bot_data: Mapping[Any, Any], update_id: int) -> bool:
    """Whether the poller knows this update was never delivered before, so that nobody needs
    to look it up among the handled ones: its id is above every id this process took before,
    and it came after the backlog waiting at start (which may hold updates that a process killed
    meanwhile had in hand). Webhook mode knows nothing of the kind: every update is looked up."""
    fresh = bot_data.get(_FRESH)
    return isinstance(fresh, set) and update_id in fresh


def use_feed(application: FactdeskApp, feed: UpdateFeed) -> None:
    """Remember the application's getUpdates connection (built with `get_updates_request`)."""
    application.bot_data[_FEED] = feed


class ConfirmingPoller:
    def __init__(
        self, application: FactdeskApp, *, timeout: int, allowed_updates: Sequence[str]
    ) -> None:
        self._application = application
        self._timeout = timeout
        self._allowed = list(allowed_updates)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._handled: set[int] = set()  # handled ids Telegram may still send again
        self._highest = -1
        self._fresh: set[int] = set()  # in hand, and never delivered before (see `is_fresh`)
        self._backlog_done = False  # an answer came back short of a full batch

    @property
    def offset(self) -> int:
        """Telegram confirms every update below the offset: keep the oldest unfinished one."""
        if self._in_flight:
            return min(self._in_flight)
        return self._highest + 1

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch and hand out updates until `stop` is set; then finish what is in hand."""
        bot = self._application.bot
        feed = self._application.bot_data.get(_FEED)
        if isinstance(feed, UpdateFeed):
            feed.known = self._known
        self._application.bot_data[_FRESH] = self._fresh
        await bot.delete_webhook(drop_pending_updates=False)
        delay = 1.0
        while not stop.is_set():
            offset = self.offset
            # This request confirms everything below `offset`: Telegram will not send those
            # again, so they need not be remembered (and one that still comes, as a test's
            # redelivery does, is new to the feed's filter). An answer to this very request may
            # bring an update that finished while it was on its way: that one is still kept.
            self._handled = {handled for handled in self._handled if handled >= offset}
            fetch = asyncio.ensure_future(
                bot.get_updates(offset=offset, timeout=self._timeout, allowed_updates=self._allowed)
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():
                fetch.cancel()
                break
            try:
                updates = fetch.result()
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except (NetworkError, TimedOut) as error:
                logger.warning("getUpdates failed (%s); trying again in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = 1.0
            taken = self._take(updates)
            self._backlog_done = self._backlog_done or len(updates) < _BATCH
            if not taken and self._in_flight:
                await asyncio.wait(
                    set(self._in_flight.values()),
                    timeout=_IN_HAND_WAIT,
                    return_when=asyncio.FIRST_COMPLETED,
                )
        await self._finish(bot)

    def _known(self, update_id: object) -> bool:
        return update_id in self._in_flight or update_id in self._handled

    def _take(self, updates: Sequence[Update]) -> int:
        """Start a task for each update not yet in hand; how many were new."""
        new = 0
        for update in updates:
            uid = update.update_id
            if self._backlog_done and uid > self._highest:
                self._fresh.add(uid)
            self._highest = max(self._highest, uid)
            if uid in self._in_flight or uid in self._handled:
                continue
            task = asyncio.create_task(self._handle(update))
            self._in_flight[uid] = task
            new += 1
        return new

    async def _handle(self, update: Update) -> None:
        try:
            await self._application.process_update(update)  # errors go to the error handler
        finally:
            self._done(update.update_id)

    def _done(self, uid: int) -> None:
        self._in_flight.pop(uid, None)
        self._fresh.discard(uid)
        self._handled.add(uid)

    async def _finish(self, bot: object) -> None:
        """On stop: let the handlers in hand finish, then confirm what was handled."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight.values()), timeout=_GRACE_ON_STOP)
        if self._highest >= 0:
            with contextlib.suppress(NetworkError, TimedOut, RetryAfter):
                await self._application.bot.get_updates(
                    offset=self.offset, timeout=0, allowed_updates=self._allowed
                )


async def serve_polling(
    application: FactdeskApp, *, poll_timeout: int, allowed_updates: Sequence[str]
) -> None:
    """Run the bot by long polling until SIGINT or SIGTERM, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            await ConfirmingPoller(
                application, timeout=poll_timeout, allowed_updates=allowed_updates
            ).run(stop)
        finally:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
