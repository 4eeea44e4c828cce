"""Messages the bot starts itself (daily check-ins): one ``Notifier`` per platform.

The core answers messages; a reminder has no message to answer, so it needs a way to reach
a chat on its own. Each adapter registers a notifier for its platform once connected and
unregisters it before it stops; the reminder scheduler only picks reminders whose platform
has a notifier, so a platform that is down keeps its reminders waiting instead of losing them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Protocol, TextIO

from bot.domain import Platform, Reply


class Notifier(Protocol):
    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver ``reply`` to ``chat_id`` (raise if it could not be delivered)."""
        ...


class Notifiers:
    """Registry keyed by platform; adapters register into the one the app holds."""

    def __init__(self) -> None:
        self._by_platform: dict[Platform, Notifier] = {}

    def register(self, platform: Platform, notifier: Notifier) -> None:
        self._by_platform[platform] = notifier

    def unregister(self, platform: Platform) -> None:
        self._by_platform.pop(platform, None)

    def get(self, platform: Platform) -> Notifier | None:
        return self._by_platform.get(platform)

    def platforms(self) -> frozenset[Platform]:
        return frozenset(self._by_platform)


class ConsoleNotifier:
    """Shows a bot-initiated reply in the console chat.

    Pass the chat's ``render`` (``ConsoleNotifier(chat.render)``) so reminders look like any
    other reply; without one, the text is written to ``out`` (stdout).
    """

    def __init__(
        self, render: Callable[[Reply], None] | None = None, out: TextIO | None = None
    ) -> None:
        self._render = render
        self._out = out

    async def send(self, chat_id: str, reply: Reply) -> None:
        if self._render is not None:
            self._render(reply)
            return
        print(f"attune> {reply.text}", file=self._out or sys.stdout, flush=True)
