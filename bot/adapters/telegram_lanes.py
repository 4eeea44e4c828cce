"""Per-chat lanes: one chat's work in order, different chats at once; and how long it took.

Each chat key has a lane (a queue with one worker task): PTB hands updates over one at a
time, each is queued on its chat's lane, so a chat's messages are answered in order while
chats run concurrently. ``Stats`` keeps the timings the benchmark and the shutdown line show.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.adapters.telegram_limits import LIMIT_WAITS

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

#: Timings kept per kind in ``Stats``: the newest ones only, so a bot that runs for months
#: does not grow by a few hundred bytes per message.
STATS_WINDOW = 20_000


def _window() -> deque[float]:
    return deque(maxlen=STATS_WINDOW)


@dataclass(slots=True)
class Stats:
    """What the adapter did, for the benchmark and tests (no content, only counts/times)."""

    handled: int = 0
    #: Seconds from an update's arrival to its last reply sent (includes queueing and limits).
    latencies: deque[float] = field(default_factory=_window)
    #: Seconds spent in the handler itself: download, core, rendering (includes rate limits).
    handler_times: deque[float] = field(default_factory=_window)
    #: Seconds waiting for and inside the core (``Core.handle``).
    core_times: deque[float] = field(default_factory=_window)
    #: Seconds of the handler spent waiting for Telegram's rate limits (on purpose).
    limit_waits: deque[float] = field(default_factory=_window)

    def handler_percentiles(self) -> tuple[float, float] | None:
        """Handler time p50 and p95 (s) over the recent window, or None before any."""
        times = sorted(self.handler_times)
        if not times:
            return None
        return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]

    def summary(self) -> str:
        """ "; answered N (handler p50 …, p95 …)", or "" before any: counts and times only,
        for the operator and the bench."""
        shown = self.handler_percentiles()
        if shown is None:
            return ""
        p50, p95 = shown[0] * 1000, shown[1] * 1000
        return f"; answered {self.handled} (handler p50 {p50:.1f} ms, p95 {p95:.1f} ms)"

    async def timed(self, arrived: float, work: Awaitable[None]) -> None:
        """Run one update's handler, recording its latency (since ``arrived``, monotonic s),
        handler time and the part of it spent on rate limits."""
        started = time.monotonic()
        waits: list[float] = []
        LIMIT_WAITS.set(waits)  # this lane task's own context
        try:
            await work
        finally:
            LIMIT_WAITS.set(None)
        done = time.monotonic()
        self.handled += 1
        self.latencies.append(done - arrived)
        self.handler_times.append(done - started)
        self.limit_waits.append(sum(waits))


class Lanes:
    """The lanes by chat key, and the other background tasks the adapter waits for at stop."""

    def __init__(self) -> None:
        self._lanes: dict[str, deque[Job]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        #: Every running lane worker and background task.
        self.tasks: set[asyncio.Task[None]] = set()
        #: Set at shutdown once draining took too long: lanes take no new job.
        self.closing = False

    def submit(self, key: str, job: Job) -> None:
        """Queue ``job`` on its chat's lane; start the lane's worker if it has none."""
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
            task = asyncio.create_task(self._run(key, lane))
            self.tasks.add(task)
            self._lane_tasks[key] = task
            task.add_done_callback(self.tasks.discard)
        lane.append(job)

    def later(self, work: Awaitable[None]) -> None:
        """Run ``work`` in the background (waited for at stop like the lanes)."""
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def call(self, key: str, job: Job) -> None:
        """Queue ``job`` on its chat's lane and wait until it ran; raises what it raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def run() -> None:
            try:
                await job()
            except Exception as error:
                if not done.done():  # the caller may have given up waiting
                    done.set_exception(error)
            else:
                if not done.done():
                    done.set_result(None)

        self.submit(key, run)
        await done

    async def drain(self, drain_s: float, finish_s: float) -> int:
        """At shutdown: run what is queued for up to ``drain_s``; then take no new job and
        give the jobs in hand ``finish_s`` more before cancelling them. Returns how many
        jobs were left undone (queued, or cancelled)."""
        deadline = time.monotonic() + drain_s
        while self.tasks and time.monotonic() < deadline:
            await asyncio.wait(list(self.tasks), timeout=deadline - time.monotonic())
        self.closing = True
        waiting = sum(len(lane) for lane in self._lanes.values())
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=finish_s)
        for task in list(self.tasks):  # stuck (a hung model or database): give up on it
            task.cancel()
        return waiting + len(self.tasks)

    def abandon(self, key: str) -> None:
        """Drop what is queued on this lane and cancel the job in hand."""
        lane = self._lanes.get(key)
        if lane is not None:
            lane.clear()
        task = self._lane_tasks.get(key)
        if task is not None:
            task.cancel()

    async def _run(self, key: str, lane: deque[Job]) -> None:
        try:
            while lane and not self.closing:
                job = lane.popleft()
                try:
                    await job()
                except Exception as error:  # one bad update must not stop the chat
                    # Where it failed, without the exception's message (it may quote text).
                    where = "".join(traceback.format_tb(error.__traceback__)[-3:])
                    log.error(
                        "telegram: could not answer in chat %s (%s)\n%s",
                        key,
                        type(error).__name__,
                        where,
                    )
                    log.debug("telegram: the failure in full", exc_info=error)
        finally:  # also when cancelled (shutdown, or a worker that lost the chat's lease)
            if self._lanes.get(key) is lane:
                del self._lanes[key]
                del self._lane_tasks[key]
