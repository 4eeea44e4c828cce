"""The real PTB stack and the real core against the fake Bot API server, built once per module.

Each test takes fresh users (``harness.user()``) so tests sharing the module's bot never see
each other's chats. The emotion service is the lexicon without a face reader unless a test
module asks for the real one (``real_emotions``).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram_limits import Limits
from bot.app import App, build_app
from bot.config import Settings, load_settings
from bot.inference import EmotionService
from bot.storage import migrate
from emotion.text.lexicon import LexiconEstimator
from tests.bot.adapters.telegram.fake_api import FakeChat, FakeTelegram, FakeUser

TOKEN = "123456789:AAtest-token-never-in-logs-0123456789"
#: Retries back off quickly here; the limits themselves are Telegram's.
TEST_LIMITS = Limits(backoff_s=0.05, max_backoff_s=0.2)


@dataclass
class Harness:
    fake: FakeTelegram
    app: App
    adapter: TelegramAdapter
    settings: Settings
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(100))

    def user(self, name: str = "Ada") -> FakeUser:
        return FakeUser(next(self._ids), name)

    def group(self) -> FakeChat:
        return FakeChat.group(-100_000 - next(self._ids))

    async def quiet(self, seconds: float = 0.6) -> None:
        """Give the bot time to (wrongly) send more, before asserting nothing more came."""
        await asyncio.sleep(seconds)


async def telegram_settings(fake: FakeTelegram, db: Path, **extra: object) -> Settings:
    """Settings for a bot on the fake server, with a migrated database at ``db``."""
    url = f"sqlite+aiosqlite:///{db}"
    await asyncio.to_thread(migrate.upgrade, url)  # Alembic's async env runs its own loop
    return load_settings(
        _env_file=None,
        telegram_token=TOKEN,
        telegram_api_url=fake.url,
        database_url=url,
        **extra,
    )


async def start_harness(
    db: Path, emotions: EmotionService | None = None, **extra: object
) -> Harness:
    fake = FakeTelegram(TOKEN)
    await fake.start()
    settings = await telegram_settings(fake, db, **extra)
    app = build_app(settings, emotions or EmotionService(LexiconEstimator(), None))
    adapter = TelegramAdapter(
        app.core,
        settings,
        poll_timeout_s=1,
        album_window_s=0.3,
        limits=TEST_LIMITS,
        notifiers=app.notifiers,
    )
    await adapter.start()
    return Harness(fake, app, adapter, settings)


async def stop_harness(harness: Harness) -> None:
    await harness.adapter.stop()
    await harness.app.close()
    await harness.fake.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def harness(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    running = await start_harness(tmp_path_factory.mktemp("telegram") / "attune.db")
    yield running
    await stop_harness(running)
