"""One web demo per test module, served in-process on a free 127.0.0.1 port.

The core gets its own event loop in a background thread (as under ``python -m bot web``), so
the tests can drive the page with blocking clients — ``gradio_client`` and Selenium — without
starving the loop that answers them. Words are read by the lexicon (fast, no model load); photos
by the real face reader when it loads, else photo tests skip and say why.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.importorskip("gradio", reason="the web extra is not installed (make test installs it)")

from bot.adapters.web import WebAdapter
from bot.app import App, build_app
from bot.config import load_settings
from bot.domain import MoodEntry, Platform, UserRef
from bot.inference import EmotionService
from bot.storage import migrate
from emotion.photo import PhotoReader
from emotion.text.lexicon import LexiconEstimator

T = TypeVar("T")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def grace_hopper_path() -> Path:
    import matplotlib.cbook

    return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def face_reader() -> tuple[PhotoReader | None, str]:
    """The real face reader, or None and the reason it is not there."""
    try:
        import emotion.face.reader  # noqa: F401
    except ImportError:
        return None, "emotion.face.reader is not there yet: no real face reader to test with"
    from tests.shared_models import photo_reader

    reader = photo_reader()  # loaded once a session (tests/shared_models.py)
    if reader is None:
        return None, "the face reader did not load a model (see its warning); photos not testable"
    return reader, ""


@dataclass
class Demo:
    """A running demo: its URL, the app behind it, and a way to run coroutines on its loop."""

    url: str
    app: App
    adapter: WebAdapter
    loop: asyncio.AbstractEventLoop
    reads_photos: bool
    no_photo_reason: str
    _stop: asyncio.Event = field(repr=False)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def entries(self, name: str, limit: int = 50) -> list[MoodEntry]:
        async def read() -> list[MoodEntry]:
            user = await self.app.repository.find_user(UserRef(Platform.WEB, name.casefold()))
            return [] if user is None else await self.app.repository.recent_entries(user.id, limit)

        return self.run(read())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite+aiosqlite:///{folder / 'attune.db'}"
    migrate.upgrade(url)
    settings = load_settings(database_url=url, max_image_bytes=2 * 1024 * 1024)
    reader, reason = face_reader()
    ready: Future[Demo] = Future()

    async def serve() -> None:
        app = build_app(settings, EmotionService(LexiconEstimator(), reader))
        adapter = WebAdapter(app, port=free_port())
        stop = asyncio.Event()
        try:
            await adapter.start()
            loop = asyncio.get_running_loop()
            ready.set_result(
                Demo(adapter.url, app, adapter, loop, reader is not None, reason, stop)
            )
            await stop.wait()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            raise
        finally:
            await adapter.stop()
            await app.close()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="web-demo", daemon=True)
    thread.start()
    running = ready.result(timeout=120)
    yield running
    running.loop.call_soon_threadsafe(running._stop.set)
    thread.join(timeout=60)
