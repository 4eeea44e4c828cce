"""Lets the web demo see the ``PhotoReading`` the core made, without reading the photo twice.

The core answers with a ``Reply`` only; the stored entry keeps the probabilities but not the
face boxes. Rather than widen ``Core.handle`` for one adapter, or run the face model a second
time on 2 shared cores, the web demo builds its ``EmotionService`` as a ``ReadingTap``: every
reading is also appended to the list held in a context variable, which ``handle_and_read``
sets for exactly one ``Core.handle`` call. The core awaits ``read_photo`` inside that same
task, so concurrent requests never see each other's readings.
"""

from __future__ import annotations

from contextvars import ContextVar

from bot.core import Core
from bot.domain import Message, Reply
from bot.inference import EmotionService
from emotion.photo import PhotoReading

_READINGS: ContextVar[list[PhotoReading] | None] = ContextVar("attune_web_readings", default=None)


class ReadingTap(EmotionService):
    """An ``EmotionService`` that also hands each photo reading to the caller waiting on it."""

    async def read_photo(self, data: bytes) -> PhotoReading:
        reading = await super().read_photo(data)
        slot = _READINGS.get()
        if slot is not None:
            slot.append(reading)
        return reading


async def handle_and_read(core: Core, message: Message) -> tuple[Reply, PhotoReading | None]:
    """``core.handle(message)`` plus the photo reading it made (None without a tap or photo)."""
    slot: list[PhotoReading] = []
    token = _READINGS.set(slot)
    try:
        reply = await core.handle(message)
    finally:
        _READINGS.reset(token)
    return reply, (slot[-1] if slot else None)
