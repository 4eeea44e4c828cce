"""The Discord adapter: runs the bot (``discord_bot``) on the shared event loop.

``DiscordAdapter`` owns the lifecycle: ``start`` runs ``bot.start(token)`` in its own task and
returns once the bot is ready; if Discord refuses the privileged message content intent (close
code 4014) it logs one line saying how to enable it and reconnects without it, so DMs,
mentions and slash commands keep working. Once ready it is the ``Notifier`` that sends
check-ins to Discord DMs. Given a ``ShardPlan`` (``python -m bot discord --shards 0-3
--shard-count 8``) it runs only those shards (``build_bot``).

The rest lives beside it, one job a module: the client and its cogs (``discord_bot``),
messages and the durable inbox (``discord_cog``), slash commands and buttons
(``discord_slash``, ``discord_interactions``), sending and the outbox (``discord_send``),
attachments (``discord_attachments``), Discord objects to the core's (``discord_convert``)
and back (``discord_render``), shard ranges (``discord_shards``).

Privacy: replies the core marks private never appear in a server channel — they go to the
user by DM, or as an ephemeral answer to a slash command. Message text is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord_bot import AttuneBot, attune_intents, build_bot
from bot.adapters.discord_shards import ShardPlan
from bot.domain import Platform, Reply
from bot.notify import Notifiers

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

INTENT_LINE = (
    "discord: the message content intent was refused, so attune answers only DMs, mentions "
    "and slash commands; enable it at https://discord.com/developers/applications -> your "
    "app -> Bot -> Privileged Gateway Intents -> Message Content Intent, then restart"
)
#: How long ``stop`` waits for discord.py to close before cancelling its task.
STOP_TIMEOUT_S = 10.0

Runner = Callable[[AttuneBot], Awaitable[None]]


async def _start_with_token(bot: AttuneBot, token: str) -> None:
    await bot.start(token)


class DiscordAdapter:
    """Runs ``AttuneBot`` in its own task on the shared loop; ``start`` returns once ready.

    With ``shards`` it runs ``ShardedAttuneBot`` on those shards only (see ``build_bot``).
    """

    name = "discord"

    def __init__(
        self,
        core: Core,
        token: str,
        *,
        max_image_bytes: int,
        guild_id: int | None = None,
        runner: Runner | None = None,
        notifiers: Notifiers | None = None,
        shards: ShardPlan | None = None,
    ) -> None:
        self._core = core
        self._shards = shards
        self._notifiers = notifiers
        self._max_image_bytes = max_image_bytes
        self._guild_id = guild_id
        self._runner: Runner = runner or (lambda bot: _start_with_token(bot, token))
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.bot: AttuneBot | None = None

    def _build(self, *, message_content: bool) -> AttuneBot:
        return build_bot(
            self._core,
            intents=attune_intents(message_content=message_content),
            max_image_bytes=self._max_image_bytes,
            guild_id=self._guild_id,
            on_ready_hook=self._ready.set,
            shards=self._shards,
        )

    async def start(self) -> None:
        """Connect and return once ready; raise what stopped it if it could not get there."""
        self._task = asyncio.create_task(self._supervise(), name="attune-discord")
        ready = asyncio.create_task(self._ready.wait())
        try:
            await asyncio.wait({self._task, ready}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if not self._ready.is_set():
            self._task.result()  # raises LoginFailure and the like
            raise RuntimeError("the Discord connection ended before it was ready")
        if self._notifiers is not None:  # check-ins can reach Discord DMs from now on
            self._notifiers.register(Platform.DISCORD, self)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """``Notifier``: deliver a check-in through the connected bot."""
        if self.bot is None or not self._ready.is_set():
            raise RuntimeError("discord: not connected")
        await self.bot.deliver(chat_id, reply)

    async def _supervise(self) -> None:
        message_content = True
        while True:
            bot = self.bot = self._build(message_content=message_content)
            try:
                await self._runner(bot)
                return
            except discord.PrivilegedIntentsRequired:
                await bot.close()
                if not message_content:
                    raise
                log.warning(INTENT_LINE)
                message_content = False
            except BaseException:
                await bot.close()
                raise

    async def stop(self) -> None:
        """Close the connection and wait for the bot's task; safe to call twice."""
        if self._notifiers is not None:
            self._notifiers.unregister(Platform.DISCORD)
        if self.bot is not None:
            await self.bot.close()
        task, self._task = self._task, None
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        elif not task.cancelled() and (error := task.exception()) is not None:
            log.warning("discord: the connection had ended with %s", type(error).__name__)
