"""Bounded storage waits: a slow or failing write is kept and retried, never lost in a run."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from bot.storage.writebehind import DEFERRED, WriteBehind


def locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, Exception("database is locked"))


async def test_a_quick_write_returns_its_result() -> None:
    writes = WriteBehind(wait_s=1.0)

    async def write() -> int:
        return 7

    assert await writes.run("w", write) == 7
    assert writes.backlog == 0 and writes.deferred == 0


async def test_a_slow_write_is_answered_deferred_and_later_writes_keep_their_order() -> None:
    writes = WriteBehind(wait_s=0.05)
    gate = asyncio.Event()
    done: list[str] = []

    async def slow() -> None:
        await gate.wait()
        done.append("slow")

    async def quick() -> None:
        done.append("quick")

    assert await writes.run("slow", slow) is DEFERRED
    assert await writes.run("quick", quick) is DEFERRED  # queued behind, no second wait
    assert done == [] and writes.backlog == 2
    gate.set()
    assert await writes.flush(timeout_s=5) == 0
    assert done == ["slow", "quick"] and writes.recovered == 2


async def test_a_failing_write_is_retried_until_the_database_takes_it() -> None:
    writes = WriteBehind(wait_s=0.5, max_backoff_s=0.05)
    failures = [locked(), locked(), locked()]
    stored: list[int] = []

    async def write() -> None:
        if failures:
            raise failures.pop()
        stored.append(1)

    assert await writes.run("entry", write) is DEFERRED
    assert await writes.flush(timeout_s=10) == 0
    assert stored == [1] and not failures


async def test_errors_that_are_not_storage_faults_are_raised() -> None:
    writes = WriteBehind(wait_s=0.5)

    async def bug() -> None:
        raise ValueError("a bug, not the database")

    with pytest.raises(ValueError):
        await writes.run("entry", bug)
    assert writes.backlog == 0


@pytest.mark.allow_error_logs  # flush reports lost writes as an ERROR, by design
async def test_flush_says_how_many_writes_could_not_be_stored() -> None:
    writes = WriteBehind(wait_s=0.01, max_backoff_s=0.05)

    async def never() -> None:
        raise locked()

    assert await writes.run("entry", never) is DEFERRED
    assert await writes.flush(timeout_s=0.3) == 1


async def test_serialized_writes_never_overlap() -> None:
    writes = WriteBehind(wait_s=5.0, serialize=True)
    running: list[int] = []
    overlaps = 0

    async def write() -> None:
        nonlocal overlaps
        running.append(1)
        overlaps += len(running) > 1
        await asyncio.sleep(0.01)
        running.pop()

    await asyncio.gather(*(writes.run("w", write) for _ in range(5)))
    assert overlaps == 0
