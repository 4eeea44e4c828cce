"""The messages cog: Discord messages and their edits in, core replies out, durably.

Each person's messages are answered one at a time in the order sent (``UserLocks``, shared
with the interactions cog), attachments are downloaded only after Discord's reported size
passed the limit (``discord_attachments``), and replies go out through ``DiscordSender``
(the outbox; private replies never in a server channel). Message text is never logged.

Durable inbox: a message to answer is stored (channel, message and server id only; the text
is fetched again from Discord if needed) when it is received and removed once answered, so a
message received before a crash or restart is answered when the bot is ready again. With
shards split over processes, each process recovers only what its own shards received (the
stored server id says which shard; DMs and rows stored without one belong to shard 0).

The cog knows the bot only as a ``discord.Client`` plus the core and limits it is given, so
it imports nothing from ``bot.adapters.discord_bot`` (which imports the cog).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.adapters.discord_attachments import download, typing, wants_reading
from bot.adapters.discord_convert import is_addressed, plan_attachments, skipped_line, to_message
from bot.adapters.discord_locks import UserLocks
from bot.adapters.discord_send import DiscordSender
from bot.adapters.discord_shards import ShardPlan, stored_guild
from bot.adapters.seen import SeenMessages
from bot.domain import Platform, Reply

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

#: How many recent message ids the cog remembers (the core remembers them all).
SEEN_CAPACITY = 2048


class AttuneCog(commands.Cog, name="attune"):
    """Messages and their edits, turned into ``Core.handle`` calls; recovery after a restart."""

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
        #: Every reply goes out through it (also the bot's check-ins).
        self.sender = DiscordSender(bot, self.mailbox, core.writes)
        self._recovered = False

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
        # Cheap guard against a gateway redelivering a message we are still answering.
        if not self._seen.first_time(message.id):
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
            await self.sender.reply_to(after, reply, "")

    async def _answered(self, chat: str, key: str) -> None:
        """The message leaves the inbox (also when answering it failed: no endless replay)."""
        mailbox = self.mailbox
        await self.core.writes.run("inbox answered", lambda: mailbox.discard(chat, key))

    def _owns(self, guild_id: int | None) -> bool:
        return self.shard_plan is None or self.shard_plan.owns(guild_id)

    async def recover(self) -> None:
        """Once per process, when ready: send the replies stored but not sent, then answer
        what was received but not answered (by this process's shards, when they are split
        over processes)."""
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
            await self.sender.redeliver(row)
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
        async with contextlib.AsyncExitStack() as stack:
            if wants_reading(plan):
                await stack.enter_async_context(typing(message.channel))
            got = await download(plan, skipped)
            core_message = to_message(
                message,
                bot_id,
                photo=got.photo,
                photo_problem=got.photo_problem,
                voice=got.voice,
                voice_problem=got.voice_problem,
                video=got.video,
                video_problem=got.video_problem,
            )
            if not core_message.text and got.nothing_read and skipped:
                reply = Reply("")  # only files we don't read: the short line says so
            else:
                reply = await self.core.handle(core_message, replay=replay)
        if reply.duplicate:
            return
        note = skipped_line(skipped) if skipped else ""
        await self.sender.reply_to(message, reply, note)
