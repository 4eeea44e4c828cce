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
    if app.settings.telegram_token is not None:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(app.core, app.settings, notifiers=app.notifiers))
    if app.settings.discord_token is not None:
        from bot.adapters.discord import DiscordAdapter

        adapters.append(
            DiscordAdapter(
                app.core,
                app.settings.discord_token.get_secret_value(),
                max_image_bytes=app.settings.max_image_bytes,
                guild_id=app.settings.discord_guild_id,
                notifiers=app.notifiers,
            )
        )
    for adapter in adapters:
        await adapter.start()
    return adapters
