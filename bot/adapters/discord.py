"""The Discord adapter: discord.py in, ``Core.handle`` in the middle, rendered replies out.

``AttuneBot`` is a ``commands.Bot`` whose ``setup_hook`` adds the ``AttuneCog`` (messages,
slash commands, button presses) and syncs slash commands generated from the core's command
table, so a command added to the core appears here without Discord code. ``DiscordAdapter``
owns the lifecycle on the shared event loop: ``start`` runs ``bot.start(token)`` in its own
task and returns once the bot is ready; if Discord refuses the privileged message content
intent (close code 4014) it logs one line saying how to enable it and reconnects without
it, so DMs, mentions and slash commands keep working.

Privacy: replies the core marks private never appear in a server channel — they go to the
user by DM, or as an ephemeral answer to a slash command. Message text is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord_convert import (
    AttachmentPlan,
    interaction_message,
    is_addressed,
    looks_like_image,
    plan_attachments,
    prompt_owner,
    skipped_line,
    to_message,
)
from bot.adapters.discord_render import ChoiceButton, Part, parts, send_kwargs
from bot.commands import CommandTable
from bot.domain import Reply
from emotion.photo import PhotoProblem

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

INTENT_LINE = (
    "discord: the message content intent was refused, so attune answers only DMs, mentions "
    "and slash commands; enable it at https://discord.com/developers/applications -> your "
    "app -> Bot -> Privileged Gateway Intents -> Message Content Intent, then restart"
)
DM_SENT = "I've answered you in a direct message, since it's about your own data."
DM_CLOSED = (
    "I couldn't message you directly (your DMs are closed for this server). Use the slash "
    "command instead — only you will see the answer."
)
NOT_YOURS = "These buttons belong to someone else's conversation with me."
#: How long ``stop`` waits for discord.py to close before cancelling its task.
STOP_TIMEOUT_S = 10.0
#: How many recent message ids the adapter remembers (the core remembers them all).
SEEN_CAPACITY = 2048

SlashRunner = Callable[[discord.Interaction, str, str | None], Awaitable[None]]
Runner = Callable[["AttuneBot"], Awaitable[None]]


def attune_intents(*, message_content: bool) -> discord.Intents:
    """Servers, DMs and their messages; message content only when Discord grants it."""
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


class UserLocks:
    """One lock per user, so each person's messages are answered in the order sent."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)


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


@contextlib.asynccontextmanager
async def _typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """The typing indicator while a photo is read; failing to show it never stops the reply."""
    try:
        indicator = channel.typing()
        await indicator.__aenter__()
    except discord.HTTPException:
        yield
        return
    try:
        yield
    finally:
        await indicator.__aexit__(None, None, None)


def _http_error(error: discord.HTTPException) -> str:
    return f"HTTP {error.status}, code {error.code}"


