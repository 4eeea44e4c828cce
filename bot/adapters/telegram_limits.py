"""Every Bot API call within Telegram's limits, and through its bad moments.

Telegram asks bots for at most ~30 messages/s overall, about one per second in a private chat
(short bursts are tolerated) and 20 per minute in a group, and answers 429 with
``retry_after`` past that. ``PerChatRateLimiter`` is python-telegram-bot's own extension point
for this (``BaseRateLimiter``, given to ``ApplicationBuilder.rate_limiter``), so every call the
bot makes passes through it. PTB's ``AIORateLimiter`` is not used as is: on a 429 it holds
ALL chats, counts chat actions against the group budget and logs every 429 as an exception.

Each call waits for its chat's and the overall budget (token buckets), then is
retried on 429 (that chat only is held for ``retry_after``), on 5xx, malformed answers and
network faults (with backoff); it gives up only on errors a retry cannot fix (bad request,
blocked by the user). PTB's contract asks a rate limiter to handle RetryAfter only; this one
also retries the transient faults of the calls attune makes itself, so there is one place for
all retries. The updater's own calls (getUpdates never comes here; the webhook set-up below)
pass straight through, as PTB retries those itself (``bootstrap_retries``, its polling loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
T = TypeVar("T")
_Result = bool | dict[str, Any] | list[dict[str, Any]]

#: Errors a retry cannot fix: the request itself is wrong, or refused for good.
PERMANENT = (BadRequest, Forbidden, InvalidToken, ChatMigrated, Conflict, EndPointNotFound)

#: The updater's calls: PTB retries them itself, so they pass through untouched.
PASS_THROUGH = frozenset({"setWebhook", "deleteWebhook", "getWebhookInfo", "close", "logOut"})

#: Seconds the current task spent waiting on rate limits (and 429s), when a caller wants to
#: know: set it to a fresh list around a unit of work, then sum it.
LIMIT_WAITS: ContextVar[list[float] | None] = ContextVar("telegram_limit_waits", default=None)


def _note_wait(seconds: float) -> None:
    waits = LIMIT_WAITS.get()
    if waits is not None and seconds > 0:
        waits.append(seconds)


def sends_a_message(endpoint: str) -> bool:
    """Whether a Bot API method counts against the message limits (chat actions, callback
    answers, file look-ups and the rest do not)."""
    return endpoint.startswith(("send", "edit", "copy", "forward")) and endpoint != (
        "sendChatAction"
    )


class TokenBucket:
    """``rate`` tokens per second, holding at most ``capacity``; ``take`` waits for one.

    A plain token bucket, kept by hand because the 429 hold needs a fractional level
    (``pause``); waiters are served in the order they came (``asyncio.Lock`` is FIFO).
    """

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = capacity
        self._at = time.monotonic()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now

    async def take(self) -> None:
        async with self._lock:
            self._refill()
            while self._tokens < 1:  # a ``pause`` meanwhile lowers the level: wait again
                await asyncio.sleep((1 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """After a 429: nothing more for ``seconds``, then one send, then at the rate (the
        level is set so the next token comes in ``seconds``; no burst after the hold)."""
        self._refill()
        self._tokens = min(self._tokens, 1 - seconds * self.rate)

    @property
    def idle(self) -> bool:
        """The whole burst available and nobody waiting (so the bucket can be forgotten: a
        fresh one would behave the same)."""
        self._refill()
        return self._tokens >= self.capacity and not self._lock.locked()


@dataclass(frozen=True, slots=True)
class Limits:
    """Telegram's published limits, kept a little under (and a burst of a few messages)."""

    #: A little under Telegram's ~30/s, with a small burst: our clock and Telegram's differ
    #: by the network's jitter, so running right at the limit draws the odd 429.
    overall_per_s: float = 28.0
    overall_burst: float = 10.0
    private_per_s: float = 1.0
    private_burst: float = 3.0
    group_per_min: float = 20.0
    group_burst: float = 3.0
    max_attempts: int = 6
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    #: Longest pause between two rounds of sending a stored reply again (the outbox keeps
    #: trying for as long as it takes; a restart resumes it).
    redeliver_max_s: float = 30.0


