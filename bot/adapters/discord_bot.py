"""The Discord client: discord.py's bot with attune's cogs, slash commands and buttons.

``AttuneBot`` is a ``commands.Bot`` whose ``setup_hook`` adds the ``AttuneCog`` (messages and
edits, the durable inbox) and the ``InteractionsCog`` (slash commands, button presses), and
registers slash commands generated from the core's command table (``discord_slash``).

Shards: by default one process runs the whole bot (``commands.Bot``, one gateway
connection). Given a ``ShardPlan`` it runs discord.py's ``AutoShardedBot`` with exactly those
``shard_ids`` (``ShardedAttuneBot``); each process then answers the servers its shards carry
(DMs arrive on shard 0), recovers only its own stored messages, and only shard 0's process
syncs the slash commands (one sync, not one per process).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.adapters.discord_cog import AttuneCog
from bot.adapters.discord_interactions import InteractionsCog
from bot.adapters.discord_render import ChoiceButton
from bot.adapters.discord_shards import ShardPlan
from bot.adapters.discord_slash import app_commands_for, sync_commands
from bot.domain import Reply

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


def attune_intents(*, message_content: bool) -> discord.Intents:
    """Servers, DMs and their messages; message content only when Discord grants it."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


class AttuneBot(commands.Bot):
    """discord.py's bot with attune's cogs, generated slash commands and persistent buttons."""

    def __init__(
        self,
        core: Core,
        *,
        intents: discord.Intents,
        max_image_bytes: int,
        guild_id: int | None = None,
        on_ready_hook: Callable[[], None] | None = None,
        shards: ShardPlan | None = None,
        **options: Any,
    ) -> None:
        """``shards``: this process's share of the shards (``ShardedAttuneBot`` passes it with
        discord.py's ``shard_ids``/``shard_count`` in ``options``); None runs them all."""
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.core = core
        self.shard_plan = shards
        self.max_image_bytes = max_image_bytes
        self.guild_id = guild_id
        self._on_ready_hook = on_ready_hook
        self.closed = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()

    @property
    def cog(self) -> AttuneCog:
        """The messages cog (added by ``setup_hook``)."""
        cog = self.get_cog("attune")
        assert isinstance(cog, AttuneCog)
        return cog

    @property
    def interactions(self) -> InteractionsCog:
        """The slash command and button cog (added by ``setup_hook``)."""
        cog = self.get_cog("attune-interactions")
        assert isinstance(cog, InteractionsCog)
        return cog

    async def setup_hook(self) -> None:
        messages = AttuneCog(
            self, self.core, max_image_bytes=self.max_image_bytes, shards=self.shard_plan
        )
        interactions = InteractionsCog(self.core, messages.locks)
        await self.add_cog(messages)
        await self.add_cog(interactions)
        self.add_dynamic_items(ChoiceButton)
        for slash in app_commands_for(self.core.commands, interactions.run_slash):
            self.tree.add_command(slash)
        if self.shard_plan is None or self.shard_plan.receives_dms:
            await sync_commands(self.tree, self.guild_id)

    async def press_choice(self, interaction: discord.Interaction, payload: str) -> None:
        """``ChoiceButton``'s handler: the press goes to the interactions cog."""
        await self.interactions.press_choice(interaction, payload)

    async def deliver(self, chat_id: str, reply: Reply) -> None:
        """Send a check-in to a channel through the cog's sender; raise if it fails."""
        await self.cog.sender.deliver(chat_id, reply)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the cog reads every message, and commands.Bot's own parser
        would otherwise log "command not found" (with the user's first word) for each one."""

    async def on_ready(self) -> None:
        me = self.user
        log.info(
            "discord: ready as %s (id %s) in %d servers%s",
            me.name if me else "?",
            me.id if me else "?",
            len(self.guilds),
            f" on {self.shard_plan.describe()}" if self.shard_plan is not None else "",
        )
        if self._on_ready_hook is not None:
            self._on_ready_hook()
        # Messages received before a crash or restart: answered now, in the background.
        task = asyncio.create_task(self.cog.recover())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.closed.set()


class ShardedAttuneBot(AttuneBot, commands.AutoShardedBot):
    """``AttuneBot`` on discord.py's ``AutoShardedBot``, running only ``shards.shard_ids``.

    discord.py opens one gateway connection per shard id and identifies each with
    ``[shard_id, shard_count]``; the rest of the bot is ``AttuneBot`` unchanged
    (``commands.Bot`` adds nothing of its own, so the MRO puts ``AutoShardedBot`` next).
    """

    def __init__(
        self,
        core: Core,
        *,
        intents: discord.Intents,
        max_image_bytes: int,
        shards: ShardPlan,
        guild_id: int | None = None,
        on_ready_hook: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(
            core,
            intents=intents,
            max_image_bytes=max_image_bytes,
            guild_id=guild_id,
            on_ready_hook=on_ready_hook,
            shards=shards,
            shard_ids=list(shards.shard_ids),
            shard_count=shards.shard_count,
        )


def build_bot(
    core: Core,
    *,
    intents: discord.Intents,
    max_image_bytes: int,
    guild_id: int | None = None,
    on_ready_hook: Callable[[], None] | None = None,
    shards: ShardPlan | None = None,
) -> AttuneBot:
    """The bot for one process: all shards (``AttuneBot``) or a share (``ShardedAttuneBot``)."""
    if shards is None:
        return AttuneBot(
            core,
            intents=intents,
            max_image_bytes=max_image_bytes,
            guild_id=guild_id,
            on_ready_hook=on_ready_hook,
        )
    return ShardedAttuneBot(
        core,
        intents=intents,
        max_image_bytes=max_image_bytes,
        guild_id=guild_id,
        on_ready_hook=on_ready_hook,
        shards=shards,
    )
