"""The Discord adapter: discord.py in, ``Core.handle`` in the middle, rendered replies out.

``AttuneBot`` is a ``commands.Bot`` whose ``setup_hook`` adds the ``AttuneCog`` (messages,
slash commands, button presses) and syncs slash commands generated from the core's command
table, so a command added to the core appears here without Discord code. ``DiscordAdapter``
owns the lifecycle on the shared event loop: ``start`` runs ``bot.start(token)`` in its own
task and returns once the bot is ready; if Discord refuses the privileged message content
intent (close code 4014) it logs one line saying how to enable it and reconnects without
it, so DMs, mentions and slash commands keep working.

Shards: by default one process runs the whole bot (``commands.Bot``, one gateway
connection). Given a ``ShardPlan`` (``python -m bot discord --shards 0-3 --shard-count 8``)
it runs discord.py's ``AutoShardedBot`` with exactly those ``shard_ids``; each process then
answers the servers its shards carry (DMs arrive on shard 0), recovers only its own stored
messages, and only shard 0's process syncs the slash commands (one sync, not one per process).

Privacy: replies the core marks private never appear in a server channel — they go to the
user by DM, or as an ephemeral answer to a slash command. Message text is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord_cog import AttuneCog, http_error
from bot.adapters.discord_render import ChoiceButton
from bot.adapters.discord_shards import ShardPlan
from bot.commands import CommandTable
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

SlashRunner = Callable[[discord.Interaction, str, str | None], Awaitable[None]]
Runner = Callable[["AttuneBot"], Awaitable[None]]


def attune_intents(*, message_content: bool) -> discord.Intents:
    """Servers, DMs and their messages; message content only when Discord grants it."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


def _param_name(usage: str) -> str:
    """ "[N]" -> "n", "LABEL" -> "label": the slash option named after the command's usage."""
    name = "".join(c if c.isalnum() else "_" for c in usage.lower()).strip("_")
    return name[:32] or "argument"


def _plain_callback(
    run: SlashRunner, name: str
) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
    async def callback(interaction: discord.Interaction) -> None:
        await run(interaction, name, None)

    return callback


def _argument_callback(
    run: SlashRunner, name: str
) -> Callable[[discord.Interaction, str | None], Coroutine[Any, Any, None]]:
    async def callback(interaction: discord.Interaction, argument: str | None = None) -> None:
        await run(interaction, name, argument)

    return callback


def app_commands_for(
    table: CommandTable, run: SlashRunner
) -> list[app_commands.Command[Any, Any, None]]:
    """One slash command per visible core command; an optional text option where it has usage.

    Generic on purpose: commands that later issues add to the core table appear here as-is.
    """
    result: list[app_commands.Command[Any, Any, None]] = []
    for command in table.visible():
        description = (command.description or command.name)[:100]
        slash: app_commands.Command[Any, ..., None]
        if command.usage:
            slash = app_commands.Command(
                name=command.name,
                description=description,
                callback=_argument_callback(run, command.name),
            )
            app_commands.rename(argument=_param_name(command.usage))(slash)
            app_commands.describe(argument=f"optional: {command.usage}"[:100])(slash)
        else:
            slash = app_commands.Command(
                name=command.name,
                description=description,
                callback=_plain_callback(run, command.name),
            )
        result.append(slash)
    return result


class AttuneBot(commands.Bot):
    """discord.py's bot with attune's cog, generated slash commands and persistent buttons."""

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
        cog = self.get_cog("attune")
        assert isinstance(cog, AttuneCog)
        return cog

    async def setup_hook(self) -> None:
        cog = AttuneCog(
            self, self.core, max_image_bytes=self.max_image_bytes, shards=self.shard_plan
        )
        await self.add_cog(cog)
        self.add_dynamic_items(ChoiceButton)
        for slash in app_commands_for(self.core.commands, cog.run_slash):
            self.tree.add_command(slash)
        if self.shard_plan is None or self.shard_plan.receives_dms:
            await self._sync_commands()

    async def _sync_commands(self) -> None:
        """Register the slash commands with Discord: globally, or in one test server (instant)."""
        try:
            if self.guild_id is not None:
                guild = discord.Object(id=self.guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                where = f"server {self.guild_id}"
            else:
                synced = await self.tree.sync()
                where = "all servers and DMs (may take up to an hour to appear)"
        except discord.HTTPException as error:
            log.warning("discord: could not sync slash commands (%s)", http_error(error))
            return
        log.info("discord: %d slash commands synced for %s", len(synced), where)

    async def press_choice(self, interaction: discord.Interaction, payload: str) -> None:
        await self.cog.press_choice(interaction, payload)

    async def deliver(self, chat_id: str, reply: Reply) -> None:
        """Send a check-in to a channel through the cog; raise if it fails."""
        await self.cog.deliver(chat_id, reply)

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
