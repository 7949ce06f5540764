"""Riding out Telegram's bad moments: every Bot API call is retried on transient failures.

Telegram answers a 502 or times out now and then; a claim card lost that way used to leave the
reviewer waiting for a message that never came. `RetryingRateLimiter` wraps PTB's
`AIORateLimiter` (which keeps handling flood control, 429 with `retry_after`) and retries, with
exponential backoff (tenacity), the calls that failed on the way: network errors, 5xx answers
and timeouts. A 400 (bad request), 403 or a flood-control answer the limiter gave up on is not
retried: trying again cannot change those.

Only a failed call is repeated, never a handler, so nothing is recorded twice. A send whose
answer timed out after Telegram had already delivered it can arrive twice: the Bot API has no
way to ask. When a claim card still fails after the retries, the walk notes it
(`review_session.card_lost`) and the reviewer's next message gets the claim again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter, BaseRateLimiter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

logger = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]


def is_transient(error: BaseException) -> bool:
    """A network error, a timeout or a 5xx answer: worth another try. A 400 is not."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


#: Requests that put a new message in a chat: what Telegram's "about 30 messages a second" and
#: "20 a minute in a group" are about. Edits, chat actions and button answers are not messages;
#: counted against those limits (PTB's limiter counts every request naming a chat) they halved
#: how many reviewers the bot could serve, at about one message in 2.2 requests per update.
MESSAGES = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage"}
)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter for messages (`MESSAGES`), with retries for transient failures around
    each call. Other requests only wait out a 429 (`others`, a limiter with no rate)."""

    def __init__(
        self,
        inner: AIORateLimiter,
        *,
        others: AIORateLimiter | None = None,
        attempts: int = 4,
        first_wait: float = 0.5,
    ) -> None:
        self._inner = inner
        self._others = others or inner
        self._attempts = attempts
        self._first_wait = first_wait

    async def initialize(self) -> None:
        await self._inner.initialize()
        if self._others is not self._inner:
            await self._others.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()
        if self._others is not self._inner:
            await self._others.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        def log_retry(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome is not None else None
            logger.warning(
                "%s failed (%s: %s); try %s of %s",
                endpoint,
                type(error).__name__,
                error,
                state.attempt_number + 1,
                self._attempts,
            )

        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._first_wait, max=8),
            before_sleep=log_retry,
            reraise=True,
        )
        limiter = self._inner if endpoint in MESSAGES else self._others
        async for attempt in retrying:
            with attempt:
                return await limiter.process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        raise AssertionError("unreachable: tenacity reraises the last error")
