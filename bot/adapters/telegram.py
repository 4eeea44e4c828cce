"""The Telegram adapter: updates in, core replies out. No emotion or reply logic lives here.

It shares the event loop with the other adapters, so it drives python-telegram-bot's
Application itself (initialize, updater.start_polling or start_webhook, start) rather than
``run_polling``, which would own the loop.

Ordering: PTB hands us updates one at a time; each is put on its chat's own lane (a queue
with one worker), so one chat's messages are answered in order while different chats run
concurrently. Albums (one ``media_group_id``) are collected on their lane for a short window
and answered once. Delivery (rate limits, retries) is in ``telegram_delivery``, reading
Telegram messages in ``telegram_inbound``.

Logging: ids and kinds only; message text never appears above DEBUG and the token never
(httpx, which logs URLs, is held at WARNING by ``bot.logs``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
    Update,
)
from telegram import Message as TgMessage
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential_jitter

from bot import outbox
from bot.adapters.seen import SeenMessages
from bot.adapters.telegram_delivery import (
    LIMIT_WAITS,
    MAX_TEXT,
    PERMANENT,
    Delivery,
    Limits,
    split_text,
)
from bot.adapters.telegram_inbound import (
    UNSUPPORTED_LINE,
    BotIdentity,
    Inbound,
    PhotoRef,
    album_photos,
    as_edit,
    callback_to_message,
    merge_album,
    to_message,
)
from bot.adapters.telegram_inbox import DurableQueue, Received, update_key
from bot.config import Settings
from bot.domain import Message, Platform, Reply, UserRef
from bot.logs import RedactSecrets, WithholdReceivedData
from bot.notify import Notifiers
from bot.storage.mailbox import InboxItem, NewOutbound, OutboxItem
from bot.storage.writebehind import DEFERRED
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

SENT_PRIVATELY_LINE = "I've sent you that privately."
OPEN_PRIVATE_CHAT_LINE = (
    "That answer is private, and I can't write to you yet: open a private chat with "
    "@{bot} and press Start, then ask again."
)
#: Updates we ask Telegram for; edits, reactions and the rest are never answered.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
#: Telegram shows a chat action for 5 seconds; refresh it a little sooner.
TYPING_REFRESH_S = 4.5
#: How long stop() keeps answering what was received; what is left stays in the inbox.
DRAIN_TIMEOUT_S = 30.0
#: Then how long a lane may take to finish the answer in hand before it is cancelled.
FINISH_TIMEOUT_S = 10.0
_Job = Callable[[], Awaitable[None]]
#: The inbound updates the running lane job answers (its reply goes to the outbox with them).
_ANSWERING: ContextVar[list[Received] | None] = ContextVar("telegram_answering", default=None)
#: Platform calls of the reply being delivered: how many went out before (skipped on retry).
_STEPS: ContextVar[_Steps | None] = ContextVar("telegram_steps", default=None)
#: What one process does: ``serve`` receives and answers (``python -m bot``), ``receive`` only
#: stores updates in the inbox (``python -m bot receive``), ``work`` only answers the inbox
#: and sends the outbox of the chats it holds (``python -m bot worker``, ``telegram_worker``).
Role = Literal["serve", "receive", "work"]


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


#: Timings kept per kind in ``Stats``: the newest ones only, so a bot that runs for months
#: does not grow by a few hundred bytes per message.
STATS_WINDOW = 20_000


def _window() -> deque[float]:
    return deque(maxlen=STATS_WINDOW)


@dataclass(slots=True)
class Stats:
    """What the adapter did, for the benchmark and tests (no content, only counts/times)."""

    handled: int = 0
    #: Seconds from an update's arrival to its last reply sent (includes queueing and limits).
    latencies: deque[float] = field(default_factory=_window)
    #: Seconds spent in the handler itself: download, core, rendering (includes rate limits).
    handler_times: deque[float] = field(default_factory=_window)
    #: Seconds waiting for and inside the core (``Core.handle``).
    core_times: deque[float] = field(default_factory=_window)
    #: Seconds of the handler spent waiting for Telegram's rate limits (on purpose).
    limit_waits: deque[float] = field(default_factory=_window)


@dataclass(slots=True)
class _Album:
    parts: list[Inbound]
    arrived: float
    last: float
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    received: list[Received] = field(default_factory=list)


class TelegramAdapter:
    name = "telegram"

    def __init__(
        self,
        core: Core,
        settings: Settings,
        *,
        poll_timeout_s: float = 30.0,
        album_window_s: float = 0.8,
        limits: Limits | None = None,
        request_timeout_s: float = 20.0,
        core_concurrency: int = 4,
        notifiers: Notifiers | None = None,
        role: Role = "serve",
    ) -> None:
        if settings.telegram_token is None:
            raise ValueError("the Telegram adapter needs ATTUNE_TELEGRAM_TOKEN")
        self._core = core
        self._settings = settings
        self.role: Role = role
        self._notifiers = notifiers
        self._poll_timeout_s = poll_timeout_s
        self._album_window_s = album_window_s
        self.delivery = Delivery(limits or Limits(overall_per_s=settings.telegram_send_per_s))
        self.stats = Stats()
        self.mailbox = core.repository.mailbox(Platform.TELEGRAM)
        self._writes = core.writes
        #: The storage writes this adapter's answers wait on (kept back when the db is slow).
        self.writes = core.writes
        #: Stored updates PTB has not handed to ``_on_update`` yet, by update id.
        self._received: dict[int, Received] = {}
        # Before building: PTB logs its base URL (token included) at DEBUG right away.
        self._redact = RedactSecrets([settings.telegram_token.get_secret_value()], freeze=True)
        self._withhold = WithholdReceivedData()
        for logger in _ptb_loggers():
            logger.addFilter(self._withhold)  # before the redaction formats the record
            logger.addFilter(self._redact)
        api = settings.telegram_api_url.rstrip("/")
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(settings.telegram_token.get_secret_value())
            # Updates are committed to the inbox before PTB confirms them to Telegram.
            .update_queue(DurableQueue(self._store_update))
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            # Sequential hand-off: our handler only queues the update on its chat's lane.
            .concurrent_updates(False)
            .connect_timeout(10.0)
            .read_timeout(request_timeout_s)
            .write_timeout(request_timeout_s)
            .media_write_timeout(max(60.0, request_timeout_s))
            .pool_timeout(request_timeout_s)
            .connection_pool_size(64)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._me: BotIdentity | None = None
        # Chats run concurrently, but only a few at a time inside the core: every core call
        # writes to the database, and with SQLite more concurrent writers only queue on the
        # lock with coarse busy-wait sleeps (measured: p95 up 3x at 20 concurrent chats).
        self._core_slots = asyncio.Semaphore(core_concurrency)
        self._lanes: dict[str, deque[_Job]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        #: Worker: stored updates handed to a lane and not finished yet (inbox id -> chat), so
        #: one still queued is never handed over a second time.
        self._in_hand: dict[int, str] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._albums: dict[tuple[str, str], _Album] = {}
        self._answered = SeenMessages(4096)
        self.webhook_secret: str | None = None
        #: Set at shutdown once draining took too long: lanes take no new job.
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def me(self) -> BotIdentity:
        if self._me is None:
            raise RuntimeError("the Telegram adapter is not started")
        return self._me

    async def start(self) -> None:
        """Connect (getMe), register the commands, start receiving; returns once connected.

        A start that fails closes what it opened, so the caller has nothing to stop.
        """
        try:
            await self._start()
        except InvalidToken:
            await self._close()
            raise RuntimeError(
                "Telegram refused the bot token: check ATTUNE_TELEGRAM_TOKEN "
                "(and ATTUNE_TELEGRAM_API_URL, if you use your own Bot API server)"
            ) from None
        except BaseException:
            await self._close()
            raise

    async def _start(self) -> None:
        app = self.application
        # getMe; a network fault at start-up is retried like any other call
        await self.delivery.call("getMe", app.initialize, limited=False)
        bot = app.bot
        self._me = BotIdentity(bot.id, bot.username)
        if self.role == "work":  # no receiving: the worker's loop hands it stored chats
            if self._notifiers is not None:
                self._notifiers.register(Platform.TELEGRAM, self)
            log.info("telegram: connected as @%s (worker)", self.me.username)
            return
        await self._register_commands()
        if self.role == "serve":  # a receiver leaves the stored work to the workers
            await self._recover()
        updater = app.updater
        assert updater is not None
        url = self._settings.telegram_webhook_url
        if url:
            configured = self._settings.telegram_webhook_secret
            if configured is None and self.role == "receive":
                log.warning(
                    "telegram: no ATTUNE_TELEGRAM_WEBHOOK_SECRET: each receiver sets the webhook "
                    "with a random one, so with several receivers set the same secret on all"
                )
            self.webhook_secret = (
                configured.get_secret_value() if configured else secrets.token_urlsafe(32)
            )
            await updater.start_webhook(
                listen=self._settings.telegram_webhook_listen,
                port=self._settings.telegram_webhook_port,
                url_path=urlsplit(url).path.strip("/"),
                webhook_url=url,
                secret_token=self.webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                bootstrap_retries=3,
            )
            mode = "webhook"
        else:
            await updater.start_polling(
                timeout=int(self._poll_timeout_s),
                allowed_updates=list(ALLOWED_UPDATES),
                bootstrap_retries=3,
                error_callback=self._polling_error,
            )
            mode = "long polling"
        if self.role == "receive":
            mode += ", receive only"
        await app.start()
        if self._notifiers is not None and self.role == "serve":
            # check-ins can reach Telegram chats from now on
            self._notifiers.register(Platform.TELEGRAM, self)
        log.info("telegram: connected as @%s (%s)", self.me.username, mode)

    async def stop(self) -> None:
        """Stop receiving, answer what was already received, then close the connections."""
        if self._notifiers is not None:
            self._notifiers.unregister(Platform.TELEGRAM)
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()  # hands the updates already fetched to our lanes
        for album in self._albums.values():
            album.ready.set()  # no more parts can come
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(list(self._tasks), timeout=deadline - time.monotonic())
        # What is still queued is in the inbox (answered after a restart): finish only the
        # answers in hand, so none is cut off halfway through sending.
        self._closing = True
        waiting = sum(len(lane) for lane in self._lanes.values())
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=FINISH_TIMEOUT_S)
        for task in list(self._tasks):  # stuck (a hung model or database): give up on it
            task.cancel()
        if waiting or self._tasks:
            log.warning(
                "telegram: %d updates left in the inbox at shutdown; answered after a restart",
                waiting + len(self._tasks),
            )
        await self._close()
        shown = self.handler_percentiles()
        if shown is not None:  # counts and times only, for the operator and the bench
            log.info(
                "telegram: stopped; answered %d (handler p50 %.1f ms, p95 %.1f ms)",
                self.stats.handled,
                shown[0] * 1000,
                shown[1] * 1000,
            )
        else:
            log.info("telegram: stopped")

    async def _close(self) -> None:
        app = self.application
        with contextlib.suppress(Exception):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
        with contextlib.suppress(Exception):
            await app.shutdown()
        for logger in _ptb_loggers():
            logger.removeFilter(self._withhold)
            logger.removeFilter(self._redact)

    @staticmethod
    def _polling_error(error: TelegramError) -> None:
        # PTB retries getUpdates itself; say what failed without the URL (it holds the token).
        log.warning("telegram: polling failed (%s); retrying", type(error).__name__)

    async def _register_commands(self) -> None:
        """setMyCommands from the core's table, so every command the core has shows up."""
        commands = []
        for command in self._core.commands.visible():
            name, description = command.name, command.description.strip()
            if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
                log.warning("telegram: /%s is no valid Telegram command name; not listed", name)
                continue
            usage = f" {command.usage}" if command.usage else ""
            commands.append(BotCommand(name, (description + usage)[:256] or name))
        bot = self.application.bot
        await self.delivery.call(
            "setMyCommands", lambda: bot.set_my_commands(commands), limited=False
        )

    # -- receiving -------------------------------------------------------------------------

    async def _store_update(self, update: Update) -> bool:
        """``DurableQueue``'s store: commit the update to the inbox (PTB confirms it to
        Telegram once this returns). False for a redelivery of one already received.

        A database that does not take the row within the storage bound does not hold the
        update back: it is answered from memory and stored when the database is back (a crash
        in that window loses it: the one gap, documented in the README).
        """
        received = update_key(update)
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        mailbox = self.mailbox

        async def store() -> int | None:
            if received.answered:  # answered from memory before the database was back
                return None
            inbox_id = await mailbox.receive(
                received.chat_id, received.message_id, received.user_id, payload
            )
            if received.answered:
                await mailbox.discard(received.chat_id, received.message_id)
            return inbox_id

        stored = await self._writes.run("inbox", store)
        if stored is DEFERRED and self.role == "receive":
            # A receiver answers nothing itself, so it must not confirm an update the database
            # has not taken: it waits for the kept write (PTB's polling offset does not move,
            # a webhook is not answered 200; Telegram keeps the update). A restart meanwhile
            # loses nothing; answers, crisis replies included, wait for the database.
            log.warning("telegram: the database is not taking updates; holding them back")
            await self._writes.settled()
            stored = 0  # stored now; which row it is, is the workers' business
        if stored is None:
            log.debug("telegram: update %s was received before", update.update_id)
            return False
        received.inbox_id = None if stored is DEFERRED else stored
        self._received[update.update_id] = received
        return True

    async def _recover(self) -> None:
        """At start: send what is in the outbox, then answer what is in the inbox (in order)."""
        try:
            replies = await self.mailbox.outbound()
            pending = await self.mailbox.pending()
        except Exception as error:
            log.error("telegram: could not read the inbox and outbox (%s)", type(error).__name__)
            return
        for item in replies:
            self._submit(item.chat_id, lambda item=item: self._redeliver(item))  # type: ignore[misc]
        for row in pending:
            update = self._stored_update(row)
            if update is None:
                continue
            received = update_key(update)
            received.inbox_id, received.replay = row.id, True
            self._dispatch(update, received)
        if replies or pending:
            log.info(
                "telegram: resuming %d unsent replies and %d unanswered updates",
                len(replies),
                len(pending),
            )

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Called by PTB for each update in order; only queues work, never waits on it."""
        received = self._received.pop(update.update_id, None) or update_key(update)
        if self.role == "receive":
            return  # stored in the inbox: a worker answers it
        self._dispatch(update, received)

    def _dispatch(self, update: Update, received: Received) -> None:
        arrived = time.monotonic()
        answering = [received]
        if update.callback_query is not None:
            query = update.callback_query
            key = str(query.message.chat.id) if query.message else str(query.from_user.id)
            self._submit(
                key,
                self._answering(
                    answering, lambda: self._timed(arrived, self._handle_callback(query))
                ),
            )
            return
        tg = update.message or update.edited_message
        inbound = None
        if tg is not None:
            inbound = to_message(
                tg,
                self.me,
                max_image_bytes=self._settings.max_image_bytes,
                max_image_pixels=self._settings.max_image_pixels,
            )
            if inbound is not None and update.edited_message is not None:
                # An edit is screened for crisis language only: its text, no media again.
                inbound = as_edit(inbound)
        else:  # reactions, channel posts…: nothing to answer
            log.debug("telegram: ignoring update %s without a message", update.update_id)
        if inbound is None:
            self._later(self._finish(answering, None))
            return
        chat = inbound.message.chat_id
        if inbound.media_group_id:
            self._collect_album(chat, inbound.media_group_id, inbound, arrived, received)
            return
        if not inbound.addressed:
            self._later(self._finish(answering, None))
            return
        self._submit(
            chat,
            self._answering(answering, lambda: self._timed(arrived, self._handle(inbound, []))),
        )

    def _later(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _answering(self, received: list[Received], job: _Job) -> _Job:
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
                    await self._finish(received, None)
                for item in received:
                    if item.inbox_id is not None:
                        self._in_hand.pop(item.inbox_id, None)

        return run

    async def _finish(self, received: list[Received], reply: _Outbound | None) -> None:
        """Record that these updates are answered and, in the same transaction, store their
        reply in the outbox. A database that does not take it in time delays only this."""
        for item in received:
            if item.inbox_id is not None:
                self._in_hand.pop(item.inbox_id, None)
        received = [r for r in received if not r.answered]
        for item in received:
            item.answered = True
        if not received and reply is None:
            return
        mailbox = self.mailbox

        async def write() -> None:
            stored = [r.inbox_id for r in received if r.inbox_id is not None]
            if reply is not None and reply.outbox_id is None and not reply.sent:
                (reply.outbox_id,) = await mailbox.answered(stored, [reply.new])
            elif stored:
                await mailbox.answered(stored, [])
            if reply is not None and reply.sent and reply.outbox_id is not None:
                await mailbox.sent(reply.outbox_id)

        await self._writes.run("outbox", write)

    @staticmethod
    async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB's default would log the whole update (message text included) at ERROR."""
        error = context.error
        where = "".join(traceback.format_tb(error.__traceback__)[-3:]) if error else ""
        log.error("telegram: an update could not be read (%s)\n%s", type(error).__name__, where)

    def _submit(self, key: str, job: _Job) -> None:
        """Queue ``job`` on its chat's lane; start the lane's worker if it has none."""
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
            task = asyncio.create_task(self._run_lane(key, lane))
            self._tasks.add(task)
            self._lane_tasks[key] = task
            task.add_done_callback(self._tasks.discard)
        lane.append(job)

    async def _run_lane(self, key: str, lane: deque[_Job]) -> None:
        try:
            while lane and not self._closing:
                job = lane.popleft()
                try:
                    await job()
                except Exception as error:  # one bad update must not stop the chat
                    # Where it failed, without the exception's message (it may quote text).
                    where = "".join(traceback.format_tb(error.__traceback__)[-3:])
                    log.error(
                        "telegram: could not answer in chat %s (%s)\n%s",
                        key,
                        type(error).__name__,
                        where,
                    )
                    log.debug("telegram: the failure in full", exc_info=error)
        finally:  # also when cancelled (shutdown, or a worker that lost the chat's lease)
            if self._lanes.get(key) is lane:
                del self._lanes[key]
                del self._lane_tasks[key]

    # -- worker ----------------------------------------------------------------------------

    async def answer_stored(
        self, chat_id: str, replies: list[OutboxItem], updates: list[InboxItem]
    ) -> None:
        """A worker's turn at one chat it holds the lease of: send the chat's stored replies,
        then answer its stored updates, all in id order on the chat's lane, through the same
        code as live updates; returns once the lane has done them.

        The updates count as replays (``Core.handle(replay=True)``): a worker that died may
        have handled one without recording its answer. An update that cannot be read any
        more leaves the inbox (logged): kept, it would hold the chat forever.
        """
        for item in replies:
            self._submit(chat_id, lambda item=item: self._redeliver(item))  # type: ignore[misc]
        for row in updates:
            if row.id in self._in_hand:
                continue  # still queued here from an earlier turn
            self._in_hand[row.id] = chat_id
            update = self._stored_update(row)
            if update is None:
                lost = Received(row.chat_id, row.message_id, "", inbox_id=row.id)
                self._submit(chat_id, lambda lost=lost: self._finish([lost], None))  # type: ignore[misc]
                continue
            received = update_key(update)
            received.inbox_id, received.replay = row.id, True
            self._dispatch(update, received)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def mark() -> None:
            if not done.done():
                done.set_result(None)

        self._submit(chat_id, mark)  # lanes run in order: done once all the above are
        await done

    def abandon(self, chat_id: str) -> None:
        """Stop answering this chat now (its lease was lost to another worker): what is left
        stays in the inbox and outbox for the lease's new holder."""
        lane = self._lanes.get(chat_id)
        if lane is not None:
            lane.clear()
        for inbox_id in [i for i, chat in self._in_hand.items() if chat == chat_id]:
            del self._in_hand[inbox_id]
        task = self._lane_tasks.get(chat_id)
        if task is not None:
            task.cancel()

    def _stored_update(self, row: InboxItem) -> Update | None:
        try:
            return Update.de_json(json.loads(row.payload), self.application.bot)
        except Exception as error:
            log.error("telegram: a stored update is unreadable (%s)", type(error).__name__)
            return None

    def handler_percentiles(self) -> tuple[float, float] | None:
        """Handler time p50 and p95 (s) over the recent window, or None before any."""
        times = sorted(self.stats.handler_times)
        if not times:
            return None
        return times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]

    async def _timed(self, arrived: float, work: Awaitable[None]) -> None:
        started = time.monotonic()
        waits: list[float] = []
        LIMIT_WAITS.set(waits)  # this lane task's own context
        try:
            await work
        finally:
            LIMIT_WAITS.set(None)
        done = time.monotonic()
        self.stats.handled += 1
        self.stats.latencies.append(done - arrived)
        self.stats.handler_times.append(done - started)
        self.stats.limit_waits.append(sum(waits))

    def _collect_album(
        self, chat: str, group: str, part: Inbound, arrived: float, received: Received
    ) -> None:
        """Album parts arrive as separate messages: hold them until none came for a while."""
        key = (chat, group)
        album = self._albums.get(key)
        if album is not None:
            album.parts.append(part)
            album.received.append(received)
            album.last = arrived
            return
        album = self._albums[key] = _Album([part], arrived, arrived, received=[received])
        timer = asyncio.create_task(self._close_album(key, album))
        self._tasks.add(timer)
        timer.add_done_callback(self._tasks.discard)
        self._submit(
            chat,
            self._answering(
                album.received, lambda: self._timed(arrived, self._handle_album(album))
            ),
        )

    async def _close_album(self, key: tuple[str, str], album: _Album) -> None:
        while not album.ready.is_set():
            wait = album.last + self._album_window_s - time.monotonic()
            if wait <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(album.ready.wait(), wait)
        self._albums.pop(key, None)
        album.ready.set()

    async def _handle_album(self, album: _Album) -> None:
        await album.ready.wait()
        merged = merge_album(album.parts)
        if merged.addressed:
            await self._handle(merged, album_photos(album.parts))

    # -- answering -------------------------------------------------------------------------

    def _first_time(self, message: Message) -> bool:
        """Adapter-side dedupe for answers that never reach the core (unsupported kinds)."""
        return self._answered.first_time((message.chat_id, message.message_id or ""))

    async def _handle(self, inbound: Inbound, fallbacks: list[PhotoRef]) -> None:
        message = inbound.message
        log.debug("telegram: message %s in chat %s", message.message_id, message.chat_id)
        if inbound.unsupported is not None:
            if self._first_time(message):
                line = UNSUPPORTED_LINE.format(kind=inbound.unsupported)
                await self._send_text(message, line, inbound.reply_to)
            return
        if inbound.photo is not None:
            async with self._typing(int(message.chat_id)):
                message = await self._with_photo(message, [inbound.photo, *fallbacks])
                reply = await self._ask_core(message)
        elif inbound.voice is not None or inbound.video is not None:
            async with self._typing(int(message.chat_id)):
                message = await self._with_recording(message, inbound)
                reply = await self._ask_core(message)
        else:
            reply = await self._ask_core(message)
        await self.render(reply, message, inbound.reply_to)

    async def _ask_core(self, message: Message) -> Reply:
        started = time.monotonic()
        replay = any(r.replay for r in _ANSWERING.get() or ())
        async with self._core_slots:
            reply = await self._core.handle(message, replay=replay)
        self.stats.core_times.append(time.monotonic() - started)
        return reply

    async def _with_photo(self, message: Message, refs: list[PhotoRef]) -> Message:
        """Fetch the first photo that downloads; a photo over the limit is never kept."""
        seen: set[str] = set()
        problem = PhotoProblem.UNAVAILABLE
        for ref in refs:
            if ref.file_id in seen:
                continue
            seen.add(ref.file_id)
            try:
                data = await self._download(ref)
            except TelegramError as error:
                log.warning("telegram: photo download failed (%s)", type(error).__name__)
                continue
            if len(data) > self._settings.max_image_bytes:
                problem = PhotoProblem.TOO_LARGE
                continue
            return replace(message, photo=data, photo_problem=None)
        return replace(message, photo=None, photo_problem=problem)

    async def _with_recording(self, message: Message, inbound: Inbound) -> Message:
        """Fetch a voice message, audio file or video; a failed download is UNAVAILABLE."""
        ref = inbound.video or inbound.voice
        assert ref is not None
        try:
            data = await self._download(ref)
        except TelegramError as error:
            log.warning("telegram: media download failed (%s)", type(error).__name__)
            if inbound.video is not None:
                return replace(message, video_problem=VideoProblem.UNAVAILABLE)
            return replace(message, voice_problem=VoiceProblem.UNAVAILABLE)
        if inbound.video is not None:
            return replace(message, video=data)
        return replace(message, voice=data)

    async def _download(self, ref: PhotoRef) -> bytes:
        bot = self.application.bot

        async def fetch() -> bytes:
            file = await bot.get_file(ref.file_id)
            return bytes(await file.download_as_bytearray())

        return await self.delivery.call("getFile", fetch, limited=False)

    @contextlib.asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing…" while a photo is fetched and read (refreshed until done)."""
        bot = self.application.bot

        async def keep_typing() -> None:
            while True:
                with contextlib.suppress(TelegramError):
                    await self.delivery.call(
                        "sendChatAction",
                        lambda: bot.send_chat_action(chat_id, ChatAction.TYPING),
                        limited=False,
                    )
                await asyncio.sleep(TYPING_REFRESH_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _handle_callback(self, query: CallbackQuery) -> None:
        """A button press: acknowledge it, run its payload as the user's message, and turn
        the prompt into the result (so the buttons cannot be pressed twice)."""
        bot = self.application.bot
        with contextlib.suppress(TelegramError):
            await self.delivery.call(
                "answerCallbackQuery", lambda: bot.answer_callback_query(query.id), limited=False
            )
        message = callback_to_message(query)
        if message is None:
            return
        reply = await self._ask_core(message)
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
        if editable and isinstance(prompt, TgMessage):
            parts = split_text(reply.text)
            keyboard = _keyboard(reply) if len(parts) == 1 else None
            try:
                await self.delivery.call(
                    "editMessageText",
                    lambda: bot.edit_message_text(
                        parts[0],
                        chat_id=prompt.chat.id,
                        message_id=prompt.message_id,
                        reply_markup=keyboard,
                    ),
                    chat_id=prompt.chat.id,
                    private=message.is_private_chat,
                )
            except BadRequest as error:  # too old to edit, or unchanged: send it instead
                log.info("telegram: could not edit the prompt (%s)", error.message)
            else:
                rest = replace(reply, text="\n\n".join(parts[1:]))
                if rest.text:
                    await self._send(rest, prompt.chat.id, message.is_private_chat, None)
                return
        await self.render(reply, message, None)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """``Notifier``: deliver a message the bot starts itself (a check-in) to a chat.

        Queued on the chat's lane like any answer, so it never cuts into a conversation;
        returns once delivered and raises if it could not be. A private reply is never sent
        to a group.
        """
        chat = int(chat_id)
        private = chat > 0  # Telegram: users have positive ids, groups and channels negative
        if reply.private and not private:
            raise ValueError("a private reply cannot go to a group chat")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def deliver() -> None:
            try:
                await self._send(reply, chat, private, None)
            except Exception as error:
                if not done.done():  # the caller may have given up waiting
                    done.set_exception(error)
            else:
                if not done.done():
                    done.set_result(None)

        self._submit(chat_id, deliver)
        await done

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
        await self._finish(answering, out)
        await self._deliver(out, reply, message, reply_to)

    async def _redeliver(self, item: OutboxItem) -> None:
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
            await self._writes.run("outbox", lambda: self.mailbox.sent(item.id))
            return
        out = _Outbound(NewOutbound(item.chat_id, "", item.payload), item.id, item.progress)
        await self._deliver(out, reply, message, reply_to)

    async def _deliver(
        self, out: _Outbound, reply: Reply, message: Message, reply_to: int | None
    ) -> None:
        """Send until Telegram accepts (backoff up to ``Limits.redeliver_max_s`` between
        rounds, for as long as it takes) or refuses for good (logged, one line)."""
        mailbox = self.mailbox

        async def save(progress: int) -> None:
            if out.outbox_id is not None:
                await mailbox.progressed(out.outbox_id, progress)

        steps = _Steps(out.progress, save=save)
        token = _STEPS.set(steps)
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_transient),
                wait=wait_exponential_jitter(
                    multiplier=self.delivery.limits.backoff_s,
                    max=self.delivery.limits.redeliver_max_s,
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
            await self._writes.run("outbox sent", lambda: self.mailbox.sent(outbox_id))

    async def _step(
        self, what: str, action: Callable[[], Awaitable[object]], **where: object
    ) -> None:
        """One platform call of a reply; skipped when a previous round already made it."""
        steps = _STEPS.get()
        if steps is not None and steps.done < steps.skip:
            steps.done += 1
            return
        if steps is not None and steps.done and steps.save is not None:
            # Only a reply of several calls records how far it got (before each later call).
            save, done = steps.save, steps.done
            await self._writes.run("outbox progress", lambda: save(done))
        await self.delivery.call(what, action, **where)  # type: ignore[arg-type]
        if steps is not None:
            steps.done += 1

    async def _render_now(self, reply: Reply, message: Message, reply_to: int | None) -> None:
        chat_id = int(message.chat_id)
        if message.is_private_chat:
            await self._send(reply, chat_id, True, None)
            return
        if not reply.private:
            await self._send(reply, chat_id, False, reply_to)
            return
        try:
            await self._send(reply, int(message.user.user_id), True, None)
        except (Forbidden, BadRequest) as error:
            if isinstance(error, BadRequest) and "chat not found" not in error.message.lower():
                raise
            line = OPEN_PRIVATE_CHAT_LINE.format(bot=self.me.username)
            await self._send_text(message, line, reply_to)
            return
        await self._send_text(message, SENT_PRIVATELY_LINE, reply_to)

    async def _send_text(self, message: Message, text: str, reply_to: int | None) -> None:
        private = message.is_private_chat
        await self._send(Reply(text), int(message.chat_id), private, None if private else reply_to)

    async def _send(self, reply: Reply, chat_id: int, private: bool, reply_to: int | None) -> None:
        """Text (split at 4096 characters, buttons on the last part), then picture, then files."""
        bot = self.application.bot
        keyboard = _keyboard(reply)
        parts = split_text(reply.text, MAX_TEXT) if reply.text else []
        if not parts and keyboard is not None:
            parts = ["…"]
        where = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        # Files (an /export) go first: the words that say they were sent follow only once
        # they were accepted.
        for attachment in reply.files:
            data, filename = attachment.data, attachment.filename
            await self._step(
                "sendDocument",
                _bind_document(bot.send_document, chat_id, data, filename),
                chat_id=chat_id,
                private=private,
            )
        for index, part in enumerate(parts):
            markup = keyboard if index == len(parts) - 1 else None
            await self._step(
                "sendMessage",
                _bind(bot.send_message, chat_id, part, markup, where if index == 0 else None),
                chat_id=chat_id,
                private=private,
            )
        if reply.image_png is not None:
            png = reply.image_png
            await self._step(
                "sendPhoto",
                lambda: bot.send_photo(chat_id, InputFile(png, filename="attune.png")),
                chat_id=chat_id,
                private=private,
            )


def _bind(
    send: Callable[..., Awaitable[TgMessage]],
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    where: ReplyParameters | None,
) -> Callable[[], Awaitable[TgMessage]]:
    """One sendMessage call, re-runnable for retries (a fresh request each time)."""
    return lambda: send(chat_id, text, reply_markup=markup, reply_parameters=where)


def _bind_document(
    send: Callable[..., Awaitable[TgMessage]], chat_id: int, data: bytes, filename: str
) -> Callable[[], Awaitable[TgMessage]]:
    return lambda: send(chat_id, InputFile(data, filename=filename))


def _ptb_loggers() -> list[logging.Logger]:
    """PTB's own loggers. At DEBUG, PTB logs getFile results whose file URL holds the token;
    a filter on the logger itself masks it before any handler (ours, or a test's) sees it."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "telegram"]
    return [logging.getLogger(name) for name in ["telegram", *names]]


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Choices as one row of buttons; the callback data is the payload (a command)."""
    buttons = [
        InlineKeyboardButton(choice.label, callback_data=choice.payload)
        for choice in reply.choices
        if 1 <= len(choice.payload.encode()) <= 64  # Telegram's callback_data limit
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None
