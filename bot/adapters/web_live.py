"""The web demo's live tab: a streaming webcam with boxes and emotion labels drawn on each frame,
a rolling chart of the last minute, and "send this moment" to make a frame a message.

Frames stream from the browser through Gradio's streaming ``Image`` (``stream_every`` ~15 a
second) into one long-running streaming event per browser tab: the first frame starts it, each
later frame is posted to it (``/stream/{event_id}``) and replaces the one waiting there, and the
handler is called again with the newest frame as soon as it has answered the last. So under load
frames are dropped, never queued: the picture never lags behind.

The stream must keep Gradio's own trigger mode for streams ("multiple"): with "always_last"
the page defers every frame after the first until the event ends — and a stream's event only
ends when the camera stops — so the handler saw the first frame only (Gradio 6.31's
``Blocks`` dispatch: a deferred trigger never reaches ``send_chunk``).

Each tab's stream holds one of the event's ``LIVE_TABS`` slots while it runs; reading happens in
worker threads with the live view's own models (its own face reader and detector, so the bot's
model thread is never shared), one frame at a time under a lock. Frames are held in memory only:
the last one, for "send this moment", in the browser session's state.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from emotion.labels import EmotionEstimate

if TYPE_CHECKING:
    import gradio as gr

    from emotion.face.live import LiveAnnotator, LiveTimeline

log = logging.getLogger(__name__)

#: Seconds between frames the browser sends (about 15 a second).
STREAM_EVERY_S = 1 / 15
#: Seconds between redraws of the chart: the minute it spans barely moves in a frame's time,
#: and each redraw is one more image for the server to encode and the page to fetch.
CHART_EVERY_S = 0.5
#: Browser tabs streaming at once: a stream holds its slot until the camera stops, so a limit
#: of one would keep a second tab waiting for the first to stop. The lock shares the models.
LIVE_TABS = 4
MOMENT_NEEDS_FRAME = "Start the camera first: there is no moment to send yet."
NO_FRAME_YET = "<p>Start the camera: what attune sees appears here.</p>"


@dataclass
class LiveSession:
    """One browser tab's live state: its timeline and the last raw frame (for "send")."""

    timeline: LiveTimeline | None = None
    last_frame: npt.NDArray[np.uint8] | None = field(default=None, repr=False)
    last_estimate: EmotionEstimate | None = None
    #: When the chart was last drawn (time.monotonic(); None: never).
    chart_at: float | None = None
    #: Whether a reading was added to the timeline since the chart was last drawn.
    chart_stale: bool = False

    def chart_due(self, now: float) -> bool:
        """Whether to redraw the chart now (marks it drawn): the first time, then at most every
        ``CHART_EVERY_S`` and only with new readings — the chart is drawn relative to its last
        reading, so without one it would be the same picture, and Gradio rewrites an
        identical output's file in place while the page may still be fetching it."""
        if self.chart_at is not None and (
            not self.chart_stale or now - self.chart_at < CHART_EVERY_S
        ):
            return False
        self.chart_at, self.chart_stale = now, False
        return True


class LiveReader:
    """Loads the live view's own models on first use; reads one frame at a time."""

    def __init__(self, annotator: LiveAnnotator | None = None) -> None:
        self._lock = threading.Lock()
        #: Loaded on the first frame unless given (tests give a stand-in).
        self._annotator: LiveAnnotator | None = annotator
        self._failed = False
        #: Webcam frames read since start, over all tabs (for the tests and the bench).
        self.frames_read = 0

    def _load(self) -> LiveAnnotator | None:
        if self._annotator is None and not self._failed:
            try:
                from emotion.face.live import LiveAnnotator
                from emotion.face.reader import load_face_reader

                self._annotator = LiveAnnotator(load_face_reader(settings=None))
            except Exception as error:  # no model: the page shows the camera undrawn
                log.warning("live view: face models unavailable (%s)", type(error).__name__)
                self._failed = True
        return self._annotator

    def frame(
        self, rgb: npt.NDArray[np.uint8] | None, session: LiveSession | None
    ) -> tuple[npt.NDArray[np.uint8] | None, npt.NDArray[np.uint8] | None, LiveSession]:
        """(drawn frame, chart, session) for one webcam frame; blocking. The chart is None
        when it is not due for a redraw (``CHART_EVERY_S``); both are None for a frame the same
        as the last one read (nothing new to show)."""
        from emotion.face.live import LiveTimeline

        session = session or LiveSession()
        if session.timeline is None:
            session.timeline = LiveTimeline()
        if rgb is None:
            return None, session.timeline.render(), session
        rgb = np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)
        last = session.last_frame
        if last is not None and last.shape == rgb.shape and np.array_equal(last, rgb):
            # The page captured the camera faster than it films: the same picture again. Its
            # answer would be the same picture too, which Gradio would rewrite in place (same
            # content, same file) while the page may still be fetching it.
            return None, None, session
        with self._lock:
            annotator = self._load()
            if annotator is None:
                return rgb, session.timeline.render(), session
            drawn = annotator.annotate(rgb)
            self.frames_read += 1
        session.timeline.add(drawn.main)
        session.chart_stale = session.chart_stale or drawn.main is not None
        session.last_frame, session.last_estimate = rgb, drawn.main
        chart = session.timeline.render() if session.chart_due(time.monotonic()) else None
        return drawn.image, chart, session


