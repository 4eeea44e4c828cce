"""The web demo's side of the core: page values in, ``Message``s to the core, results out.

Threads and loops: the core (SQLAlchemy async engine, model executor) lives on the event loop
that started the adapter; Gradio serves from its own thread and loop. ``WebCore.on_core``
hands a coroutine to the core's loop with ``run_coroutine_threadsafe`` and awaits the result,
so neither loop blocks the other and the core is only ever used from one loop. Uploads are
read into memory and Gradio's copy deleted at once (``read_upload``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.adapters.web_render import history_rows
from bot.app import App
from bot.domain import Message, MoodEntry, Platform, Reply, UserRef
from bot.explain import why_text
from bot.mood.timezones import zone_or_utc
from emotion.photo import PhotoProblem, PhotoReading
from responses.risk_state import RiskState

T = TypeVar("T")

#: Entries the mood tab's table shows (newest first).
HISTORY_ROWS = 50


@dataclass(frozen=True, slots=True)
class ChatResult:
    """One chat turn as the page shows it."""

    reply: Reply
    entry: MoodEntry | None
    explanation: str
    reading: PhotoReading | None


@dataclass(frozen=True, slots=True)
class PhotoInput:
    data: bytes | None
    problem: PhotoProblem | None


def read_upload(path: str | None, max_bytes: int, root: str | None = None) -> PhotoInput:
    """Read an uploaded photo into memory and delete Gradio's copy of it.

    Gradio keeps each upload in a folder of its own under ``root`` (its cache); that folder
    goes too when it is empty, ``root`` itself never. Reads one byte past the limit so an
    oversized file is refused without being held whole. Blocking: call it off the event loop.
    """
    if not path:
        return PhotoInput(None, None)
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return PhotoInput(None, PhotoProblem.NOT_AN_IMAGE)
    finally:
        with contextlib.suppress(OSError):
            file.unlink()
        if root is None or file.parent.resolve() != Path(root).resolve():
            with contextlib.suppress(OSError):
                file.parent.rmdir()  # only when empty
    if len(data) > max_bytes:
        return PhotoInput(None, PhotoProblem.TOO_LARGE)
    return PhotoInput(data, None)


def user_ref(name: str) -> UserRef:
    """The demo's user: the chosen name (case-insensitive) is the key, as typed it greets."""
    return UserRef(Platform.WEB, name.casefold(), display_name=name)


class WebCore:
    """The core's calls for the page; ``on_core`` runs them on the core's loop."""

    def __init__(self, app: App, loop: asyncio.AbstractEventLoop) -> None:
        """``loop``: the event loop the core lives on (the one that started the adapter)."""
        self._app = app
        self._core = app.core
        self._loop = loop

    async def on_core(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the core's loop and wait for it without blocking Gradio's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def chat(self, name: str, text: str, photo: PhotoInput) -> ChatResult:
        """One message through the core; the entry it stored (if any) and /why beside it."""
        ref = user_ref(name)
        message = Message(
            user=ref,
            chat_id=f"web:{ref.user_id}",
            text=text,
            photo=photo.data,
            photo_problem=photo.problem,
        )
        answer = await self._core.handle_turn(message)
        report = answer.report
        if report.entry is None:
            return ChatResult(answer.reply, None, "", report.photo)
        state = report.risk_state or RiskState()
        why = why_text(report.entry, state, report.at or datetime.now(UTC))
        return ChatResult(answer.reply, report.entry, why, report.photo)

    async def send_moment(self, name: str, text: str, data: bytes) -> str:
        """A live frame (JPEG bytes) sent as a photo message; the reply's text."""
        result = await self.on_core(self.chat(name, text, PhotoInput(data, None)))
        return result.reply.text

    async def command(self, name: str, text: str) -> Reply:
        """``text`` (a command such as "/mood week") as ``name``'s message; the core's reply."""
        ref = user_ref(name)
        return await self._core.handle(Message(user=ref, chat_id=f"web:{ref.user_id}", text=text))

    async def history(self, name: str) -> list[list[str]]:
        """``name``'s latest entries as the mood tab's table rows, in their time zone."""
        user = await self._app.repository.find_user(user_ref(name))
        if user is None:
            return []
        entries = await self._app.repository.recent_entries(user.id, HISTORY_ROWS)
        settings = await self._app.repository.get_settings(user.id)
        return history_rows(entries, zone_or_utc(settings.timezone if settings else None))
