"""Storage faults delay storing, never answering: writes waited for a short bound, then kept.

A write (any awaitable factory that does one unit of work) normally finishes in milliseconds
and ``run`` returns its result. When the database is locked by someone else or failing,
``run`` stops waiting after ``wait_s`` and returns ``DEFERRED``: the caller answers the person
anyway, and the write is kept in memory and retried in order by one worker, with exponential
backoff (tenacity), until the database takes it. While writes are kept back, new writes join
the end of that queue at once (no second wait), so a locked database costs a conversation one
bound, not one per write, and writes keep their order.

What is kept here is lost if the process dies before the database is back: that window (a
database that refuses writes *and* a crash) is the one place attune can lose an entry.
Nothing is logged but kinds and counts (SQL errors quote their parameters: message text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, Final, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Faults of the database itself (locked, disk full or unreadable, pool exhausted): worth
#: retrying. Anything else (a duplicate, a bug) is the caller's to see.
STORAGE_ERRORS: Final = (OperationalError, DBAPIError, PoolTimeout, OSError, TimeoutError)


class _Deferred(Enum):
    DEFERRED = "deferred"


#: ``run``'s answer when the write was kept for later.
DEFERRED: Final = _Deferred.DEFERRED

Write = Callable[[], Awaitable[Any]]


class WriteBehind:
    """Bounded waits for storage writes, with an ordered retry queue behind them.

    ``wait_s``: seconds ``run`` waits for a write before answering ``DEFERRED``.
    ``max_backoff_s``: the longest pause between two retries of a kept write.
    ``serialize``: run this process's writes one at a time (SQLite: it has one writer
    anyway, and writers queued in its busy handler sleep in growing steps of up to 100 ms,
    while an asyncio lock hands over at once).
    """

    def __init__(
        self, wait_s: float = 3.0, *, max_backoff_s: float = 10.0, serialize: bool = False
    ) -> None:
        self.wait_s = wait_s
        self.max_backoff_s = max_backoff_s
        self._turn = asyncio.Lock() if serialize else None
        self._queue: deque[tuple[str, Write]] = deque()
        self._inflight: set[asyncio.Task[Any]] = set()
        self._worker: asyncio.Task[None] | None = None
        #: Writes that were kept back at least once, and those that then went through.
        self.deferred = 0
        self.recovered = 0

    @property
    def backlog(self) -> int:
        """Writes kept back and not yet stored (queued or still waiting on the database)."""
        return len(self._queue) + len(self._inflight)

    async def run(self, what: str, write: Callable[[], Awaitable[T]]) -> T | _Deferred:
        """The write's result, or ``DEFERRED`` if the database did not take it within the
        bound (it will be retried). Errors other than ``STORAGE_ERRORS`` raise as they are."""
        if self.backlog:
            self._keep(what, write)
            return DEFERRED
        task = asyncio.ensure_future(self._one(write))
        done, _ = await asyncio.wait({task}, timeout=self.wait_s)
        if done:
            error = task.exception()
            if error is None:
                return task.result()
            if not isinstance(error, STORAGE_ERRORS):
                raise error
            log.warning("storage: %s failed (%s); kept to retry", what, type(error).__name__)
            self._keep(what, write)
            return DEFERRED
        # Still waiting on the database: leave it running (cancelling a driver call midway
        # helps nobody) and retry it in the queue if it then fails.
        log.warning("storage: %s is waiting on the database; answering first", what)
        self.deferred += 1
        self._inflight.add(task)
        task.add_done_callback(lambda t: self._landed(what, write, t))
        return DEFERRED

    async def _one(self, write: Callable[[], Awaitable[T]]) -> T:
        if self._turn is None:
            return await write()
        async with self._turn:
            return await write()

    def _landed(self, what: str, write: Write, task: asyncio.Task[Any]) -> None:
        self._inflight.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self.recovered += 1
        elif isinstance(error, STORAGE_ERRORS):
            self._queue.appendleft((what, write))  # it was first: keep it first
            self._start()
        else:
            log.error("storage: %s failed for good (%s)", what, type(error).__name__)

    def _keep(self, what: str, write: Write) -> None:
        self.deferred += 1
        self._queue.append((what, write))
        self._start()

    def _start(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._queue:
            while self._inflight:  # the first write may still be waiting on the lock
                await asyncio.wait(set(self._inflight))
            if not self._queue:
                break
            what, write = self._queue[0]
            try:
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception_type(STORAGE_ERRORS),
                    wait=wait_exponential_jitter(multiplier=0.2, max=self.max_backoff_s),
                    reraise=True,
                ):
                    with attempt:
                        await self._one(write)
            except Exception as error:  # not a storage fault: retrying cannot help
                log.error("storage: %s failed for good (%s)", what, type(error).__name__)
            else:
                self.recovered += 1
                log.info("storage: a kept write (%s) is stored now", what)
            self._queue.popleft()

    async def settled(self) -> None:
        """Return once no write is kept back (at once when none is); unlike ``flush`` it
        neither gives up nor stops the retrying. A worker waits for this before it lets a
        chat go, so the next holder never sees a row this process already answered."""
        while self.backlog:
            waiting = [*self._inflight] + ([self._worker] if self._worker else [])
            if not waiting:
                await asyncio.sleep(0.05)  # kept, and its retry is about to be started
                continue
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)

    async def flush(self, timeout_s: float) -> int:
        """Give kept writes up to ``timeout_s`` to land (at shutdown); how many are lost."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                while self.backlog:
                    waiting = [*self._inflight] + ([self._worker] if self._worker else [])
                    if not waiting:
                        break
                    await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        lost = self.backlog
        if lost:
            log.error("storage: %d kept writes could not be stored before exit", lost)
        if self._worker is not None:
            self._worker.cancel()
        return lost