def jpeg(rgb: npt.NDArray[np.uint8]) -> bytes:
    """An RGB frame (H x W x 3, uint8) as JPEG bytes (quality 90)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def png(rgb: npt.NDArray[np.uint8]) -> bytes:
    """An RGB image (H x W x 3, uint8) as PNG bytes (the chart: lines stay sharp)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def inline_image(data: bytes, mime: str) -> str:
    """An ``<img>`` whose picture travels inside the page (a data: URL): never a file."""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img src="data:{mime};base64,{encoded}" alt="" style="max-width:100%">'


def build_live_tab(
    gr_module: Any,
    name_box: gr.Textbox,
    send_moment: Callable[[str, str, bytes], Awaitable[str]],
    clean_name: Callable[[str], str],
) -> LiveReader:
    """The tab's components and events, inside the caller's ``gr.Blocks``/``gr.Tab`` context;
    returns the reader that reads its frames.

    ``send_moment(name, text, jpeg_bytes)`` sends the frame as a photo message and returns the
    reply's text.
    """
    gr = gr_module
    reader = LiveReader()
    session = gr.State(None)
    gr.Markdown(
        "Your webcam, read live: each face gets a box and the emotion its expression shows; the "
        "chart is the last minute. Frames stay in this browser and in memory — only a moment "
        "you send becomes a message."
    )
    with gr.Row(equal_height=False):
        camera = gr.Image(
            label="Webcam",
            sources=["webcam"],
            streaming=True,
            type="numpy",
            height=240,
            elem_id="live-camera",
        )
        # HTML with the picture inline (a data: URL), not gr.Image: Gradio writes every image
        # it sends back to a file in its cache (kept for an hour), and these are the person's
        # face. JPEG for the frame, PNG for the chart: ~1.5 and ~4 ms here.
        drawn = gr.HTML(NO_FRAME_YET, label="What attune sees", elem_id="live-view")
    chart = gr.HTML("", label="The last minute", elem_id="live-chart")
    with gr.Row():
        moment_text = gr.Textbox(
            label="A few words with it (optional)", max_lines=1, scale=4, elem_id="live-text"
        )
        send = gr.Button("Send this moment", variant="primary", scale=1, elem_id="live-send")
    answer = gr.Markdown(elem_id="live-reply")

    async def on_frame(
        frame: npt.NDArray[np.uint8] | None, state: LiveSession | None
    ) -> tuple[Any, Any, LiveSession]:
        drawn_html, chart_html, updated = await asyncio.to_thread(_read_as_html, frame, state)
        if frame is not None and drawn_html is None:  # the same picture as last time
            return gr.skip(), gr.skip(), updated
        return drawn_html, gr.skip() if chart_html is None else chart_html, updated

    def _read_as_html(
        frame: npt.NDArray[np.uint8] | None, state: LiveSession | None
    ) -> tuple[str | None, str | None, LiveSession]:
        drawn_frame, chart_image, updated = reader.frame(frame, state)
        drawn_html = None if drawn_frame is None else inline_image(jpeg(drawn_frame), "image/jpeg")
        chart_html = None if chart_image is None else inline_image(png(chart_image), "image/png")
        return drawn_html, chart_html, updated

    camera.stream(
        on_frame,
        [camera, session],
        [drawn, chart, session],
        stream_every=STREAM_EVERY_S,
        concurrency_limit=LIVE_TABS,
        trigger_mode="multiple",  # Gradio's mode for streams: see the module's docstring
        show_progress="hidden",
        api_visibility="private",
    )

    async def on_send(raw_name: str, text: str, state: LiveSession | None) -> str:
        name = clean_name(raw_name)
        if not name:
            return "Please type your name in the box at the top first."
        if state is None or state.last_frame is None:
            return MOMENT_NEEDS_FRAME
        data = await asyncio.to_thread(jpeg, state.last_frame)
        return await send_moment(name, text, data)

    send.click(on_send, [name_box, moment_text, session], [answer], api_visibility="private")
    return reader
