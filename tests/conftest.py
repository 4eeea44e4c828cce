"""Shared fixtures: a migrated SQLite database in a temp folder and an app wired to it.

Every test also fails when a logger under ``bot`` logs at ERROR or above while it runs
(``fail_on_bot_errors``): the core turns any crash into a kind apology and one ERROR line, so
without this a test that only looks at the reply passes while the code behind it crashes. A
test that provokes an error on purpose says so with ``@pytest.mark.allow_error_logs``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage import migrate
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.tflog import quiet_tensorflow

quiet_tensorflow()  # conftest loads before any test module imports TensorFlow

REPO_ROOT = Path(__file__).resolve().parent.parent


class _ErrorRecords(logging.Handler):
    """Keeps every record at ERROR or above that reaches it."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _describe(record: logging.LogRecord) -> str:
    line = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[0] is not None:
        line += f" [{record.exc_info[0].__name__}: {record.exc_info[1]}]"
    return line


@pytest.fixture(autouse=True)
def fail_on_bot_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if a ``bot`` logger logs at ERROR or above during it (set-up and teardown
    of its other fixtures included: this fixture is set up first and torn down last).

    The handler sits on the ``bot`` logger itself, so neither the root logger's level nor
    pytest's log capture decides what it sees. Opt out with ``@pytest.mark.allow_error_logs``.
    """
    handler = _ErrorRecords()
    logger = logging.getLogger("bot")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("allow_error_logs") is None:
        lines = "\n".join(_describe(record) for record in handler.records)
        pytest.fail(
            f"bot logged {len(handler.records)} error(s) during the test; if the test provokes "
            f"them on purpose, mark it @pytest.mark.allow_error_logs:\n{lines}",
            pytrace=False,
        )


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
