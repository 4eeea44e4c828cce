"""The web demo: a local Gradio page over the same core (``make demo``, ``python -m bot web``).

Like the paper attune comes from, a person types text or gives a photo and sees the emotions
read from it — here beside attune's reply. The page is another adapter: every answer comes
from ``Core.handle`` (chat, /why, /mood, /export, /forget); the adapter only turns page
values into ``Message``s and ``Reply``s and stored entries into charts.

This module runs the page (``WebAdapter``: start, serve, stop; ``serve_web``); beside it, one
job a module: the layout and its events (``web_page``), what the events do (``web_handlers``),
the core's side and the uploads (``web_turns``), the live tab (``web_live``), rendering
(``web_render``) and who may call (``web_guard``).

Threads and loops: the core (SQLAlchemy async engine, model executor) lives on the event loop
that called ``start()``; Gradio serves from its own thread and loop. Each page event hands its
coroutine to the core's loop (``WebCore.on_core``, ``run_coroutine_threadsafe``) and awaits the
result, so neither loop blocks the other and the core is only ever used from one loop.

Private and offline by default: binds to 127.0.0.1 and answers only requests addressed to it
(Host and, for calls that change something, Origin: see ``web_guard``), no share link,
Gradio's analytics and its run history (which would keep what people typed in the browser)
are off, the default theme's fonts are bundled. Uploaded photos land in Gradio's cache
folder — a private temporary folder per run here — and are read into memory and deleted at
once; pictures and downloads go back inside the page as ``data:`` URIs, so nothing of the
user's is written to disk but the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
from typing import TYPE_CHECKING

from bot.adapters.web_guard import guard_middleware
from bot.adapters.web_handlers import PageHandlers
from bot.adapters.web_live import LiveReader
from bot.adapters.web_page import CSS, build_page
from bot.adapters.web_turns import WebCore
from bot.app import App
from bot.config import Settings

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class WebAdapter:
    """Serves the demo page; ``start()`` returns once it answers, ``stop()`` closes it."""

    name = "web"

    def __init__(self, app: App, *, port: int, host: str = HOST) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._max_bytes = app.settings.max_image_bytes
        self._blocks: gr.Blocks | None = None
        self._tmp: str | None = None
        self._previous_tmp: str | None = None
        #: The live tab's frame reader (set when the page is built).
        self.live: LiveReader | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}/"

    @property
    def upload_dir(self) -> str | None:
        """Gradio's cache folder for this run (uploads land here briefly); None when stopped."""
        return self._tmp

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._tmp = tempfile.mkdtemp(prefix="attune-web-")
        self._previous_tmp = os.environ.get("GRADIO_TEMP_DIR")
        # Before gradio is imported: no telemetry, no version check, uploads in our folder.
        os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
        os.environ["GRADIO_TEMP_DIR"] = self._tmp
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        core = WebCore(self._app, asyncio.get_running_loop())
        handlers = PageHandlers(core, max_bytes=self._max_bytes, upload_dir=self._tmp)
        blocks, self.live = await asyncio.to_thread(build_page, handlers, core.send_moment)
        await asyncio.to_thread(self._launch, blocks)
        self._blocks = blocks
        log.info("web demo at %s (only this computer can reach it)", self.url)

    def _launch(self, blocks: gr.Blocks) -> None:
        blocks.queue(default_concurrency_limit=2)
        blocks.launch(
            server_name=self._host,
            server_port=self._port,
            share=False,
            prevent_thread_lock=True,
            quiet=True,
            show_error=False,
            max_file_size=self._max_bytes,
            ssr_mode=False,
            pwa=False,
            mcp_server=False,
            enable_monitoring=False,
            run_history=False,
            footer_links=["api"],
            css=CSS,
            # Only this computer's own address, never a rebound foreign name (web_guard).
            app_kwargs={"middleware": guard_middleware(self._host, self._port)},
        )

    async def stop(self) -> None:
        blocks, self._blocks = self._blocks, None
        if blocks is not None:
            await asyncio.to_thread(blocks.close)
        if self._tmp is not None:
            await asyncio.to_thread(shutil.rmtree, self._tmp, True)
            self._tmp = None
        if self._previous_tmp is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = self._previous_tmp


async def serve_web(settings: Settings) -> None:
    """``python -m bot web``: build the app, serve the page until SIGINT/SIGTERM, close."""
    from bot.app import build_app, stop_on_signals

    try:
        import gradio  # noqa: F401
    except ImportError:
        raise SystemExit(
            "attune: the web demo needs Gradio: `make demo` installs it (the attune[web] extra)"
        ) from None
    app = build_app(settings)
    stop = stop_on_signals()
    adapter = WebAdapter(app, port=settings.web_port)
    try:
        try:
            await adapter.start()
        except OSError as error:
            raise SystemExit(
                f"attune: cannot serve on {adapter.url} — is the port busy (the demo already "
                "running)? Another port: ATTUNE_WEB_PORT=8080 make demo"
                f" [{type(error).__name__}]"
            ) from None
        print(f"attune web demo: open {adapter.url} in your browser (Ctrl+C stops it)", flush=True)
        await stop.wait()
    finally:
        await adapter.stop()
        await app.close()
