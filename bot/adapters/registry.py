"""Start the adapters whose tokens are set; each owns its lifecycle (start returns once
connected, stop is graceful), and all share one event loop."""

from __future__ import annotations

from typing import Protocol

from bot.app import App


class Adapter(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def start_adapters(app: App) -> list[Adapter]:
    adapters: list[Adapter] = []
    # Telegram and Discord adapters register here when their tokens are set.
    for adapter in adapters:
        await adapter.start()
    return adapters
