"""Composition root: builds the storage, the models and the core from the settings."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.commands.catalog import default_commands
from bot.config import Settings
from bot.core import Core, CoreOptions
from bot.inference import EmotionService
from bot.llm import LlmWriter
from bot.notify import Notifiers
from bot.risk import RiskScreen
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository


@dataclass(slots=True)
class App:
    settings: Settings
    engine: AsyncEngine
    repository: Repository
    emotions: EmotionService
    core: Core
    #: Where adapters register how to reach a chat unprompted (daily check-ins).
    notifiers: Notifiers = field(default_factory=Notifiers)
    #: The optional LLM writer, closed with the app.
    writer: LlmWriter | None = None
    #: The crisis screen's runner (rules + the learned classifier), closed with the app.
    risk: RiskScreen | None = None

    async def close(self) -> None:
        await self.core.writes.flush(timeout_s=10.0)  # writes kept while the db was busy
        if self.writer is not None:
            await self.writer.aclose()
        self.emotions.close()
        if self.risk is not None:
            self.risk.close()
        await self.repository.close()
        await self.engine.dispose()


def build_app(settings: Settings, emotions: EmotionService | None = None) -> App:
    """Wire everything; the schema must already be migrated (``bot.storage.migrate``)."""
    engine = create_engine(settings.database_url)
    repository = Repository(session_factory(engine))
    service = emotions or EmotionService.load(
        settings.text_model_dir, settings.face_model_dir, timeout_s=settings.model_timeout_s
    )
    writer = None
    if settings.llm_url:
        writer = LlmWriter(
            settings.llm_url,
            settings.llm_model,
            settings.llm_api_key,
            timeout_s=settings.llm_timeout_s,
        )
    risk = RiskScreen.load(settings.risk_model_dir)
    options = CoreOptions.from_settings(settings)
    commands = default_commands()  # every family's commands, for every adapter
    core = Core(repository, service, options, writer=writer, risk=risk, commands=commands)
    return App(settings, engine, repository, service, core, writer=writer, risk=risk)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, for a server to wait on before it closes cleanly.

    Call it inside the running loop. Where the loop cannot take signal handlers (Windows),
    Ctrl+C still raises KeyboardInterrupt as usual.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
