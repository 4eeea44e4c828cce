"""Composition root: builds the storage, the models and the core from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.core import Core, CoreOptions
from bot.inference import EmotionService
from bot.notify import Notifiers
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

    async def close(self) -> None:
        self.emotions.close()
        await self.repository.close()
        await self.engine.dispose()


def build_app(settings: Settings, emotions: EmotionService | None = None) -> App:
    """Wire everything; the schema must already be migrated (``bot.storage.migrate``)."""
    engine = create_engine(settings.database_url)
    repository = Repository(session_factory(engine))
    service = emotions or EmotionService.load(
        settings.text_model_dir, settings.face_model_dir, timeout_s=settings.model_timeout_s
    )
    core = Core(repository, service, CoreOptions.from_settings(settings))
    return App(settings, engine, repository, service, core)
