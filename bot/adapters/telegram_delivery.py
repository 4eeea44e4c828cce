"""Getting answers out through the durable outbox: stored, then sent until Telegram accepts.

A lane job answering inbound updates runs inside ``Outbox.answering``: its reply is stored in
the outbox in the same transaction that marks the updates answered (``finish``), then sent
(``deliver``) round after round until Telegram accepts it or refuses it for good; a reply left
by a restart or by a worker that died is sent by ``redeliver``. A reply of several Bot API
calls records how far it got (``step``), so a later round skips what was accepted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass

from telegram.error import TelegramError
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential_jitter

from bot import outbox
from bot.adapters.telegram_inbox import Received
from bot.adapters.telegram_limits import PERMANENT, Limits
from bot.domain import Message, Platform, Reply, UserRef
from bot.storage.mailbox import Mailbox, NewOutbound, OutboxItem
from bot.storage.writebehind import WriteBehind

log = logging.getLogger(__name__)

#: Sends a reply now: ``Renderer.render_now(reply, message, reply_to)``.
RenderNow = Callable[[Reply, Message, int | None], Awaitable[None]]

#: The inbound updates the running lane job answers (its reply goes to the outbox with them).
_ANSWERING: ContextVar[list[Received] | None] = ContextVar("telegram_answering", default=None)
#: Platform calls of the reply being delivered: how many went out before (skipped on retry).
_STEPS: ContextVar[_Steps | None] = ContextVar("telegram_steps", default=None)


@dataclass(slots=True)
class _Outbound:
    """A reply on its way out: its outbox row (``None`` until the database took it)."""

    new: NewOutbound
    outbox_id: int | None = None
    progress: int = 0
    sent: bool = False


@dataclass(slots=True)
class _Steps:
    """Counts a reply's platform calls; the first ``skip`` were accepted before a retry."""

    skip: int
    done: int = 0
    #: Records progress in the outbox row (set once the row exists).
    save: Callable[[int], Awaitable[None]] | None = None


def _transient(error: BaseException) -> bool:
    """Worth sending again later: Telegram or the network failed, not the request itself."""
    return isinstance(error, TelegramError) and not isinstance(error, PERMANENT)


async def step(action: Callable[[], Awaitable[object]]) -> None:
    """One platform call of a reply; skipped when a previous round already made it."""
    steps = _STEPS.get()
    if steps is not None and steps.done < steps.skip:
        steps.done += 1
        return
    if steps is not None and steps.done and steps.save is not None:
        # Only a reply of several calls records how far it got (before each later call).
        await steps.save(steps.done)
    await action()
    if steps is not None:
        steps.done += 1


def replaying() -> bool:
    """Whether the lane job running now answers an update recovered at start-up."""
    return any(r.replay for r in _ANSWERING.get() or ())


