"""``python -m bot worker``: answer the stored Telegram inbox and send the outbox, as one of
any number of workers (on any number of machines) sharing one database.

Receivers (``python -m bot receive``: long polling, or webhook servers behind a load
balancer) only store updates in the inbox. Each worker loops: claim chats that have stored
work and no live lease (``bot.storage.leases``), and for each chat it holds, on its own task:
send the chat's outbox rows, then answer its inbox rows, in id order, through the adapter's
own code (``TelegramAdapter.answer_stored``), until the chat has nothing left; then release
the lease. A heartbeat renews the lease every third of its length. So a chat's messages are
answered one at a time and in order across all workers, and only the lease holder sends a
chat's replies.

A worker that dies (SIGKILL, power) stops renewing: ``ATTUNE_WORKER_LEASE_S`` later another
worker takes its chats over, sends what is left in their outbox and answers what is left in
their inbox. One reply can go out twice: one Telegram accepted in the instant before the kill,
before its outbox row was marked sent (Telegram has no idempotency key); the row is marked
sent as soon as Telegram accepted the reply (a reply of several calls records its progress
between them), so the window is one answer from Telegram plus one database write. A worker
that cannot renew (a stall longer than the lease, or a database it cannot reach) abandons the
chat itself before the lease could pass on, so two live workers never send for one chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid

from bot.adapters.telegram import DRAIN_TIMEOUT_S, TelegramAdapter
from bot.storage.leases import ChatLeases
from bot.storage.writebehind import STORAGE_ERRORS

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    """Host, process id and a random part: unique across machines and restarts."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class TelegramWorker:
    """Claims chats and answers their stored work with ``adapter`` (built with
    ``role="work"``). ``start`` returns once connected; ``stop`` finishes the chats in hand
    (up to ``DRAIN_TIMEOUT_S``) and releases their leases."""

    name = "telegram worker"

    def __init__(
        self,
        adapter: TelegramAdapter,
        *,
        lease_s: float,
        chats: int,
        poll_s: float,
        worker_id: str | None = None,
    ) -> None:
        if adapter.role != "work":
            raise ValueError("a worker needs an adapter built with role='work'")
        self.adapter = adapter
        self.worker_id = worker_id or new_worker_id()
        self.leases: ChatLeases = adapter.mailbox.leases(self.worker_id, lease_s)
        self._chats = chats
        self._poll_s = poll_s
        self._held: dict[str, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        await self.adapter.start()
        self._loop_task = asyncio.create_task(self._claim_loop())
        log.info("telegram: worker %s ready (%d chats at once)", self.worker_id, self._chats)

    async def stop(self) -> None:
        self._stopping = True
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        held = list(self._held.values())
        if held:  # each chat stops after the batch in hand
            await asyncio.wait(held, timeout=DRAIN_TIMEOUT_S)
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
        await self.adapter.stop()

    async def _claim_loop(self) -> None:
        while not self._stopping:
            free = self._chats - len(self._held)
            taken: list[str] = []
            if free > 0:
                try:
                    # Never a chat a task of ours still has (its lease may have run out while
                    # this busy process did not get round to renewing it).
                    taken = await self.leases.claim(free, exclude=set(self._held))
                except STORAGE_ERRORS as error:
                    log.warning("telegram: could not claim chats (%s)", type(error).__name__)
            if taken:
                log.debug("telegram: took chats %s", taken)
            for chat_id in taken:
                task = asyncio.create_task(self._serve_chat(chat_id))
                self._held[chat_id] = task
                task.add_done_callback(self._let_go)
            if not taken or free <= len(taken):
                await asyncio.sleep(self._poll_s)

    def _let_go(self, task: asyncio.Task[None]) -> None:
        for chat_id, held in list(self._held.items()):
            if held is task:
                del self._held[chat_id]

    async def _serve_chat(self, chat_id: str) -> None:
        """Answer one held chat until it has no stored work left, then release it."""
        me = asyncio.current_task()
        assert me is not None
        heartbeat = asyncio.create_task(self._keep(chat_id, me))
        mailbox = self.adapter.mailbox
        seen_in: set[int] = set()
        seen_out: set[int] = set()
        try:
            while not self._stopping:
                replies = [r for r in await mailbox.outbound(chat_id) if r.id not in seen_out]
                updates = [u for u in await mailbox.pending(chat_id) if u.id not in seen_in]
                if not replies and not updates:
                    break
                # Rows handed over once are not handed over again while we hold the chat: a
                # row still here may be one whose "answered"/"sent" write is still queued.
                log.debug(
                    "telegram: chat %s: sending replies %s, answering updates %s",
                    chat_id,
                    [r.id for r in replies],
                    [u.id for u in updates],
                )
                seen_out.update(r.id for r in replies)
                seen_in.update(u.id for u in updates)
                await self.adapter.answer_stored(chat_id, replies, updates)
                # Writes kept back (a slow database) still hold rows this worker answered
                # or sent: read the chat again, or let it go, only once they landed.
                await self.adapter.writes.settled()
        except asyncio.CancelledError:
            self.adapter.abandon(chat_id)
            raise
        except Exception as error:
            log.error("telegram: chat %s failed in the worker (%s)", chat_id, type(error).__name__)
            self.adapter.abandon(chat_id)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(Exception):
                await self.leases.release([chat_id])
            log.debug("telegram: released chat %s", chat_id)

    async def _keep(self, chat_id: str, serving: asyncio.Task[None]) -> None:
        """Renew the chat's lease every third of its length. A renewal that fails or hangs is
        tried again until the lease is about to run out; then the chat is left (lost to
        another worker, or no database), before anyone else may take it."""
        lease_s = self.leases.lease_s
        # A lease taken at ``t`` holds until ``t + lease_s`` (its expiry is computed after
        # ``t``): leave a tenth of it for clock drift between machines.
        holds_until = time.monotonic() + lease_s * 0.9
        while True:
            await asyncio.sleep(lease_s / 3)
            while True:
                asked = time.monotonic()
                left = holds_until - asked
                if left <= 0:
                    held = False
                    break
                try:
                    held = await asyncio.wait_for(self.leases.take(chat_id), left)
                except (TimeoutError, *STORAGE_ERRORS) as error:
                    log.warning("telegram: could not renew a lease (%s)", type(error).__name__)
                    await asyncio.sleep(min(0.2, max(0.0, holds_until - time.monotonic())))
                    continue
                if held:
                    holds_until = asked + lease_s * 0.9
                break
            if not held:
                log.warning("telegram: lost the lease of chat %s; leaving it", chat_id)
                self.adapter.abandon(chat_id)
                serving.cancel()
                return