class PerChatRateLimiter(BaseRateLimiter[None]):
    """Rate-limited, retrying Bot API calls: one per adapter, shared by every chat.

    ``rate_limited`` counts the 429s Telegram sent (each one means a limit was misjudged) and
    ``retries`` every call made again; only the tests read them (nothing in the bot or the
    bench reports them yet).
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._overall = TokenBucket(self.limits.overall_per_s, self.limits.overall_burst)
        self._chats: dict[int, TokenBucket] = {}
        self.rate_limited = 0
        self.retries = 0

    async def initialize(self) -> None:
        """Nothing to open (``BaseRateLimiter``)."""

    async def shutdown(self) -> None:
        """Nothing to close (``BaseRateLimiter``)."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> _Result:
        """``BaseRateLimiter``: run one Bot API request through ``call``; the chat is
        ``data["chat_id"]`` (positive: a private chat, else a group or channel)."""
        if endpoint in PASS_THROUGH:
            return await callback(*args, **kwargs)
        chat_id: int | None = None
        with contextlib.suppress(TypeError, ValueError):  # absent, or a @channel name
            chat_id = int(data.get("chat_id"))  # type: ignore[arg-type]
        return await self.call(
            endpoint,
            lambda: callback(*args, **kwargs),
            chat_id=chat_id,
            private=chat_id is not None and chat_id > 0,
            limited=sends_a_message(endpoint),
        )

    def _bucket(self, chat_id: int, private: bool) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats whose budget is full again
                self._chats = {k: b for k, b in self._chats.items() if not b.idle}
            if private:
                bucket = TokenBucket(self.limits.private_per_s, self.limits.private_burst)
            else:
                bucket = TokenBucket(self.limits.group_per_min / 60, self.limits.group_burst)
            self._chats[chat_id] = bucket
        return bucket

    async def call(
        self,
        what: str,
        action: Callable[[], Awaitable[T]],
        *,
        chat_id: int | None = None,
        private: bool = True,
        limited: bool = True,
    ) -> T:
        """Run ``action`` (one Bot API call, or a file download) until it succeeds or cannot.

        ``limited`` calls (messages) wait for their chat's budget and the overall one. ``what``
        names the call in logs (never the text or the token). Raises the ``PERMANENT`` error,
        or the last transient one after ``Limits.max_attempts``.
        """
        bucket = self._bucket(chat_id, private) if limited and chat_id is not None else None
        delay = self.limits.backoff_s
        for attempt in range(1, self.limits.max_attempts + 1):
            waiting = time.monotonic()
            if bucket is not None:
                await bucket.take()
            if limited:
                await self._overall.take()
            _note_wait(time.monotonic() - waiting)
            try:
                return await action()
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self.rate_limited += 1
                log.warning("%s: Telegram asked to wait %.1fs (429)", what, seconds)
                # Telegram does not say which limit was hit. The overall budget keeps us under
                # the bot-wide limit, so a 429 in a chat is almost always that chat's own
                # limit: hold only that chat. Holding everything (as PTB's AIORateLimiter
                # does) kept a crisis reply in another chat waiting the whole retry_after
                # (29.8 s measured). If it was the bot-wide limit after all, each other chat
                # draws at most one 429 of its own and is held in turn.
                if bucket is not None:
                    bucket.pause(seconds + 0.05)  # the next take() waits it out
                elif limited:
                    self._overall.pause(seconds + 0.05)
                else:
                    await asyncio.sleep(seconds + 0.05)
                    _note_wait(seconds + 0.05)
            except PERMANENT:
                raise  # a retry cannot fix these
            except TelegramError as error:  # 5xx, timeouts, dropped connections, bad JSON
                if attempt == self.limits.max_attempts:
                    raise
                log.info(
                    "%s failed (%s); retry %d in %.1fs", what, type(error).__name__, attempt, delay
                )
                await asyncio.sleep(delay)
                delay = min(self.limits.max_backoff_s, delay * 2)
            self.retries += 1
        raise NetworkError(f"{what}: gave up after {self.limits.max_attempts} attempts")


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds, whichever type this PTB version returns (and without its
    deprecation warning about int vs timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
