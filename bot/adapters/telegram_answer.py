"""Answering updates: each one becomes a job on its chat's lane that asks the core and renders.

``Answerer.dispatch`` turns a received update (live, or stored in the inbox) into that job:
a message (with its media fetched), an album (collected first), an edit (screened only) or a
button press. Updates with nothing to answer leave the inbox at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import Bot, CallbackQuery, Update
from telegram import Message as TgMessage
from telegram.error import TelegramError

from bot.adapters.seen import SeenMessages
from bot.adapters.telegram_albums import Album, Albums, album_photos, merge_album
from bot.adapters.telegram_delivery import Outbox, replaying
from bot.adapters.telegram_inbound import (
    UNSUPPORTED_LINE,
    BotIdentity,
    Inbound,
    PhotoRef,
    as_edit,
    callback_to_message,
    to_message,
)
from bot.adapters.telegram_inbox import Received, update_key
from bot.adapters.telegram_lanes import Lanes, Stats
from bot.adapters.telegram_limits import PerChatRateLimiter
from bot.adapters.telegram_media import Media
from bot.adapters.telegram_render import Renderer
from bot.config import Settings
from bot.domain import Message, Reply
from bot.storage.mailbox import InboxItem, Mailbox, OutboxItem
from bot.storage.writebehind import WriteBehind

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)


class Answerer:
    """Queues the answer to each update on its chat's lane (see the module docstring).

    ``core_concurrency`` bounds the chats inside the core at once: every core call writes to
    the database, and with SQLite more concurrent writers only queue on the lock with coarse
    busy-wait sleeps (measured: p95 up 3x at 20 concurrent chats).
    """

    def __init__(
        self,
        core: Core,
        settings: Settings,
        bot: Bot,
        me: Callable[[], BotIdentity],
        *,
        lanes: Lanes,
        stats: Stats,
        limiter: PerChatRateLimiter,
        mailbox: Mailbox,
        writes: WriteBehind,
        album_window_s: float,
        core_concurrency: int,
    ) -> None:
        self._core = core
        self._settings = settings
        self._bot = bot
        self._me = me
        self._lanes = lanes
        self._mailbox = mailbox
        self.renderer = Renderer(bot, lambda: me().username)
        self.outbox = Outbox(mailbox, writes, limiter.limits, self.renderer.render_now)
        self.albums = Albums(album_window_s, lanes)
        self.media = Media(bot, limiter, settings.max_image_bytes)
        self.stats = stats
        self._core_slots = asyncio.Semaphore(core_concurrency)
        self._answered = SeenMessages(4096)

    def _stored(self, row: InboxItem) -> Update | None:
        """The update of an inbox row, or None (logged) if it cannot be read any more."""
        try:
            return Update.de_json(json.loads(row.payload), self._bot)
        except Exception as error:
            log.error("telegram: a stored update is unreadable (%s)", type(error).__name__)
            return None

    async def recover(self) -> None:
        """At start: send what is in the outbox, then answer what is in the inbox (as
        replays), each on its chat's lane in id order; an unreadable update is skipped."""
        try:
            replies = await self._mailbox.outbound()
            rows = await self._mailbox.pending()
        except Exception as error:
            log.error("telegram: could not read the inbox and outbox (%s)", type(error).__name__)
            return
        for item in replies:
            self._lanes.submit(item.chat_id, lambda item=item: self.outbox.redeliver(item))  # type: ignore[misc]
        for row in rows:
            update = self._stored(row)
            if update is None:
                continue
            received = update_key(update)
            received.inbox_id, received.replay = row.id, True
            self.dispatch(update, received)
        if replies or rows:
            log.info(
                "telegram: resuming %d unsent replies and %d unanswered updates",
                len(replies),
                len(rows),
            )

    def queue_stored(self, chat_id: str, replies: list[OutboxItem], rows: list[InboxItem]) -> None:
        """Queue stored replies (to send) and stored updates (to answer, as replays) on
        ``chat_id``'s lane, in id order; a row still queued from before is skipped, one that
        cannot be read leaves the inbox."""
        in_hand = self.outbox.in_hand
        for item in replies:
            self._lanes.submit(chat_id, lambda item=item: self.outbox.redeliver(item))  # type: ignore[misc]
        for row in rows:
            if row.id in in_hand:
                continue  # still queued here from an earlier turn
            in_hand[row.id] = chat_id
            update = self._stored(row)
            if update is None:
                lost = Received(row.chat_id, row.message_id, "", inbox_id=row.id)
                self._lanes.submit(chat_id, lambda lost=lost: self.outbox.finish([lost], None))  # type: ignore[misc]
                continue
            received = update_key(update)
            received.inbox_id, received.replay = row.id, True
            self.dispatch(update, received)

    def dispatch(self, update: Update, received: Received) -> None:
        """Queue the answer to ``update`` on its chat's lane; never waits on it."""
        arrived = time.monotonic()
        answering = [received]
        if update.callback_query is not None:
            query = update.callback_query
            key = str(query.message.chat.id) if query.message else str(query.from_user.id)
            self._submit(key, answering, arrived, lambda: self._callback(query))
            return
        tg = update.message or update.edited_message
        inbound = None
        if tg is not None:
            inbound = to_message(
                tg,
                self._me(),
                max_image_bytes=self._settings.max_image_bytes,
                max_image_pixels=self._settings.max_image_pixels,
            )
            if inbound is not None and update.edited_message is not None:
                # An edit is screened for crisis language only: its text, no media again.
                inbound = as_edit(inbound)
        else:  # reactions, channel posts…: nothing to answer
            log.debug("telegram: ignoring update %s without a message", update.update_id)
        if inbound is None:
            self._lanes.later(self.outbox.finish(answering, None))
            return
        chat = inbound.message.chat_id
        if inbound.media_group_id:
            album = self.albums.collect(chat, inbound.media_group_id, inbound, arrived, received)
            if album is not None:
                self._submit(chat, album.received, arrived, lambda: self._album(album))
            return
        if not inbound.addressed:
            self._lanes.later(self.outbox.finish(answering, None))
            return
        self._submit(chat, answering, arrived, lambda: self._handle(inbound, []))

    def _submit(
        self,
        chat: str,
        received: list[Received],
        arrived: float,
        work: Callable[[], Awaitable[None]],
    ) -> None:
        job = self.outbox.answering(received, lambda: self.stats.timed(arrived, work()))
        self._lanes.submit(chat, job)

    async def _album(self, album: Album) -> None:
        await album.ready.wait()
        merged = merge_album(album.parts)
        if merged.addressed:
            await self._handle(merged, album_photos(album.parts))

    async def _handle(self, inbound: Inbound, fallbacks: list[PhotoRef]) -> None:
        message = inbound.message
        log.debug("telegram: message %s in chat %s", message.message_id, message.chat_id)
        if inbound.unsupported is not None:
            # Adapter-side dedupe for answers that never reach the core (unsupported kinds).
            if self._answered.first_time((message.chat_id, message.message_id or "")):
                line = UNSUPPORTED_LINE.format(kind=inbound.unsupported)
                await self.renderer.send_text(message, line, inbound.reply_to)
            return
        if inbound.photo is not None:
            async with self.media.typing(int(message.chat_id)):
                message = await self.media.with_photo(message, [inbound.photo, *fallbacks])
                reply = await self.ask_core(message)
        elif inbound.voice is not None or inbound.video is not None:
            async with self.media.typing(int(message.chat_id)):
                message = await self.media.with_recording(message, inbound)
                reply = await self.ask_core(message)
        else:
            reply = await self.ask_core(message)
        await self.outbox.render(reply, message, inbound.reply_to)

    async def ask_core(self, message: Message) -> Reply:
        """``Core.handle`` within the core slots, timed into ``stats.core_times``."""
        started = time.monotonic()
        async with self._core_slots:
            reply = await self._core.handle(message, replay=replaying())
        self.stats.core_times.append(time.monotonic() - started)
        return reply

    async def _callback(self, query: CallbackQuery) -> None:
        """A button press: acknowledge it, run its payload as the user's message, and turn
        the prompt into the result (so the buttons cannot be pressed twice)."""
        with contextlib.suppress(TelegramError):
            await self._bot.answer_callback_query(query.id)
        message = callback_to_message(query)
        if message is None:
            return
        reply = await self.ask_core(message)
        if reply.duplicate:
            return
        prompt = query.message
        editable = (
            isinstance(prompt, TgMessage)
            and reply.text
            and reply.image_png is None
            and not reply.files
            and (message.is_private_chat or not reply.private)
        )
        if (
            editable
            and isinstance(prompt, TgMessage)
            and await self.renderer.edit_prompt(reply, prompt)
        ):
            return
        await self.outbox.render(reply, message, None)