class AttuneCog(commands.Cog, name="attune"):
    """Messages, slash commands and button presses, all turned into ``Core.handle`` calls."""

    def __init__(self, bot: AttuneBot) -> None:
        self.bot = bot
        self.core = bot.core
        self.locks = UserLocks()
        self._seen: OrderedDict[int, None] = OrderedDict()

    # ---------------------------------------------------------------- messages

    def _first_time(self, message_id: int) -> bool:
        """Cheap guard against a gateway redelivering a message we are still answering."""
        if message_id in self._seen:
            return False
        self._seen[message_id] = None
        if len(self._seen) > SEEN_CAPACITY:
            self._seen.popitem(last=False)
        return True

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.author.system:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        if not is_addressed(message, me.id):
            return
        if message.guild is not None and not message.content and not message.attachments:
            return  # without the content intent Discord blanks what we may not read
        if not self._first_time(message.id):
            return
        async with self.locks.hold(message.author.id):
            await self._answer(message, me.id)

    async def _answer(self, message: discord.Message, bot_id: int) -> None:
        plan = plan_attachments(message.attachments, self.bot.max_image_bytes)
        skipped = list(plan.skipped)
        wants_photo = plan.photo is not None or bool(plan.sniff)
        async with contextlib.AsyncExitStack() as stack:
            if wants_photo:
                await stack.enter_async_context(_typing(message.channel))
            photo, problem = await self._fetch_photo(plan, skipped)
            core_message = to_message(message, bot_id, photo=photo, photo_problem=problem)
            if not core_message.text and photo is None and problem is None and skipped:
                reply = Reply("")  # only files we don't read: the short line says so
            else:
                reply = await self.core.handle(core_message)
        if reply.duplicate:
            return
        note = skipped_line(skipped) if skipped else ""
        await self._deliver(message, reply, note)

    async def _fetch_photo(
        self, plan: AttachmentPlan, skipped: list[str]
    ) -> tuple[bytes | None, PhotoProblem | None]:
        """Download the selfie (sized by Discord's report first); sniff untyped files."""
        if plan.photo is not None:
            try:
                return await plan.photo.read(), None
            except discord.HTTPException as error:
                log.warning("discord: could not download a photo (%s)", _http_error(error))
                return None, PhotoProblem.UNAVAILABLE
        for attachment in plan.sniff:
            try:
                data = await attachment.read()
            except discord.HTTPException as error:
                log.warning("discord: could not download an attachment (%s)", _http_error(error))
                skipped.append(attachment.filename)
                continue
            if looks_like_image(data):
                skipped.extend(a.filename for a in plan.sniff if a is not attachment)
                return data, plan.photo_problem
            skipped.append(attachment.filename)
        return None, plan.photo_problem

    async def _deliver(self, message: discord.Message, reply: Reply, note: str) -> None:
        text = "\n\n".join(p for p in (reply.text, note) if p)
        if not text and reply.image_png is None and not reply.files:
            return
        in_server = message.guild is not None
        reference = message.to_reference(fail_if_not_exists=False) if in_server else None
        if reply.private and in_server:
            sent = await self._send(message.author, reply, text, None, "a DM")
            await self._send(
                message.channel,
                Reply(""),
                DM_SENT if sent else DM_CLOSED,
                reference,
                "a server channel",
            )
            return
        await self._send(
            message.channel, reply, text, reference, "a DM" if not in_server else "a server channel"
        )

    async def _send(
        self,
        target: discord.abc.Messageable,
        reply: Reply,
        text: str,
        reference: discord.MessageReference | None,
        where: str,
    ) -> bool:
        """Send every part; a refusal (403, DMs closed: 50007) is logged and skipped."""
        for index, part in enumerate(parts(text)):
            kwargs = send_kwargs(part, reply)
            if index == 0 and reference is not None:
                kwargs["reference"] = reference
            try:
                await target.send(**kwargs)
            except discord.HTTPException as error:
                log.warning(
                    "discord: could not send to %s (%s); skipped", where, _http_error(error)
                )
                return False
        return True

    # ----------------------------------------------------------- interactions

    async def run_slash(
        self, interaction: discord.Interaction, name: str, argument: str | None
    ) -> None:
        """A slash command: answered ephemerally in servers (only the user sees it)."""
        ephemeral = interaction.guild_id is not None
        try:
            await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        except discord.HTTPException as error:
            log.warning(
                "discord: slash command expired before it was answered (%s)", _http_error(error)
            )
            return
        text = f"/{name} {argument.strip()}" if argument and argument.strip() else f"/{name}"
        async with self.locks.hold(interaction.user.id):
            reply = await self.core.handle(interaction_message(interaction, text))
        if reply.duplicate:
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
            return
        await self._followups(interaction, reply, parts(reply.text), ephemeral=ephemeral)

    async def press_choice(self, interaction: discord.Interaction, payload: str) -> None:
        """A confirm/cancel press: the payload goes to the core as that user's message, and
        the prompt is edited to the answer (buttons removed, so it cannot be pressed twice).

        The press is acknowledged first (a deferred update), so a slow answer cannot miss
        Discord's three-second window.
        """
        owner = prompt_owner(interaction.message)
        try:
            if owner is not None and owner != interaction.user.id:
                await interaction.response.send_message(NOT_YOURS, ephemeral=True)
                return
            await interaction.response.defer()
            async with self.locks.hold(interaction.user.id):
                reply = await self.core.handle(interaction_message(interaction, payload))
            if reply.duplicate:
                return
            prompt = interaction.message
            ephemeral_prompt = prompt is not None and prompt.flags.ephemeral
            public_prompt = interaction.guild_id is not None and not ephemeral_prompt
            if reply.private and public_prompt:
                await interaction.edit_original_response(view=None)
                await self._followups(interaction, reply, parts(reply.text), ephemeral=True)
                return
            chunks = parts(reply.text)
            await interaction.edit_original_response(content=chunks[0].content or "…", view=None)
        except discord.HTTPException as error:
            log.warning("discord: could not answer a button press (%s)", _http_error(error))
            return
        rest = chunks[1:]
        if not rest and (reply.image_png is not None or reply.files or reply.choices):
            rest = [Part(None, last=True)]
        await self._followups(interaction, reply, rest, ephemeral=ephemeral_prompt)

    async def _followups(
        self,
        interaction: discord.Interaction,
        reply: Reply,
        to_send: list[Part],
        *,
        ephemeral: bool,
    ) -> None:
        for part in to_send:
            try:
                await interaction.followup.send(ephemeral=ephemeral, **send_kwargs(part, reply))
            except discord.HTTPException as error:
                log.warning("discord: could not answer an interaction (%s)", _http_error(error))
                return


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
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.core = core
        self.max_image_bytes = max_image_bytes
        self.guild_id = guild_id
        self._on_ready_hook = on_ready_hook
        self.closed = asyncio.Event()

    @property
    def cog(self) -> AttuneCog:
        cog = self.get_cog("attune")
        assert isinstance(cog, AttuneCog)
        return cog

    async def setup_hook(self) -> None:
        cog = AttuneCog(self)
        await self.add_cog(cog)
        self.add_dynamic_items(ChoiceButton)
        for slash in app_commands_for(self.core.commands, cog.run_slash):
            self.tree.add_command(slash)
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
            log.warning("discord: could not sync slash commands (%s)", _http_error(error))
            return
        log.info("discord: %d slash commands synced for %s", len(synced), where)

    async def press_choice(self, interaction: discord.Interaction, payload: str) -> None:
        await self.cog.press_choice(interaction, payload)

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: the cog reads every message, and commands.Bot's own parser
        would otherwise log "command not found" (with the user's first word) for each one."""

    async def on_ready(self) -> None:
        me = self.user
        log.info(
            "discord: ready as %s (id %s) in %d servers",
            me.name if me else "?",
            me.id if me else "?",
            len(self.guilds),
        )
        if self._on_ready_hook is not None:
            self._on_ready_hook()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.closed.set()


async def _start_with_token(bot: AttuneBot, token: str) -> None:
    await bot.start(token)


class DiscordAdapter:
    """Runs ``AttuneBot`` in its own task on the shared loop; ``start`` returns once ready."""

    name = "discord"

    def __init__(
        self,
        core: Core,
        token: str,
        *,
        max_image_bytes: int,
        guild_id: int | None = None,
        runner: Runner | None = None,
    ) -> None:
        self._core = core
        self._max_image_bytes = max_image_bytes
        self._guild_id = guild_id
        self._runner: Runner = runner or (lambda bot: _start_with_token(bot, token))
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.bot: AttuneBot | None = None

    def _build(self, *, message_content: bool) -> AttuneBot:
        return AttuneBot(
            self._core,
            intents=attune_intents(message_content=message_content),
            max_image_bytes=self._max_image_bytes,
            guild_id=self._guild_id,
            on_ready_hook=self._ready.set,
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
