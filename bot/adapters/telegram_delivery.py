"""Getting replies out to Telegram within its limits, and through its bad moments.

Telegram asks bots for at most ~30 messages/s overall, about one per second in a private chat
(short bursts are tolerated) and 20 per minute in a group, and answers 429 with
``retry_after`` past that. PTB's ``AIORateLimiter`` covers the overall and group limits but
not the per-chat one, counts chat actions against the group budget and logs every 429 as an
exception, so attune keeps its own small token buckets here instead.

``Delivery.call`` runs one Bot API call: it waits for its chat's and the global budget, then
retries on 429 (after ``retry_after``), on 5xx, malformed answers and network faults (with
backoff), and gives up only on errors a retry cannot fix (bad request, blocked by the user).
A reply that still fails after ``max_attempts`` waits in the outbox for the next round.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

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

from bot.adapters.text_split import split_text as shared_split_text

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Errors a retry cannot fix: the request itself is wrong, or refused for good.
PERMANENT = (BadRequest, Forbidden, InvalidToken, ChatMigrated, Conflict, EndPointNotFound)

#: Telegram's hard limit for one text message (``text_split`` counts it in UTF-16 units).
MAX_TEXT = 4096


#: Seconds the current task spent waiting on rate limits (and 429s), when a caller wants to
#: know: set it to a fresh list around a unit of work, then sum it.
LIMIT_WAITS: ContextVar[list[float] | None] = ContextVar("telegram_limit_waits", default=None)


def _note_wait(seconds: float) -> None:
    waits = LIMIT_WAITS.get()
    if waits is not None and seconds > 0:
        waits.append(seconds)


class TokenBucket:
    """``rate`` tokens per second, holding at most ``capacity``; ``take`` waits for one."""

    def __init__(self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic):
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = capacity
        self._at = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now

    async def take(self) -> None:
        async with self._lock:  # FIFO: waiters are served in the order they came
            self._refill()
            while self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """After a 429: spend the budget so nothing more is sent for ``seconds``."""
        self._refill()
        self._tokens = min(self._tokens, 1 - seconds * self.rate)  # next token in ``seconds``

    @property
    def idle(self) -> bool:
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


class Delivery:
    """Rate-limited, retrying Bot API calls. One per adapter, shared by every chat."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._overall = TokenBucket(self.limits.overall_per_s, self.limits.overall_burst)
        self._chats: dict[int, TokenBucket] = {}
        #: 429s Telegram sent us (each one means a limit was misjudged); for the bench and logs.
        self.rate_limited = 0
        self.retries = 0

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
        """Run ``action`` (one Bot API call) until it succeeds or cannot succeed.

        ``limited`` calls (messages) wait for their chat's budget; chat actions, callback
        answers and file downloads do not count against it. ``what`` names the call in logs
        (never the text or the token).
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


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``bot.adapters.text_split.split_text`` with Telegram's limit as the default.

    Text that is only whitespace stays one part, as this module's callers have always had at
    least one part for any non-empty text.
    """
    return shared_split_text(text, limit) or ([text] if text else [])
