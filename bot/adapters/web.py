"""The web demo: a local Gradio page over the same core (``make demo``, ``python -m bot web``).

Like the paper attune comes from, a person types text or gives a photo and sees the emotions
read from it — here beside attune's reply. The page is another adapter: every answer comes
from ``Core.handle`` (chat, /why, /mood, /export, /forget); the adapter only turns page
values into ``Message``s and ``Reply``s and stored entries into charts.

Threads and loops: the core (SQLAlchemy async engine, model executor) lives on the event loop
that called ``start()``; Gradio serves from its own thread and loop. Each page event hands its
coroutine to the core's loop with ``run_coroutine_threadsafe`` and awaits the result, so
neither loop blocks the other and the core is only ever used from one loop.

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
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.adapters.web_guard import guard_middleware
from bot.adapters.web_live import LiveReader, build_live_tab
from bot.adapters.web_render import (
    HISTORY_HEADERS,
    chart_html,
    clean_name,
    downloads_html,
    history_rows,
    label_value,
    photo_html,
    summary_markdown,
)
from bot.app import App
from bot.config import Settings
from bot.domain import Choice, Message, MoodEntry, Platform, Reply, UserRef
from bot.explain import why_text
from bot.mood.timezones import zone_or_utc
from emotion.photo import PhotoProblem, PhotoReading
from responses.risk_state import RiskState

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger(__name__)
T = TypeVar("T")

HOST = "127.0.0.1"
IMAGE_TYPES = [".jpg", ".jpeg", ".png", ".webp"]
HISTORY_ROWS = 50

INTRO = (
    "## attune — how do you feel today?\n"
    "Write a message and, if you like, add a photo of your face: attune reads the emotion in "
    "your words and your expression, shows what it read as bars, and answers. "
    "**Everything runs on this computer; nothing is sent to the internet.** "
    "It keeps your messages and the emotions it read, under the name you choose, in a local "
    "database — photos are read in memory and never stored. The *Your mood* tab shows your "
    "history, downloads it, or erases it."
)
NAME_NOTE = (
    "Your name is how attune finds your history on this computer (it is not an account: "
    "anyone here who types the same name sees the same history)."
)
NEED_NAME = "Please type your name in the box at the top first, so I know whose mood this is."
NEED_SOMETHING = "Write a message or add a photo first."
BLANK_CHOICE = "—"


@dataclass(frozen=True, slots=True)
class ChatResult:
    """One chat turn as the page shows it."""

    reply: Reply
    entry: MoodEntry | None
    explanation: str
    reading: PhotoReading | None


@dataclass(frozen=True, slots=True)
class PhotoInput:
    data: bytes | None
    problem: PhotoProblem | None


def read_upload(path: str | None, max_bytes: int, root: str | None = None) -> PhotoInput:
    """Read an uploaded photo into memory and delete Gradio's copy of it.

    Gradio keeps each upload in a folder of its own under ``root`` (its cache); that folder
    goes too when it is empty, ``root`` itself never. Reads one byte past the limit so an
    oversized file is refused without being held whole. Blocking: call it off the event loop.
    """
    if not path:
        return PhotoInput(None, None)
    file = Path(path)
    try:
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return PhotoInput(None, PhotoProblem.NOT_AN_IMAGE)
    finally:
        with contextlib.suppress(OSError):
            file.unlink()
        if root is None or file.parent.resolve() != Path(root).resolve():
            with contextlib.suppress(OSError):
                file.parent.rmdir()  # only when empty
    if len(data) > max_bytes:
        return PhotoInput(None, PhotoProblem.TOO_LARGE)
    return PhotoInput(data, None)


def user_ref(name: str) -> UserRef:
    """The demo's user: the chosen name (case-insensitive) is the key, as typed it greets."""
    return UserRef(Platform.WEB, name.casefold(), display_name=name)


def _choice_updates(choices: tuple[Choice, ...]) -> list[dict[str, Any]]:
    import gradio as gr

    updates: list[dict[str, Any]] = []
    for index in range(2):
        if index < len(choices):
            updates.append(gr.update(value=choices[index].label, visible=True))
        else:
            updates.append(gr.update(value=BLANK_CHOICE, visible=False))
    return updates


