"""Start the adapters whose tokens are set; each owns its lifecycle (start returns once
connected, stop is graceful), and all share one event loop."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.adapters.discord_shards import ShardPlan
from bot.app import App

log = logging.getLogger(__name__)


class NoAdapterStarted(Exception):
    """Every configured platform failed to start; the message says why, one line each."""


class Adapter(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


async def start_adapters(
    app: App, *, discord_only: bool = False, shards: ShardPlan | None = None
) -> list[Adapter]:
    """Start every platform whose token is set (``discord_only``: Discord alone, for a
    process that runs a share of the shards, ``shards``; None runs them all)."""
    adapters: list[Adapter] = []
    # Telegram and Discord adapters register here when their tokens are set.
    if app.settings.telegram_token is not None and not discord_only:
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
                shards=shards,
            )
        )
    return await start_all(adapters)


async def start_all(adapters: Sequence[Adapter]) -> list[Adapter]:
    """Start each adapter; one that fails is logged in one line and the others keep serving.

    A bad Discord token must not take Telegram users down with it. Only when none starts is
    that an error for the caller (the process has nothing to serve).
    """
    started: list[Adapter] = []
    failures: list[str] = []
    for adapter in adapters:
        try:
            await adapter.start()
        except Exception as error:  # e.g. a revoked token or an unreachable API
            reason = f"{adapter.name} did not start: {type(error).__name__}: {error}"
            log.error("%s", reason)
            failures.append(reason)
            try:
                await adapter.stop()
            except Exception as stop_error:
                log.debug("%s: stop after a failed start raised %r", adapter.name, stop_error)
        else:
            started.append(adapter)
    if adapters and not started:
        raise NoAdapterStarted("; ".join(failures))
    return started
