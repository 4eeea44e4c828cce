"""Shared fixtures: a migrated database (SQLite in a temp folder, or PostgreSQL) and an app
wired to it.

``db_url`` is SQLite unless the test (or its module) says
``@pytest.mark.backends("sqlite", "postgresql")``: then it runs once per backend, the
PostgreSQL run in a schema of its own built by the migrations (``tests/backends.py``) and
dropped afterwards. When no PostgreSQL server answers, those runs are skipped with
one reason, and the session's first and last lines say so.

Every test also fails when a logger under ``bot`` logs at ERROR or above while it runs
(``fail_on_bot_errors``): the core turns any crash into a kind apology and one ERROR line, so
without this a test that only looks at the reply passes while the code behind it crashes. A
test that provokes an error on purpose says so with ``@pytest.mark.allow_error_logs``.

The expensive parts are made once a session, each test keeping its own state:
``_migrated_sqlite`` runs the migrations once and ``db_url`` hands every SQLite test a copy;
``one_risk_classifier`` loads the committed risk classifier once for every app
``bot.app.build_app`` wires (4 s a load; the adapter tests build about twenty), and
``tests/shared_models.py`` does the same for the other models.
"""

from __future__ import annotations

import functools
import logging
import shutil
from collections.abc import AsyncIterator, Generator, Iterator
from pathlib import Path

import pytest

from bot import risk
from bot.storage import migrate
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.tflog import quiet_tensorflow
from tests import backends, shared_models

quiet_tensorflow()  # conftest loads before any test module imports TensorFlow

REPO_ROOT = Path(__file__).resolve().parent.parent
_HERE = Path(__file__)


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


@pytest.fixture(autouse=True, scope="session")
def one_risk_classifier() -> Iterator[None]:
    """``RiskScreen.load`` of the committed classifier (no folder given: what ``build_app``
    does unless ``ATTUNE_RISK_MODEL_DIR`` is set) hands out one classifier loaded once a session
    (``tests.shared_models``) instead of loading it again. A folder given is loaded as before:
    the tests of missing or broken models keep their own load and its warning."""
    load = risk.load_risk_classifier

    def load_once(model_dir: Path | None = None) -> risk.RiskClassifier | None:
        return shared_models.risk_classifier() if model_dir is None else load(model_dir)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(risk, "load_risk_classifier", load_once)
        yield


@functools.cache
def postgres_server() -> backends.Server | str:
    """The PostgreSQL server the tests use, or why there is none (probed once a session)."""
    return backends.find_server()


def _postgres_line() -> str:
    server = postgres_server()
    if isinstance(server, str):
        return f"{server} -- the PostgreSQL runs of the storage and core tests are skipped"
    return (
        f"PostgreSQL {server.version} at {backends.where(server.url)} as {server.url.username}: "
        "the storage and core tests run on SQLite and on PostgreSQL"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "backends(*names): run the test once per database backend named "
        "('sqlite', 'postgresql'); without it db_url is SQLite (tests/conftest.py)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return _postgres_line()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # Also at the end: ``pytest -q`` (``make test``) prints no header.
    terminalreporter.write_line(_postgres_line())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Every PostgreSQL run skipped for want of a server is reported at one place, so ``-ra``
    # folds them into one line with their count instead of one line per test.
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2]
        here = [e for e in (call.excinfo.traceback if call.excinfo else []) if e.path == _HERE]
        if here and reason.startswith("Skipped: PostgreSQL not reachable"):
            report.longrepr = (str(_HERE), here[-1].lineno + 1, reason)
    return report


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is None or "backend" not in metafunc.fixturenames:
        return
    unknown = set(marker.args) - set(backends.BACKENDS)
    if unknown or not marker.args:
        raise pytest.UsageError(f"backends() takes names from {backends.BACKENDS}: {marker.args}")
    metafunc.parametrize("backend", marker.args, indirect=True)


@pytest.fixture()
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this run: ``"sqlite"`` or ``"postgresql"`` (skipped, with the
    reason, when no PostgreSQL server answers)."""
    name: str = getattr(request, "param", backends.SQLITE)
    if name == backends.POSTGRESQL and isinstance(postgres_server(), str):
        pytest.skip(str(postgres_server()))
    return name


def _server() -> backends.Server:
    server = postgres_server()
    assert not isinstance(server, str), server
    return server


@pytest.fixture(scope="session")
def _postgres_schemas() -> Iterator[backends.SchemaPool]:
    """The session's PostgreSQL database, holding one schema per test (built from the
    migrations' SQL, ahead of time); the database is dropped at the end."""
    server = _server()
    name = backends.new_database_name()
    backends.create_database(server, name)
    try:
        pool = backends.SchemaPool(server, name, backends.migration_sql(server))
        try:
            yield pool
        finally:
            pool.close()
    finally:
        backends.drop_database(server, name)


@pytest.fixture()
def blank_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database (no migrations run) on ``backend``, dropped afterwards."""
    if backend == backends.SQLITE:
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'attune.db'}"
        return
    server = _server()
    name = backends.new_database_name()
    backends.create_database(server, name)
    try:
        yield server.database_url(name)
    finally:
        backends.drop_database(server, name)


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations brought to head, once a session (0.07-0.3 s a run here,
    and a few hundred tests take one); ``db_url`` hands each test a copy of its own. Nothing
    else opens it: after the migrations' last connection closed, the whole database is in
    this one file (no ``-wal`` beside it)."""
    path = tmp_path_factory.mktemp("migrated") / "attune.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    leftovers = sorted(p.name for p in path.parent.iterdir() if p != path)
    assert not leftovers, f"the migrated database is not one file: {leftovers}"
    return path


@pytest.fixture()
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database migrated to head: a SQLite file in ``tmp_path`` (a copy of the session's
    ``_migrated_sqlite``), or on PostgreSQL a schema of this test's own
    (``tests/backends.py``), dropped afterwards."""
    if backend == backends.SQLITE:
        path = tmp_path / "attune.db"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    schemas: backends.SchemaPool = request.getfixturevalue("_postgres_schemas")
    url = schemas.take()
    try:
        yield url
    finally:
        schemas.give_back(url)


@pytest.fixture()
async def repository(db_url: str) -> AsyncIterator[Repository]:
    engine = create_engine(db_url)
    yield Repository(session_factory(engine))
    await engine.dispose()
