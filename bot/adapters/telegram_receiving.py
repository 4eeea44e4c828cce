"""Receiving updates: PTB's Application, long polling or a webhook, and the inbox first.

``build_application`` wires PTB's Application: ``Intake.store`` as the store of its update
queue (``DurableQueue``, ``telegram_inbox``: PTB confirms an update to Telegram only once it
returned) and our rate limiter for every Bot API call. ``start_receiving`` starts PTB's
updater in the mode the settings ask for.
"""

from __future__ import annotations

import json
import logging
import secrets
import traceback
from typing import Literal
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Updater

from bot.adapters.telegram_inbox import DurableQueue, Received, update_key
from bot.adapters.telegram_limits import PerChatRateLimiter
from bot.config import Settings
from bot.storage.mailbox import Mailbox
from bot.storage.writebehind import DEFERRED, WriteBehind

log = logging.getLogger(__name__)

#: Updates we ask Telegram for; edits, reactions and the rest are never answered.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
#: What one process does: ``serve`` receives and answers (``python -m bot``), ``receive`` only
#: stores updates in the inbox (``python -m bot receive``), ``work`` only answers the inbox
#: and sends the outbox of the chats it holds (``python -m bot worker``, ``telegram_worker``).
Role = Literal["serve", "receive", "work"]


class Intake:
    """Stores received updates in ``mailbox`` and keeps their keys until PTB hands them on."""

    def __init__(self, mailbox: Mailbox, writes: WriteBehind, role: Role) -> None:
        self._mailbox = mailbox
        self._writes = writes
        self._role = role
        #: Stored updates PTB has not handed to the adapter yet, by update id.
        self._received: dict[int, Received] = {}

    def take(self, update: Update) -> Received:
        """The stored key of an update PTB hands on (computed afresh if it was not stored)."""
        return self._received.pop(update.update_id, None) or update_key(update)

    async def store(self, update: Update) -> bool:
        """Commit the update to the inbox (PTB confirms it to Telegram once this returns).
        False for a redelivery of one already received.

        A database that does not take the row within the storage bound does not hold the
        update back: it is answered from memory and stored when the database is back (a crash
        in that window loses it: the one gap, documented in the README).
        """
        received = update_key(update)
        payload = json.dumps(update.to_dict(), ensure_ascii=False)
        mailbox = self._mailbox

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
        if stored is DEFERRED and self._role == "receive":
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


def build_application(
    settings: Settings, token: str, intake: Intake, limiter: PerChatRateLimiter, timeout_s: float
) -> Application:  # type: ignore[type-arg]
    """PTB's Application for ``token`` on ``settings.telegram_api_url``, with ``timeout_s``
    (seconds) for each request's read, write and connection-pool wait."""
    api = settings.telegram_api_url.rstrip("/")
    return (
        ApplicationBuilder()
        .token(token)
        # Updates are committed to the inbox before PTB confirms them to Telegram.
        .update_queue(DurableQueue(intake.store))
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        # Every Bot API call waits for its chat's budget and is retried (429s, faults).
        .rate_limiter(limiter)
        # Sequential hand-off: our handler only queues the update on its chat's lane.
        .concurrent_updates(False)
        .connect_timeout(10.0)
        .read_timeout(timeout_s)
        .write_timeout(timeout_s)
        .media_write_timeout(max(60.0, timeout_s))
        .pool_timeout(timeout_s)
        .connection_pool_size(64)
        .build()
    )


def polling_failed(error: TelegramError) -> None:
    """PTB retries getUpdates itself; say what failed without the URL (it holds the token)."""
    log.warning("telegram: polling failed (%s); retrying", type(error).__name__)


async def update_failed(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """PTB's error handler; PTB's default would log the whole update (message text
    included) at ERROR."""
    error = context.error
    where = "".join(traceback.format_tb(error.__traceback__)[-3:]) if error else ""
    log.error("telegram: an update could not be read (%s)\n%s", type(error).__name__, where)


async def start_receiving(
    updater: Updater, settings: Settings, role: Role, poll_timeout_s: float
) -> tuple[str, str | None]:
    """Start the webhook (if ``telegram_webhook_url`` is set) or long polling; returns the
    mode (for the log) and the webhook's secret token (``None`` when polling)."""
    url = settings.telegram_webhook_url
    if not url:
        await updater.start_polling(
            timeout=int(poll_timeout_s),
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=3,
            error_callback=polling_failed,
        )
        return "long polling", None
    configured = settings.telegram_webhook_secret
    if configured is None and role == "receive":
        log.warning(
            "telegram: no ATTUNE_TELEGRAM_WEBHOOK_SECRET: each receiver sets the webhook "
            "with a random one, so with several receivers set the same secret on all"
        )
    secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
    await updater.start_webhook(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=urlsplit(url).path.strip("/"),
        webhook_url=url,
        secret_token=secret,
        allowed_updates=list(ALLOWED_UPDATES),
        bootstrap_retries=3,
    )
    return "webhook", secret
