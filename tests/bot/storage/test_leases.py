"""Chat leases: one worker per chat at a time, taken over once a lease runs out."""

from __future__ import annotations

import asyncio

import pytest

from bot.domain import Platform
from bot.storage.mailbox import NewOutbound
from bot.storage.repository import Repository
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)


async def test_a_chat_with_work_is_held_by_one_worker_until_its_lease_runs_out(
    repository: Repository,
) -> None:
    box = repository.mailbox(Platform.TELEGRAM)
    await box.receive("-5", "1", "10", "{}")
    await box.receive("-6", "1", "11", "{}")
    await box.receive("-5", "2", "10", "{}")
    a = box.leases("a", lease_s=0.6)
    b = box.leases("b", lease_s=0.6)
    assert await a.waiting(10) == ["-5", "-6"]  # oldest work first
    assert await a.take("-5")
    assert not await b.take("-5")  # a's lease is live
    assert await b.waiting(10) == ["-6"]
    assert await b.claim(10) == ["-6"]
    assert await a.claim(10) == []  # a already holds -5: not handed out again
    assert await a.take("-5")  # a renewal
    await asyncio.sleep(0.8)  # neither renewed: both leases ran out
    assert sorted(await b.claim(10)) == ["-5", "-6"]
    await a.release(["-5"])  # not a's any more: nothing happens
    assert not await a.take("-5")
    await b.release(["-5", "-6"])
    assert await a.take("-6")


async def test_outbox_rows_alone_make_a_chat_wait_and_other_platforms_are_apart(
    repository: Repository,
) -> None:
    box = repository.mailbox(Platform.TELEGRAM)
    await box.answered([], [NewOutbound("-7", "12", "{}")])
    discord = repository.mailbox(Platform.DISCORD)
    await discord.receive("-8", "1", "13", "{}")
    assert await box.leases("a", 5).waiting(10) == ["-7"]
    assert await discord.leases("a", 5).waiting(10) == ["-8"]
    assert [r.chat_id for r in await box.outbound("-7")] == ["-7"]
    assert await box.outbound("-8") == [] and await discord.pending("-7") == []


async def test_workers_racing_for_the_same_chats_each_get_a_chat_once(
    repository: Repository,
) -> None:
    box = repository.mailbox(Platform.TELEGRAM)
    chats = [str(-100 - i) for i in range(12)]
    for chat in chats:
        await box.receive(chat, "1", "1", "{}")
    workers = [box.leases(f"w{i}", lease_s=30) for i in range(6)]
    taken: list[str] = []
    for _ in range(3):  # several rounds, every worker at once
        rounds = await asyncio.gather(*(w.claim(2) for w in workers))
        taken += [chat for got in rounds for chat in got]
        assert len(taken) == len(set(taken)), "a chat was given to two workers (or twice)"
    assert sorted(taken) == sorted(chats)
