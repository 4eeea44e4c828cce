"""Run Alembic from code: upgrade before serving, check and downgrade for tests.

These are synchronous (Alembic's async env runs its own event loop), so they are called
before the application's loop starts, or from a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from bot.storage.engine import ensure_sqlite_folder


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise if the ORM models and the migrated schema differ."""
    command.check(alembic_config(url))
