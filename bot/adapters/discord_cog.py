"""The attune cog: Discord messages, slash commands and button presses in, core replies out.

Each person's messages are answered one at a time in the order sent (a lock per user), the
selfie is downloaded only after Discord's reported size passed the limit, and replies the
core marks private never appear in a server channel: they go by DM, or ephemerally.
Message text is never logged; failures to send are logged (status and code) and skipped.

Durable inbox: a message to answer is stored (channel, message and server id only; the text
is fetched again from Discord if needed) when it is received and removed once answered, so a
message received before a crash or restart is answered when the bot is ready again. With
shards split over processes, each process recovers only what its own shards received (the
stored server id says which shard; DMs and rows stored without one belong to shard 0).

The cog knows the bot only as a ``discord.Client`` plus the core and limits it is given, so
it imports nothing from ``bot.adapters.discord`` (which imports the cog).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential_jitter

from bot import outbox
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
from bot.adapters.discord_render import Part, parts, send_kwargs
from bot.adapters.discord_shards import ShardPlan
from bot.adapters.seen import SeenMessages
from bot.domain import Platform, Reply
from bot.storage.mailbox import NewOutbound, OutboxItem
from bot.storage.writebehind import DEFERRED
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

DM_SENT = "I've answered you in a direct message, since it's about your own data."
DM_CLOSED = (
    "I couldn't message you directly (your DMs are closed for this server). Use the slash "
    "command instead — only you will see the answer."
)
NOT_YOURS = "These buttons belong to someone else's conversation with me."
#: How many recent message ids the cog remembers (the core remembers them all).
SEEN_CAPACITY = 2048
#: Longest pause between two rounds of sending a stored reply again.
REDELIVER_MAX_S = 30.0


class _Unsent(Exception):
    """A reply Discord could not take yet (5xx, network): the outbox tries again."""


def _transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, (aiohttp.ClientError, TimeoutError, OSError))


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


async def _fetch_voice(plan: AttachmentPlan) -> tuple[bytes | None, VoiceProblem | None]:
    """Download the recording the plan chose (sized by Discord's report first)."""
    if plan.voice is None:
        return None, plan.voice_problem
    try:
        return await plan.voice.read(), None
    except discord.HTTPException as error:
        log.warning("discord: could not download a recording (%s)", http_error(error))
        return None, VoiceProblem.UNAVAILABLE


async def _fetch_video(plan: AttachmentPlan) -> tuple[bytes | None, VideoProblem | None]:
    """Download the video the plan chose (sized by Discord's report first)."""
    if plan.video is None:
        return None, plan.video_problem
    try:
        return await plan.video.read(), None
    except discord.HTTPException as error:
        log.warning("discord: could not download a video (%s)", http_error(error))
        return None, VideoProblem.UNAVAILABLE


@contextlib.asynccontextmanager
async def _typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """The typing indicator while a photo is read; failing to show it never stops the reply."""
    indicator = channel.typing()
    try:
        await indicator.__aenter__()
        shown = True
    except discord.HTTPException:
        shown = False
    try:
        yield
    finally:
        if shown:
            await indicator.__aexit__(None, None, None)


def http_error(error: discord.HTTPException) -> str:
    return f"HTTP {error.status}, code {error.code}"


def stored_guild(payload: str, *path: str) -> int | None:
    """The server id stored with an inbox row (or, with ``path="to"``, an outbox row's
    destination); None for a DM, a row stored before server ids were kept, or a damaged one
    (shard 0's process takes those, and drops what it cannot read, as before)."""
    try:
        data = json.loads(payload)
        for key in path:
            data = data[key]
        guild = data.get("guild")
        return int(guild) if guild is not None else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


class AttuneCog(commands.Cog, name="attune"):
    """Messages, slash commands and button presses, all turned into ``Core.handle`` calls."""

    def __init__(
        self,
        bot: discord.Client,
        core: Core,
        *,
        max_image_bytes: int,
        shards: ShardPlan | None = None,
    ) -> None:
        """``bot``: the connected client (user, channels); ``shards``: this process's share
        when shards are split over processes (None: it runs them all)."""
        self.bot = bot
        self.core = core
        self.max_image_bytes = max_image_bytes
        self.shard_plan = shards
        self.locks = UserLocks()
        self._seen = SeenMessages(SEEN_CAPACITY)
        self.mailbox = self.core.repository.mailbox(Platform.DISCORD)
        self._recovered = False

    # ---------------------------------------------------------------- messages

    def _first_time(self, message_id: int) -> bool:
        """Cheap guard against a gateway redelivering a message we are still answering."""
        return self._seen.first_time(message_id)

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
        answered = False
        chat, key, author = str(message.channel.id), str(message.id), str(message.author.id)
        guild = message.guild.id if message.guild is not None else None
        payload = json.dumps({"channel": message.channel.id, "message": message.id, "guild": guild})
        mailbox = self.mailbox

        async def store() -> int | None:
            if answered:
                return None
            inbox_id = await mailbox.receive(chat, key, author, payload)
            if answered:  # stored late, after the answer went out
                await mailbox.discard(chat, key)
            return inbox_id

        # Stored at once, while this message waits for the person's earlier ones (the lock
        # is taken first, before any await, so messages keep the order they came in).
        storing = asyncio.ensure_future(self.core.writes.run("inbox", store))
        async with self.locks.hold(message.author.id):
            if await storing is None:  # received before (a redelivery) or answered already
                return
            try:
                await self._answer(message, me.id)
            finally:
                answered = True
                await self._answered(chat, key)

    @commands.Cog.listener()
    async def on_message_edit(self, before: discord.Message, after: discord.Message) -> None:
        """An edited message (one still in discord.py's message cache) is screened for crisis
        language: a newly flagged edit gets the crisis reply once; anything else is silent."""
        me = self.bot.user
        if me is None or after.author.bot or after.content == before.content:
            return  # link previews and embeds also arrive as edits, with the words unchanged
        if not is_addressed(after, me.id):
            return
        edit = replace(to_message(after, me.id), edited=True)
        async with self.locks.hold(after.author.id):
            reply = await self.core.handle(edit)
        if not reply.duplicate:
            await self._deliver(after, reply, "")

    async def _answered(self, chat: str, key: str) -> None:
        """The message leaves the inbox (also when answering it failed: no endless replay)."""
        mailbox = self.mailbox
        await self.core.writes.run("inbox answered", lambda: mailbox.discard(chat, key))

    def _owns(self, guild_id: int | None) -> bool:
        return self.shard_plan is None or self.shard_plan.owns(guild_id)

    async def recover(self) -> None:
        """Once per process, when ready: answer what was received but not answered (by this
        process's shards, when they are split over processes)."""
        if self._recovered:
            return
        self._recovered = True
        try:
            pending = await self.mailbox.pending()
            unsent = await self.mailbox.outbound()
        except Exception as error:
            log.error("discord: could not read the inbox (%s)", type(error).__name__)
            return
        pending = [item for item in pending if self._owns(stored_guild(item.payload))]
        unsent = [row for row in unsent if self._owns(stored_guild(row.payload, "to"))]
        for row in unsent:
            await self._redeliver(row)
        me = self.bot.user
        for item in pending:
            try:
                where = json.loads(item.payload)
                channel = self.bot.get_channel(int(where["channel"])) or (
                    await self.bot.fetch_channel(int(where["channel"]))
                )
                if not isinstance(channel, discord.abc.Messageable) or me is None:
                    raise ValueError("not a message channel")
                message = await channel.fetch_message(int(where["message"]))
            except (discord.HTTPException, ValueError, KeyError) as error:
                log.warning("discord: a stored message is gone (%s); dropped", type(error).__name__)
                await self._answered(item.chat_id, item.message_id)
                continue
            self._seen.first_time(message.id)  # a gateway redelivery of it is not answered again
            try:
                async with self.locks.hold(message.author.id):
                    await self._answer(message, me.id, replay=True)
            finally:
                await self._answered(item.chat_id, item.message_id)
        if pending:
            log.info("discord: answered %d messages received before the restart", len(pending))

    async def _answer(self, message: discord.Message, bot_id: int, *, replay: bool = False) -> None:
        plan = plan_attachments(message.attachments, self.max_image_bytes)
        skipped = list(plan.skipped)
        recording = plan.voice is not None or plan.video is not None
        wants_photo = plan.photo is not None or bool(plan.sniff) or recording
        async with contextlib.AsyncExitStack() as stack:
            if wants_photo:
                await stack.enter_async_context(_typing(message.channel))
            photo, problem = await self._fetch_photo(plan, skipped)
            voice, voice_problem = await _fetch_voice(plan)
            video, video_problem = await _fetch_video(plan)
            core_message = to_message(
                message,
                bot_id,
                photo=photo,
                photo_problem=problem,
                voice=voice,
                voice_problem=voice_problem,
                video=video,
                video_problem=video_problem,
            )
            heard = voice is not None or voice_problem is not None
            heard = heard or video is not None or video_problem is not None
            nothing_read = photo is None and problem is None and not heard
            if not core_message.text and nothing_read and skipped:
                reply = Reply("")  # only files we don't read: the short line says so
            else:
                reply = await self.core.handle(core_message, replay=replay)
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
                log.warning("discord: could not download a photo (%s)", http_error(error))
                return None, PhotoProblem.UNAVAILABLE
        for attachment in plan.sniff:
            try:
                data = await attachment.read()
            except discord.HTTPException as error:
                log.warning("discord: could not download an attachment (%s)", http_error(error))
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
        if not (reply.private and in_server):
            # The common case, one channel: through the outbox, retried until Discord takes it.
            to = {
                "channel": message.channel.id,
                "reference": message.id if in_server else None,
                "guild": message.guild.id if message.guild is not None else None,
            }
            payload = outbox.encode(Reply(text, reply.image_png, reply.files, reply.choices), to)
            new = NewOutbound(str(message.channel.id), str(message.author.id), payload)
            mailbox = self.mailbox
            # Stored with the message leaving the inbox, in one transaction.
            key = (str(message.channel.id), str(message.id))
            stored = await self.core.writes.run(
                "outbox", lambda: mailbox.answered([], [new], keys=[key])
            )
            outbox_id = None if stored is DEFERRED else stored[0]
            where = "a DM" if not in_server else "a server channel"
            await self._send_durably(message.channel, reply, text, reference, where, outbox_id)
            return
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

    async def _send_durably(
        self,
        target: discord.abc.Messageable,
        reply: Reply,
        text: str,
        reference: discord.MessageReference | None,
        where: str,
        outbox_id: int | None,
        progress: int = 0,
    ) -> None:
        """Send until Discord takes every part (backoff between rounds, for as long as it
        fails with 5xx or network faults) or refuses for good (logged, one line); then the
        reply leaves the outbox. Parts already taken are not sent again."""
        done = [progress]
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Unsent)),
            wait=wait_exponential_jitter(multiplier=0.5, max=REDELIVER_MAX_S),
            before_sleep=lambda _: log.warning("discord: a reply could not be sent yet; retrying"),
        ):
            with attempt:
                await self._send(target, reply, text, reference, where, done=done)
        if outbox_id is not None:
            mailbox = self.mailbox
            await self.core.writes.run("outbox sent", lambda: mailbox.sent(outbox_id))

    async def _redeliver(self, item: OutboxItem) -> None:
        """A reply stored before a restart and not (fully) sent: send the rest."""
        try:
            reply, to = outbox.decode(item.payload)
            channel = self.bot.get_channel(int(to["channel"])) or (
                await self.bot.fetch_channel(int(to["channel"]))
            )
            if not isinstance(channel, discord.abc.Messageable):
                raise ValueError("not a message channel")
            reference = None
            if to.get("reference") and isinstance(channel, discord.abc.GuildChannel):
                partial = channel.get_partial_message(int(to["reference"]))
                reference = partial.to_reference(fail_if_not_exists=False)
        except (discord.HTTPException, ValueError, KeyError, TypeError) as error:
            log.warning(
                "discord: a stored reply cannot be sent (%s); dropped", type(error).__name__
            )
            await self.core.writes.run("outbox sent", lambda: self.mailbox.sent(item.id))
            return
        await self._send_durably(
            channel, reply, reply.text, reference, "a stored reply", item.id, item.progress
        )

    async def deliver(self, chat_id: str, reply: Reply) -> None:
        """Send a reply nobody asked for (a daily check-in) to a channel; raise if it fails.

        The reminder's chat is the DM channel the user set it from (``/remind`` is refused
        in servers), so this never posts a user's check-in publicly. Any shard's process can
        send it: sending goes through the REST API, not the gateway.
        """
        channel = self.bot.get_channel(int(chat_id)) or await self.bot.fetch_channel(int(chat_id))
        if not isinstance(channel, discord.abc.Messageable):
            raise RuntimeError(f"discord: channel {chat_id} cannot receive messages")
        if not await self._send(channel, reply, reply.text, None, "a check-in"):
            raise RuntimeError(f"discord: check-in to channel {chat_id} was not delivered")

    async def _send(
        self,
        target: discord.abc.Messageable,
        reply: Reply,
        text: str,
        reference: discord.MessageReference | None,
        where: str,
        *,
        done: list[int] | None = None,
    ) -> bool:
        """Send every part; a refusal (403, DMs closed: 50007) is logged and skipped.

        With ``done`` (parts already taken, updated as parts go out), a fault worth retrying
        raises ``_Unsent`` instead of being skipped.
        """
        for index, part in enumerate(parts(text)):
            if done is not None and index < done[0]:
                continue
            kwargs = send_kwargs(part, reply)
            if index == 0 and reference is not None:
                kwargs["reference"] = reference
            try:
                await target.send(**kwargs)
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as error:
                if done is not None and _transient(error):
                    raise _Unsent from None
                what = (
                    http_error(error)
                    if isinstance(error, discord.HTTPException)
                    else type(error).__name__
                )
                log.warning("discord: could not send to %s (%s); skipped", where, what)
                return False
            if done is not None:
                done[0] = index + 1
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
                "discord: slash command expired before it was answered (%s)", http_error(error)
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
            log.warning("discord: could not answer a button press (%s)", http_error(error))
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
                log.warning("discord: could not answer an interaction (%s)", http_error(error))
                return