class WebAdapter:
    """Serves the demo page; ``start()`` returns once it answers, ``stop()`` closes it."""

    name = "web"

    def __init__(self, app: App, *, port: int, host: str = HOST) -> None:
        self._app = app
        self._core = app.core
        self._host = host
        self._port = port
        self._max_bytes = app.settings.max_image_bytes
        self._loop: asyncio.AbstractEventLoop | None = None
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
        self._loop = asyncio.get_running_loop()
        self._tmp = tempfile.mkdtemp(prefix="attune-web-")
        self._previous_tmp = os.environ.get("GRADIO_TEMP_DIR")
        # Before gradio is imported: no telemetry, no version check, uploads in our folder.
        os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
        os.environ["GRADIO_TEMP_DIR"] = self._tmp
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        blocks = await asyncio.to_thread(self._build)
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

    # ---- the core's side (runs on the core's loop) -----------------------------------------

    async def _on_core(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the core's loop and wait for it without blocking Gradio's loop."""
        assert self._loop is not None, "start() first"
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def chat(self, name: str, text: str, photo: PhotoInput) -> ChatResult:
        """One message through the core; the entry it stored (if any) and /why beside it."""
        ref = user_ref(name)
        message = Message(
            user=ref,
            chat_id=f"web:{ref.user_id}",
            text=text,
            photo=photo.data,
            photo_problem=photo.problem,
        )
        answer = await self._core.handle_turn(message)
        report = answer.report
        if report.entry is None:
            return ChatResult(answer.reply, None, "", report.photo)
        state = report.risk_state or RiskState()
        why = why_text(report.entry, state, report.at or datetime.now(UTC))
        return ChatResult(answer.reply, report.entry, why, report.photo)

    async def _send_moment(self, name: str, text: str, data: bytes) -> str:
        """A live frame (JPEG bytes) sent as a photo message; the reply's text."""
        result = await self._on_core(self.chat(name, text, PhotoInput(data, None)))
        return result.reply.text

    async def command(self, name: str, text: str) -> Reply:
        ref = user_ref(name)
        return await self._core.handle(Message(user=ref, chat_id=f"web:{ref.user_id}", text=text))

    async def history(self, name: str) -> list[list[str]]:
        user = await self._app.repository.find_user(user_ref(name))
        if user is None:
            return []
        entries = await self._app.repository.recent_entries(user.id, HISTORY_ROWS)
        settings = await self._app.repository.get_settings(user.id)
        return history_rows(entries, zone_or_utc(settings.timezone if settings else None))

    # ---- the page (Gradio objects stop here) -----------------------------------------------

    def _build(self) -> gr.Blocks:
        import gradio as gr

        # delete_cache: an upload that is never sent is still gone within the hour.
        blocks = gr.Blocks(
            title="attune — web demo", analytics_enabled=False, delete_cache=(600, 3600)
        )
        with blocks:
            gr.Markdown(INTRO, elem_id="intro")
            name_state = gr.State("")
            with gr.Row():
                name_box = gr.Textbox(
                    label="Your name",
                    placeholder="e.g. Ada",
                    max_lines=1,
                    scale=1,
                    elem_id="name",
                )
                gr.Markdown(NAME_NOTE, elem_id="name-note")
            with gr.Tab("Chat", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            height=300,
                            elem_id="conversation",
                            feedback_options=None,
                            buttons=["copy"],
                        )
                        text_box = gr.Textbox(
                            label="Your message",
                            placeholder="How was your day?",
                            lines=2,
                            elem_id="message",
                        )
                        with gr.Row():
                            upload = gr.File(
                                label="Photo (optional: JPEG, PNG or WebP)",
                                file_types=IMAGE_TYPES,
                                type="filepath",
                                height=170,
                                elem_id="photo",
                            )
                            webcam = gr.Image(
                                label="…or a webcam snapshot",
                                sources=["webcam"],
                                type="filepath",
                                image_mode=None,
                                height=170,
                                elem_id="webcam",
                            )
                        send = gr.Button("Send", variant="primary", elem_id="send")
                        with gr.Row():
                            choice_a = gr.Button(BLANK_CHOICE, visible=False, size="sm")
                            choice_b = gr.Button(BLANK_CHOICE, visible=False, size="sm")
                        choices_state = gr.State([])
                    with gr.Column(scale=4):
                        gr.Markdown("### What attune read from your last message")
                        fused = gr.Label(
                            label="Overall (words + face + your recent mood)",
                            num_top_classes=7,
                            elem_id="fused",
                        )
                        with gr.Row():
                            words = gr.Label(label="Words", num_top_classes=7, elem_id="words")
                            face = gr.Label(label="Face", num_top_classes=7, elem_id="face")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2):
                        photo = gr.HTML(elem_id="photo-boxes")
                    with gr.Column(scale=3):
                        verdict = gr.Markdown(elem_id="verdict", line_breaks=True)
            with gr.Tab("Live", id="live"):
                self.live = build_live_tab(gr, name_box, self._send_moment, clean_name)
            with gr.Tab("Your mood", id="mood"):
                gr.Markdown(
                    "Your mood over time, as /mood shows it; every entry attune keeps about you; "
                    "a download of all of it; and a button that erases all of it."
                )
                with gr.Row():
                    period = gr.Radio(
                        ["week", "month", "all"], value="week", label="Period", scale=2
                    )
                    show = gr.Button("Show my mood", variant="primary", scale=1)
                mood_text = gr.Markdown(elem_id="mood-text", line_breaks=True)
                chart = gr.HTML(elem_id="mood-chart")
                table = gr.Dataframe(
                    headers=HISTORY_HEADERS,
                    label=(
                        f"Your entries (newest first, up to {HISTORY_ROWS}; times in UTC "
                        "unless you set yours with /timezone in the chat)"
                    ),
                    interactive=False,
                    wrap=True,
                    elem_id="history",
                )
                with gr.Row():
                    export = gr.Button("Download my data (JSON and CSV)")
                    forget = gr.Button("Erase everything…", variant="stop")
                data_text = gr.Markdown(elem_id="data-text", line_breaks=True)
                downloads = gr.HTML(elem_id="downloads")
                with gr.Row():
                    confirm = gr.Button(BLANK_CHOICE, visible=False, variant="stop")
                    cancel = gr.Button(BLANK_CHOICE, visible=False)
                forget_state = gr.State([])

            def pick_name(raw: str) -> str:
                return clean_name(raw)

            name_box.change(pick_name, [name_box], [name_state], api_visibility="private")

            async def on_send(
                raw_name: str,
                current: str,
                text: str,
                upload_path: str | None,
                webcam_path: str | None,
                history: list[dict[str, Any]] | None,
            ) -> tuple[Any, ...]:
                name = clean_name(raw_name) or current
                history = list(history or [])
                keep = tuple(gr.update() for _ in range(8))  # inputs and panels as they are
                if not name or not (text.strip() or upload_path or webcam_path):
                    notice = NEED_NAME if not name else NEED_SOMETHING
                    history.append({"role": "assistant", "content": notice})
                    return (history, *keep, name, *_choice_updates(()), [])
                # Both are read (and so deleted); an uploaded file wins over a snapshot.
                photos = [
                    await asyncio.to_thread(read_upload, p, self._max_bytes, self._tmp)
                    for p in (upload_path, webcam_path)
                    if p
                ]
                chosen = photos[0] if photos else PhotoInput(None, None)
                result = await self._on_core(self.chat(name, text, chosen))
                shown = text.strip() or ""
                if chosen.data is not None or chosen.problem is not None:
                    shown = (shown + "\n\n" if shown else "") + "*(photo attached)*"
                history.append({"role": "user", "content": shown})
                if not result.reply.duplicate and result.reply.text:
                    history.append({"role": "assistant", "content": result.reply.text})
                entry = result.entry
                payloads = [c.payload for c in result.reply.choices]
                if entry is None:
                    panels: tuple[Any, ...] = (
                        None,
                        None,
                        None,
                        summary_markdown(None, ""),
                        "",
                    )
                else:
                    panels = (
                        label_value(entry.text_probs),
                        label_value(entry.face_probs),
                        label_value(entry.fused_probs),
                        summary_markdown(entry, result.explanation),
                        await asyncio.to_thread(photo_html, chosen.data, result.reading),
                    )
                return (
                    history,
                    "",
                    None,
                    None,
                    *panels,
                    name,
                    *_choice_updates(result.reply.choices),
                    payloads,
                )

            send_outputs = [
                chatbot,
                text_box,
                upload,
                webcam,
                words,
                face,
                fused,
                verdict,
                photo,
                name_state,
                choice_a,
                choice_b,
                choices_state,
            ]
            send_inputs = [name_box, name_state, text_box, upload, webcam, chatbot]
            send.click(on_send, send_inputs, send_outputs, api_name="send")
            text_box.submit(on_send, send_inputs, send_outputs, api_visibility="private")

            async def on_choice(
                index: int, current: str, payloads: list[str], history: list[dict[str, Any]] | None
            ) -> tuple[Any, ...]:
                history = list(history or [])
                if not current or index >= len(payloads):
                    return (history, *_choice_updates(()), [])
                reply = await self._on_core(self.command(current, payloads[index]))
                history.append({"role": "assistant", "content": reply.text})
                return (
                    history,
                    *_choice_updates(reply.choices),
                    [c.payload for c in reply.choices],
                )

            async def on_choice_a(
                current: str, payloads: list[str], history: list[dict[str, Any]] | None
            ) -> tuple[Any, ...]:
                return await on_choice(0, current, payloads, history)

            async def on_choice_b(
                current: str, payloads: list[str], history: list[dict[str, Any]] | None
            ) -> tuple[Any, ...]:
                return await on_choice(1, current, payloads, history)

            choice_inputs = [name_state, choices_state, chatbot]
            choice_outputs = [chatbot, choice_a, choice_b, choices_state]
            choice_a.click(on_choice_a, choice_inputs, choice_outputs, api_visibility="private")
            choice_b.click(on_choice_b, choice_inputs, choice_outputs, api_visibility="private")

            # ---- mood tab ---------------------------------------------------------------

            async def on_mood(current: str, chosen_period: str) -> tuple[Any, ...]:
                if not current:
                    return NEED_NAME, "", []
                reply = await self._on_core(self.command(current, f"/mood {chosen_period}"))
                rows = await self._on_core(self.history(current))
                return reply.text, chart_html(reply), rows

            show.click(on_mood, [name_state, period], [mood_text, chart, table], api_name="mood")

            async def on_export(current: str) -> tuple[str, str]:
                if not current:
                    return NEED_NAME, ""
                reply = await self._on_core(self.command(current, "/export"))
                return reply.text, downloads_html(reply.files)

            export.click(on_export, [name_state], [data_text, downloads], api_name="export")

            async def on_forget(current: str) -> tuple[Any, ...]:
                if not current:
                    return (NEED_NAME, "", *_choice_updates(()), [])
                reply = await self._on_core(self.command(current, "/forget"))
                payloads = [c.payload for c in reply.choices]
                return (reply.text, "", *_choice_updates(reply.choices), payloads)

            forget.click(
                on_forget,
                [name_state],
                [data_text, downloads, confirm, cancel, forget_state],
                api_name="forget",
            )

            async def on_forget_answer(
                index: int, current: str, payloads: list[str]
            ) -> tuple[Any, ...]:
                if not current or index >= len(payloads):
                    return (gr.update(), *_choice_updates(()), [], gr.update(), gr.update(), [])
                reply = await self._on_core(self.command(current, payloads[index]))
                rows = await self._on_core(self.history(current))
                return (reply.text, *_choice_updates(()), [], "", "", rows)

            async def on_confirm(current: str, payloads: list[str]) -> tuple[Any, ...]:
                return await on_forget_answer(0, current, payloads)

            async def on_cancel(current: str, payloads: list[str]) -> tuple[Any, ...]:
                return await on_forget_answer(1, current, payloads)

            answer_outputs = [data_text, confirm, cancel, forget_state, mood_text, chart, table]
            confirm.click(
                on_confirm, [name_state, forget_state], answer_outputs, api_name="forget_confirm"
            )
            cancel.click(
                on_cancel, [name_state, forget_state], answer_outputs, api_name="forget_cancel"
            )
        return blocks


CSS = """
#intro { margin-bottom: 0.25rem; }
#name-note { font-size: 0.9em; opacity: 0.8; align-self: center; }
.attune-photo { margin: 0; }
.attune-photo img { max-height: 360px; width: auto; }
.attune-photo figcaption { font-size: 0.9em; opacity: 0.8; }
"""


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