class Outbox:
    """The adapter's inbox and outbox rows: answered, stored, sent.

    ``in_hand`` maps a stored update handed to a lane and not finished yet (inbox id) to its
    chat, so a worker never hands one still queued over a second time.
    """

    def __init__(
        self, mailbox: Mailbox, writes: WriteBehind, limits: Limits, render_now: RenderNow
    ) -> None:
        self._mailbox = mailbox
        self._writes = writes
        self._limits = limits
        self._render_now = render_now
        self.in_hand: dict[int, str] = {}

    def answering(
        self, received: list[Received], job: Callable[[], Awaitable[None]]
    ) -> Callable[[], Awaitable[None]]:
        """``job`` for these inbound updates: they leave the inbox when it is done (with their
        reply, if it gave one) — also when it failed, so one bad update is not replayed
        forever. A job cancelled at shutdown leaves them, to be answered after the restart."""

        async def run() -> None:
            token = _ANSWERING.set(received)
            cancelled = False
            try:
                await job()
            except asyncio.CancelledError:
                cancelled = True  # shutdown: left in the inbox, answered after the restart
                raise
            finally:
                _ANSWERING.reset(token)
                if not cancelled and not all(r.answered for r in received):
                    await self.finish(received, None)
                for item in received:
                    if item.inbox_id is not None:
                        self.in_hand.pop(item.inbox_id, None)

        return run

    async def finish(self, received: list[Received], reply: _Outbound | None) -> None:
        """Record that these updates are answered and, in the same transaction, store their
        reply in the outbox. A database that does not take it in time delays only this."""
        for item in received:
            if item.inbox_id is not None:
                self.in_hand.pop(item.inbox_id, None)
        received = [r for r in received if not r.answered]
        for item in received:
            item.answered = True
        if not received and reply is None:
            return
        mailbox = self._mailbox

        async def write() -> None:
            stored = [r.inbox_id for r in received if r.inbox_id is not None]
            if reply is not None and reply.outbox_id is None and not reply.sent:
                (reply.outbox_id,) = await mailbox.answered(stored, [reply.new])
            elif stored:
                await mailbox.answered(stored, [])
            if reply is not None and reply.sent and reply.outbox_id is not None:
                await mailbox.sent(reply.outbox_id)

        await self._writes.run("outbox", write)

    async def render(self, reply: Reply, message: Message, reply_to: int | None) -> None:
        """Deliver a core reply for ``message``; private replies never go to a group.

        Inside a lane job answering inbound updates, the reply goes through the outbox: it is
        stored (with the updates marked answered, in one transaction), then sent with retries
        until Telegram accepts it or refuses it for good.
        """
        if reply.duplicate:
            return
        answering = _ANSWERING.get()
        if answering is None:
            await self._render_now(reply, message, reply_to)
            return
        destination = {
            "chat": message.chat_id,
            "user": message.user.user_id,
            "private_chat": message.is_private_chat,
            "reply_to": reply_to,
        }
        out = _Outbound(
            NewOutbound(message.chat_id, message.user.user_id, outbox.encode(reply, destination))
        )
        await self.finish(answering, out)
        await self._deliver(out, reply, message, reply_to)

    async def redeliver(self, item: OutboxItem) -> None:
        """A reply stored before a restart and not (fully) sent: send the rest."""
        try:
            reply, to = outbox.decode(item.payload)
            message = Message(
                UserRef(Platform.TELEGRAM, str(to["user"])),
                str(to["chat"]),
                is_private_chat=bool(to["private_chat"]),
            )
            reply_to = int(to["reply_to"]) if to.get("reply_to") else None
        except (ValueError, KeyError, TypeError) as error:
            log.error("telegram: a stored reply is unreadable (%s); dropped", type(error).__name__)
            await self._writes.run("outbox", lambda: self._mailbox.sent(item.id))
            return
        out = _Outbound(NewOutbound(item.chat_id, "", item.payload), item.id, item.progress)
        await self._deliver(out, reply, message, reply_to)

    async def _deliver(
        self, out: _Outbound, reply: Reply, message: Message, reply_to: int | None
    ) -> None:
        """Send until Telegram accepts (backoff up to ``Limits.redeliver_max_s`` between
        rounds, for as long as it takes) or refuses for good (logged, one line)."""
        mailbox, writes = self._mailbox, self._writes

        async def progressed(progress: int) -> None:
            if out.outbox_id is not None:
                await mailbox.progressed(out.outbox_id, progress)

        async def save(progress: int) -> None:
            await writes.run("outbox progress", lambda: progressed(progress))

        steps = _Steps(out.progress, save=save)
        token = _STEPS.set(steps)
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_transient),
                wait=wait_exponential_jitter(
                    multiplier=self._limits.backoff_s, max=self._limits.redeliver_max_s
                ),
                before_sleep=lambda state: log.warning(
                    "telegram: a reply could not be sent yet (%s); retrying",
                    type(state.outcome.exception()).__name__ if state.outcome else "?",
                ),
                reraise=True,
            ):
                with attempt:
                    steps.skip, steps.done = max(steps.skip, steps.done), 0
                    await self._render_now(reply, message, reply_to)
        except TelegramError as error:
            log.error("telegram: Telegram refused a reply for good (%s)", type(error).__name__)
        finally:
            _STEPS.reset(token)
        out.sent = True
        if out.outbox_id is not None:
            outbox_id = out.outbox_id
            await self._writes.run("outbox sent", lambda: self._mailbox.sent(outbox_id))
