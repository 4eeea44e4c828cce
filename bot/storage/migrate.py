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


#: ``Config.attributes`` key: the env finds out by a read whether the schema is already at head
#: and then writes nothing (a foreign write lock must not stop attune from starting).
SKIP_WHEN_CURRENT = "attune_skip_when_current"


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the schema to ``revision``; a database already at head is only read."""
    ensure_sqlite_folder(url)
    config = alembic_config(url)
    config.attributes[SKIP_WHEN_CURRENT] = revision == "head"
    command.upgrade(config, revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise if the ORM models and the migrated schema differ."""
    command.check(alembic_config(url))
