"""Shared fixtures: a migrated SQLite database in a temp folder and an app wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import migrate
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.tflog import quiet_tensorflow

quiet_tensorflow()  # conftest loads before any test module imports TensorFlow

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def db_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'attune.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture()
async def repository(db_url: str) -> AsyncIterator[Repository]:
    engine = create_engine(db_url)
    yield Repository(session_factory(engine))
    await engine.dispose()
