"""Per-user order on Discord: one lock per user, shared by the message and interaction cogs."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class UserLocks:
    """One lock per user, so each person's messages are answered in the order sent.

    The messages cog and the interactions cog (slash commands, button presses) hold the same
    ``UserLocks``, so a slash command waits for the person's message before it, and the other
    way round. A user's lock is dropped once nobody holds or waits for it.
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        """Hold ``user_id``'s lock for the ``async with`` block (waits for earlier holders)."""
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[user_id]
            if users <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock, users - 1)
