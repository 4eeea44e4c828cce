"""A core ``Reply`` as Telegram messages: split text, buttons, picture, files, private routing.

Every Bot API call of ``send`` goes through ``telegram_delivery.step``, so a reply the outbox
sends again after a failure skips the calls already accepted. ``edit_prompt`` is outside the
outbox: it edits a button prompt directly (when Telegram will not, the caller stores the reply
in the outbox instead), and the rest of a long answer follows by ``send``, not stored. Rate
limits and retries of every call are the bot's rate limiter's (``telegram_limits``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyParameters,
)
from telegram import Message as TgMessage
from telegram.error import BadRequest, Forbidden

from bot.adapters.telegram_delivery import step
from bot.adapters.text_split import split_text as shared_split_text
from bot.commands.table import Command
from bot.domain import Message, Reply

log = logging.getLogger(__name__)

#: Telegram's hard limit for one text message (``text_split`` counts it in UTF-16 units).
MAX_TEXT = 4096
SENT_PRIVATELY_LINE = "I've sent you that privately."
OPEN_PRIVATE_CHAT_LINE = (
    "That answer is private, and I can't write to you yet: open a private chat with "
    "@{bot} and press Start, then ask again."
)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``bot.adapters.text_split.split_text`` with Telegram's limit as the default.

    Text that is only whitespace stays one part, as this module's callers have always had at
    least one part for any non-empty text.
    """
    return shared_split_text(text, limit) or ([text] if text else [])


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Choices as one row of buttons; the callback data is the payload (a command)."""
    buttons = [
        InlineKeyboardButton(choice.label, callback_data=choice.payload)
        for choice in reply.choices
        if 1 <= len(choice.payload.encode()) <= 64  # Telegram's callback_data limit
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None


def bot_commands(commands: Iterable[Command]) -> list[BotCommand]:
    """The core's visible commands as setMyCommands entries; a name Telegram would refuse
    is left out (logged)."""
    listed = []
    for command in commands:
        name, description = command.name, command.description.strip()
        if not (1 <= len(name) <= 32 and name.replace("_", "").isalnum() and name.islower()):
            log.warning("telegram: /%s is no valid Telegram command name; not listed", name)
            continue
        usage = f" {command.usage}" if command.usage else ""
        listed.append(BotCommand(name, (description + usage)[:256] or name))
    return listed


class Renderer:
    """Sends replies with ``bot``; ``username`` gives the bot's @name once connected."""

    def __init__(self, bot: Bot, username: Callable[[], str]) -> None:
        self._bot = bot
        self._username = username

    async def render_now(self, reply: Reply, message: Message, reply_to: int | None) -> None:
        """Send ``reply`` to the chat of ``message``; a private reply asked for in a group
        goes to the user's private chat (and the group is told), never to the group."""
        chat_id = int(message.chat_id)
        if message.is_private_chat:
            await self.send(reply, chat_id, None)
            return
        if not reply.private:
            await self.send(reply, chat_id, reply_to)
            return
        try:
            await self.send(reply, int(message.user.user_id), None)
        except (Forbidden, BadRequest) as error:
            if isinstance(error, BadRequest) and "chat not found" not in error.message.lower():
                raise
            line = OPEN_PRIVATE_CHAT_LINE.format(bot=self._username())
            await self.send_text(message, line, reply_to)
            return
        await self.send_text(message, SENT_PRIVATELY_LINE, reply_to)

    async def send_text(self, message: Message, text: str, reply_to: int | None) -> None:
        """One line to the chat of ``message`` (quoting ``reply_to`` in a group)."""
        private = message.is_private_chat
        await self.send(Reply(text), int(message.chat_id), None if private else reply_to)

    async def send(self, reply: Reply, chat_id: int, reply_to: int | None) -> None:
        """Files, then text (split at 4096 characters, buttons on the last part), then the picture;
        raises the ``TelegramError`` of a call that failed for good."""
        bot = self._bot
        markup = keyboard(reply)
        parts = split_text(reply.text, MAX_TEXT) if reply.text else []
        if not parts and markup is not None:
            parts = ["…"]
        where = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        # Files (an /export) go first: the words that say they were sent follow only once
        # they were accepted.
        for attachment in reply.files:
            await step(
                _bind_document(bot.send_document, chat_id, attachment.data, attachment.filename)
            )
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await step(
                _bind(
                    bot.send_message,
                    chat_id,
                    part,
                    markup if last else None,
                    where if index == 0 else None,
                )
            )
        if reply.image_png is not None:
            png = reply.image_png
            await step(lambda: bot.send_photo(chat_id, InputFile(png, filename="attune.png")))

    async def edit_prompt(self, reply: Reply, prompt: TgMessage) -> bool:
        """Turn a button prompt into the answer (so its buttons cannot be pressed twice); the
        rest of a long answer follows as messages. False if Telegram would not edit it (too
        old, or unchanged): the caller sends it instead."""
        parts = split_text(reply.text)
        markup = keyboard(reply) if len(parts) == 1 else None
        try:
            await self._bot.edit_message_text(
                parts[0], chat_id=prompt.chat.id, message_id=prompt.message_id, reply_markup=markup
            )
        except BadRequest as error:  # too old to edit, or unchanged: send it instead
            log.info("telegram: could not edit the prompt (%s)", error.message)
            return False
        rest = replace(reply, text="\n\n".join(parts[1:]))
        if rest.text:
            await self.send(rest, prompt.chat.id, None)
        return True


def _bind(
    send: Callable[..., Awaitable[TgMessage]],
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    where: ReplyParameters | None,
) -> Callable[[], Awaitable[TgMessage]]:
    """One sendMessage call, re-runnable for the outbox's rounds (a fresh request each time)."""
    return lambda: send(chat_id, text, reply_markup=markup, reply_parameters=where)


def _bind_document(
    send: Callable[..., Awaitable[TgMessage]], chat_id: int, data: bytes, filename: str
) -> Callable[[], Awaitable[TgMessage]]:
    return lambda: send(chat_id, InputFile(data, filename=filename))
