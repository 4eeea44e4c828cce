"""The Telegram adapter: updates in, core replies out. No emotion or reply logic lives here.

It shares the event loop with the other adapters, so it drives python-telegram-bot's
Application itself (initialize, updater.start_polling or start_webhook, start) rather than
``run_polling``, which would own the loop. This module is the lifecycle and the wiring:
receiving (``telegram_receiving``), per-chat lanes (``telegram_lanes``), answering
(``telegram_answer``: albums, media, button presses), rendering (``telegram_render``), the
outbox (``telegram_delivery``) and every Bot API call's limits and retries
(``telegram_limits``, PTB's rate limiter).

Logging: ids and kinds only; message text never appears above DEBUG and the token never
(httpx, which logs URLs, is held at WARNING by ``bot.logs``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import ContextTypes, TypeHandler

from bot.adapters.telegram_answer import Answerer
from bot.adapters.telegram_inbound import BotIdentity
from bot.adapters.telegram_lanes import Lanes, Stats
from bot.adapters.telegram_limits import Limits, PerChatRateLimiter
from bot.adapters.telegram_receiving import (
    Intake,
    Role,
    build_application,
    start_receiving,
    update_failed,
)
from bot.adapters.telegram_render import bot_commands
from bot.config import Settings
from bot.domain import Message, Platform, Reply
from bot.logs import RedactSecrets, WithholdReceivedData
from bot.notify import Notifiers
from bot.storage.mailbox import InboxItem, OutboxItem

if TYPE_CHECKING:
    from bot.core import Core

log = logging.getLogger(__name__)

#: How long stop() keeps answering what was received; what is left stays in the inbox.
DRAIN_TIMEOUT_S = 30.0
#: Then how long a lane may take to finish the answer in hand before it is cancelled.
FINISH_TIMEOUT_S = 10.0


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
        self.limiter = PerChatRateLimiter(
            limits or Limits(overall_per_s=settings.telegram_send_per_s)
        )
        self.stats = Stats()
        self.mailbox = core.repository.mailbox(Platform.TELEGRAM)
        #: The storage writes this adapter's answers wait on (kept back when the db is slow).
        self.writes = core.writes
        self._intake = Intake(self.mailbox, self.writes, role)
        # Before building: PTB logs its base URL (token included) at DEBUG right away.
        token = settings.telegram_token.get_secret_value()
        self._redact = RedactSecrets([token], freeze=True)
        self._withhold = WithholdReceivedData()
        for logger in _ptb_loggers():
            logger.addFilter(self._withhold)  # before the redaction formats the record
            logger.addFilter(self._redact)
        self.application = build_application(
            settings, token, self._intake, self.limiter, request_timeout_s
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(update_failed)
        self._me: BotIdentity | None = None
        bot = self.application.bot
        self._lanes = Lanes()
        self._answerer = Answerer(
            core,
            settings,
            bot,
            lambda: self.me,
            lanes=self._lanes,
            stats=self.stats,
            limiter=self.limiter,
            mailbox=self.mailbox,
            writes=self.writes,
            album_window_s=album_window_s,
            core_concurrency=core_concurrency,
        )
        self._outbox, self._renderer = self._answerer.outbox, self._answerer.renderer
        self.webhook_secret: str | None = None

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
        await app.initialize()  # getMe; a network fault is retried by the rate limiter
        bot = app.bot
        self._me = BotIdentity(bot.id, bot.username)
        if self.role == "work":  # no receiving: the worker's loop hands it stored chats
            if self._notifiers is not None:
                self._notifiers.register(Platform.TELEGRAM, self)
            log.info("telegram: connected as @%s (worker)", self.me.username)
            return
        await bot.set_my_commands(bot_commands(self._core.commands.visible()))
        if self.role == "serve":  # a receiver leaves the stored work to the workers
            await self._answerer.recover()
        assert app.updater is not None
        mode, self.webhook_secret = await start_receiving(
            app.updater, self._settings, self.role, self._poll_timeout_s
        )
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
        self._answerer.albums.close_all()
        # What is still queued after DRAIN_TIMEOUT_S is in the inbox (answered after a
        # restart): only the answers in hand are finished, so none is cut off halfway.
        left = await self._lanes.drain(DRAIN_TIMEOUT_S, FINISH_TIMEOUT_S)
        if left:
            log.warning(
                "telegram: %d updates left in the inbox at shutdown; answered after a restart",
                left,
            )
        await self._close()
        log.info("telegram: stopped%s", self.stats.summary())

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

    # -- receiving and answering ---------------------------------------------------------

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Called by PTB for each update in order; only queues work, never waits on it."""
        received = self._intake.take(update)
        if self.role == "receive":
            return  # stored in the inbox: a worker answers it
        self._answerer.dispatch(update, received)

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
        self._answerer.queue_stored(chat_id, replies, updates)
        await self._lanes.call(chat_id, _nothing)  # lanes run in order: done once all are

    def abandon(self, chat_id: str) -> None:
        """Stop answering this chat now (its lease was lost to another worker): what is left
        stays in the inbox and outbox for the lease's new holder."""
        in_hand = self._outbox.in_hand
        for inbox_id in [i for i, chat in in_hand.items() if chat == chat_id]:
            del in_hand[inbox_id]
        self._lanes.abandon(chat_id)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """``Notifier``: deliver a message the bot starts itself (a check-in) to a chat.

        Queued on the chat's lane like any answer, so it never cuts into a conversation;
        returns once delivered and raises if it could not be. A private reply is never sent
        to a group.
        """
        if reply.private and int(chat_id) <= 0:  # Telegram: users have positive ids
            raise ValueError("a private reply cannot go to a group chat")
        await self._lanes.call(chat_id, lambda: self._renderer.send(reply, int(chat_id), None))

    async def render(self, reply: Reply, message: Message, reply_to: int | None) -> None:
        """Deliver a core reply for ``message`` (``Outbox.render``)."""
        await self._outbox.render(reply, message, reply_to)


def _ptb_loggers() -> list[logging.Logger]:
    """PTB's own loggers. At DEBUG, PTB logs getFile results whose file URL holds the token;
    a filter on the logger itself masks it before any handler (ours, or a test's) sees it."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "telegram"]
    return [logging.getLogger(name) for name in ["telegram", *names]]


async def _nothing() -> None:
    """A lane job that only marks its place in the lane."""
