"""Receiving updates: long polling or a webhook, each update stored in the inbox first.

``Intake.store`` is ``DurableQueue``'s store (``telegram_inbox``): PTB confirms an update to
Telegram only once it returned. ``start_receiving`` starts PTB's updater in the mode the
settings ask for.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Updater

from bot.adapters.telegram_inbox import Received, update_key
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


async def start_receiving(
    updater: Updater,
    settings: Settings,
    role: Role,
    poll_timeout_s: float,
    polling_error: Callable[[TelegramError], None],
) -> tuple[str, str | None]:
    """Start the webhook (if ``telegram_webhook_url`` is set) or long polling; returns the
    mode (for the log) and the webhook's secret token (``None`` when polling)."""
    url = settings.telegram_webhook_url
    if not url:
        await updater.start_polling(
            timeout=int(poll_timeout_s),
            allowed_updates=list(ALLOWED_UPDATES),
            bootstrap_retries=3,
            error_callback=polling_error,
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
