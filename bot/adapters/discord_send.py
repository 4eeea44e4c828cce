"""Sending replies to Discord: through the durable outbox, privately, or as a check-in.

A reply to a message is stored in the outbox (in the transaction that takes the message out
of the inbox) and sent until Discord takes every part — backoff between rounds while it fails
with 5xx or network faults — or refuses for good (logged, one line). Between rounds, parts
already taken are not sent again; that count is kept in memory only, so a reply stored before
a restart is sent again from its first part (``redeliver``: a long reply can show its first
parts twice). Replies the core marks private never appear in a server channel: they go to the
person by DM, and the channel gets one line saying so (or that their DMs are closed).
Failures are logged with status and code, never the text.
"""

from __future__ import annotations

import logging

import aiohttp
import discord
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential_jitter

from bot import outbox
from bot.adapters.discord_convert import http_error
from bot.adapters.discord_render import parts, send_kwargs
from bot.domain import Reply
from bot.storage.mailbox import Mailbox, NewOutbound, OutboxItem
from bot.storage.writebehind import DEFERRED, WriteBehind

log = logging.getLogger(__name__)

DM_SENT = "I've answered you in a direct message, since it's about your own data."
DM_CLOSED = (
    "I couldn't message you directly (your DMs are closed for this server). Use the slash "
    "command instead — only you will see the answer."
)
#: Longest pause between two rounds of sending a stored reply again.
REDELIVER_MAX_S = 30.0


class _Unsent(Exception):
    """A reply Discord could not take yet (5xx, network): the outbox tries again."""


def _transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status >= 500 or error.status == 429
    return isinstance(error, (aiohttp.ClientError, TimeoutError, OSError))


class DiscordSender:
    """Sends replies with the client's channels, the Discord mailbox and the core's writer."""

    def __init__(self, client: discord.Client, mailbox: Mailbox, writes: WriteBehind) -> None:
        """``client``: the connected bot (channels); ``mailbox``: Discord's inbox and outbox;
        ``writes``: the core's write-behind, through which every mailbox write goes."""
        self.client = client
        self.mailbox = mailbox
        self.writes = writes

    async def reply_to(self, message: discord.Message, reply: Reply, note: str) -> None:
        """Answer ``message`` (``note``: a line after the reply's text, e.g. skipped files).

        In one channel through the outbox; a private reply to a server message goes by DM
        instead, with one line in the channel saying so.
        """
        text = "\n\n".join(p for p in (reply.text, note) if p)
        if not text and reply.image_png is None and not reply.files:
            return
        in_server = message.guild is not None
        reference = message.to_reference(fail_if_not_exists=False) if in_server else None
        if reply.private and in_server:
            sent = await self.send(message.author, reply, text, None, "a DM")
            await self.send(
                message.channel,
                Reply(""),
                DM_SENT if sent else DM_CLOSED,
                reference,
                "a server channel",
            )
            return
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
        stored = await self.writes.run("outbox", lambda: mailbox.answered([], [new], keys=[key]))
        outbox_id = None if stored is DEFERRED else stored[0]
        where = "a DM" if not in_server else "a server channel"
        await self.send_durably(message.channel, reply, text, reference, where, outbox_id)

    async def send_durably(
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
        reply leaves the outbox. The first ``progress`` parts and those taken in an earlier
        round are not sent again (the count is not stored, so ``redeliver``'s is always 0)."""
        done = [progress]
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Unsent)),
            wait=wait_exponential_jitter(multiplier=0.5, max=REDELIVER_MAX_S),
            before_sleep=lambda _: log.warning("discord: a reply could not be sent yet; retrying"),
        ):
            with attempt:
                await self.send(target, reply, text, reference, where, done=done)
        if outbox_id is not None:
            mailbox = self.mailbox
            await self.writes.run("outbox sent", lambda: mailbox.sent(outbox_id))

    async def redeliver(self, item: OutboxItem) -> None:
        """A reply stored before a restart and not sent: send it, from its first part (Discord
        records no progress, so parts sent before the restart go again)."""
        try:
            reply, to = outbox.decode(item.payload)
            channel = self.client.get_channel(int(to["channel"])) or (
                await self.client.fetch_channel(int(to["channel"]))
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
            await self.writes.run("outbox sent", lambda: self.mailbox.sent(item.id))
            return
        await self.send_durably(
            channel, reply, reply.text, reference, "a stored reply", item.id, item.progress
        )

    async def deliver(self, chat_id: str, reply: Reply) -> None:
        """Send a reply nobody asked for (a daily check-in) to a channel; raise if it fails.

        The reminder's chat is the DM channel the user set it from (``/remind`` is refused
        in servers), so this never posts a user's check-in publicly. Any shard's process can
        send it: sending goes through the REST API, not the gateway.
        """
        client = self.client
        channel = client.get_channel(int(chat_id)) or await client.fetch_channel(int(chat_id))
        if not isinstance(channel, discord.abc.Messageable):
            raise RuntimeError(f"discord: channel {chat_id} cannot receive messages")
        if not await self.send(channel, reply, reply.text, None, "a check-in"):
            raise RuntimeError(f"discord: check-in to channel {chat_id} was not delivered")

    async def send(
        self,
        target: discord.abc.Messageable,
        reply: Reply,
        text: str,
        reference: discord.MessageReference | None,
        where: str,
        *,
        done: list[int] | None = None,
    ) -> bool:
        """Send every part; a refusal (403, DMs closed: 50007) is logged and skipped (False).

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
