"""Albums: the parts of one ``media_group_id`` arrive as separate messages; one answer.

The first part opens an album and its answer is queued on the chat's lane right away (so it
keeps its place in the chat's order); the answer waits until no part came for
``window_s`` seconds (or the adapter stops), then reads the parts as one input.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.adapters.telegram_inbound import Inbound, PhotoRef
from bot.adapters.telegram_inbox import Received
from bot.adapters.telegram_lanes import Lanes


@dataclass(slots=True)
class Album:
    """The parts received so far, when the first and the newest came (monotonic s), and
    ``ready`` once no more can come."""

    parts: list[Inbound]
    arrived: float
    last: float
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    received: list[Received] = field(default_factory=list)


class Albums:
    """Open albums by (chat, media group); each closes on its own timer, run on ``lanes``."""

    def __init__(self, window_s: float, lanes: Lanes) -> None:
        self._window_s = window_s
        self._lanes = lanes
        self._open: dict[tuple[str, str], Album] = {}

    def collect(
        self, chat: str, group: str, part: Inbound, arrived: float, received: Received
    ) -> Album | None:
        """Add a part; returns the new album for its first part (the caller queues its
        answer), ``None`` for a later part."""
        key = (chat, group)
        album = self._open.get(key)
        if album is not None:
            album.parts.append(part)
            album.received.append(received)
            album.last = arrived
            return None
        album = self._open[key] = Album([part], arrived, arrived, received=[received])
        self._lanes.later(self._close(key, album))
        return album

    def close_all(self) -> None:
        """At shutdown: no more parts can come, so every open album is complete."""
        for album in self._open.values():
            album.ready.set()

    async def _close(self, key: tuple[str, str], album: Album) -> None:
        while not album.ready.is_set():
            wait = album.last + self._window_s - time.monotonic()
            if wait <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(album.ready.wait(), wait)
        self._open.pop(key, None)
        album.ready.set()


def merge_album(parts: Sequence[Inbound]) -> Inbound:
    """An album (one media_group_id) as one input: captions joined, the first photo kept.

    Telegram sends each album item as its own message; people write the caption on one of
    them (usually the first). The first message's id stands for the album, so a redelivered
    album is still answered once. Photos other than the first readable one are not fetched.
    """
    if not parts:
        raise ValueError("an album has at least one part")
    first = parts[0]
    captions: list[str] = []
    for part in parts:
        if part.message.text and part.message.text not in captions:
            captions.append(part.message.text)
    photo = next((p for p in parts if p.photo is not None), None)
    problem = None
    if photo is None:
        problem = next((p.message.photo_problem for p in parts if p.message.photo_problem), None)
    message = replace(first.message, text="\n".join(captions), photo_problem=problem)
    return Inbound(
        message,
        photo=photo.photo if photo else None,
        unsupported=first.unsupported if photo is None and problem is None else None,
        addressed=any(p.addressed for p in parts),
        media_group_id=first.media_group_id,
        reply_to=first.reply_to,
    )


def album_photos(parts: Sequence[Inbound]) -> list[PhotoRef]:
    """Every fetchable photo of an album, in order: fall back to the next if one fails."""
    return [p.photo for p in parts if p.photo is not None]
