"""Telegram's side of the durable inbox: an update is committed before Telegram is told.

python-telegram-bot hands every received update to ``Application.update_queue.put`` — from
long polling (and only after ``put`` returns does it advance the getUpdates offset, which is
what confirms updates to Telegram) and from its webhook server (which answers 200 once
``put`` returns). ``DurableQueue`` is that queue with a ``put`` that first stores the update,
so both paths acknowledge only what is stored: PTB's own extension point
(``ApplicationBuilder.update_queue``), no polling loop of our own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update


@dataclass(slots=True)
class Received:
    """One inbound update on its way through: its dedupe key and its inbox row.

    ``inbox_id`` is ``None`` while the database has not taken the row (a locked database:
    the update is answered from memory and stored when it can be). ``replay`` marks an update
    recovered at start-up, which may have been answered before the crash.
    """

    chat_id: str
    message_id: str
    user_id: str
    inbox_id: int | None = None
    replay: bool = False
    answered: bool = False


def update_key(update: Update) -> Received:
    """The dedupe key of an update: chat, message id (a button press: its query id) and sender."""
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat.id if query.message is not None else query.from_user.id
        return Received(str(chat), f"cb:{query.id}", str(query.from_user.id))
    message = update.effective_message
    if message is not None:
        sender = message.from_user.id if message.from_user is not None else 0
        message_id = str(message.message_id)
        if update.edited_message is not None:
            # Each edit is an update of its own (screened for crisis language): keyed by the
            # edit's time so it is not taken for a redelivery of the original message.
            edited_at = message.edit_date.timestamp() if message.edit_date else update.update_id
            message_id = f"{message_id}:edit:{int(edited_at)}"
        return Received(str(message.chat.id), message_id, str(sender))
    return Received("0", f"u:{update.update_id}", "0")


class DurableQueue(asyncio.Queue[object]):
    """PTB's update queue, storing each update before accepting it.

    ``store(update)`` returns False for an update already received (a redelivery): it is
    not queued again. Anything else PTB puts here (its stop signal) passes through.
    """

    def __init__(self, store: Callable[[Update], Awaitable[bool]]) -> None:
        super().__init__()
        self._store = store

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self._store(item):
            return
        await super().put(item)
