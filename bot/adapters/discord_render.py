"""Reply -> what discord.py sends: text chunks, files and confirm/cancel buttons.

Buttons are ``DynamicItem``s whose custom id *is* the choice's payload (a command such as
"/forget confirm"), so a press is understood from the id alone — also after a restart, when
no in-memory view remembers the prompt.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.adapters.discord_convert import MAX_MESSAGE_CHARS
from bot.adapters.text_split import split_text
from bot.domain import Choice, Reply

#: custom ids are at most 100 characters; every payload is a command.
CHOICE_TEMPLATE = re.compile(r"(?P<payload>/[^\n]{1,99})")
#: Discord accepts at most 10 files per message.
MAX_FILES = 10

PressHandler = Callable[[discord.Interaction, str], Awaitable[None]]


class ChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=CHOICE_TEMPLATE
):
    """One confirm/cancel button; pressing it hands its payload to the client's press handler."""

    def __init__(self, payload: str, label: str, *, primary: bool = False) -> None:
        style = discord.ButtonStyle.primary if primary else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=label[:80] or "…", custom_id=payload, style=style))
        self.payload = payload

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChoiceButton:
        return cls(match["payload"], getattr(item, "label", None) or "…")

    async def callback(self, interaction: discord.Interaction) -> None:
        handler: PressHandler | None = getattr(interaction.client, "press_choice", None)
        if handler is not None:
            await handler(interaction, self.payload)


def choice_view(choices: tuple[Choice, ...]) -> discord.ui.View | None:
    """Buttons for a reply's choices (the first is the primary action); None without any."""
    usable = [c for c in choices if CHOICE_TEMPLATE.fullmatch(c.payload)]
    if not usable:
        return None
    view = discord.ui.View(timeout=None)
    for index, choice in enumerate(usable[:25]):
        view.add_item(ChoiceButton(choice.payload, choice.label, primary=index == 0))
    return view


def reply_files(reply: Reply) -> list[discord.File]:
    """The picture (PNG) and file attachments of a reply, fresh objects for each send."""
    files: list[discord.File] = []
    if reply.image_png is not None:
        files.append(discord.File(io.BytesIO(reply.image_png), filename="attune.png"))
    for attachment in reply.files:
        files.append(discord.File(io.BytesIO(attachment.data), filename=attachment.filename))
    return files[:MAX_FILES]


@dataclass(frozen=True, slots=True)
class Part:
    """One Discord message of a reply: content plus, on the last part, files and buttons."""

    content: str | None
    last: bool


def parts(text: str) -> list[Part]:
    """Split a reply's text into parts; a reply with only files still gets one part."""
    chunks: list[str | None] = list(split_text(text, MAX_MESSAGE_CHARS)) or [None]
    return [Part(chunk, index == len(chunks) - 1) for index, chunk in enumerate(chunks)]


def send_kwargs(part: Part, reply: Reply) -> dict[str, Any]:
    """Keyword arguments for ``Messageable.send`` / ``Webhook.send`` for one part."""
    kwargs: dict[str, Any] = {}
    if part.content is not None:
        kwargs["content"] = part.content
    if part.last:
        files = reply_files(reply)
        if files:
            kwargs["files"] = files
        view = choice_view(reply.choices)
        if view is not None:
            kwargs["view"] = view
    return kwargs
