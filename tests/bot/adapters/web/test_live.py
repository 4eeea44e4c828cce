"""The live tab's per-session state, without a browser (the stream itself: test_live_browser)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from bot.adapters.web_live import CHART_EVERY_S, LiveReader, LiveSession
from emotion.face.live import LiveFrame


def test_the_chart_is_redrawn_twice_a_second_not_every_frame() -> None:
    session = LiveSession()
    assert session.chart_due(100.0)  # the first frame draws it
    session.chart_stale = True  # a reading came in
    assert not session.chart_due(100.0 + CHART_EVERY_S / 2)
    assert session.chart_due(100.0 + CHART_EVERY_S)
    session.chart_stale = True
    assert not session.chart_due(100.0 + CHART_EVERY_S + 0.01)


def test_without_new_readings_the_chart_is_not_sent_again() -> None:
    session = LiveSession()
    assert session.chart_due(100.0)
    assert not session.chart_due(100.0 + 10 * CHART_EVERY_S)  # no face since: same picture


def test_without_a_frame_the_empty_chart_is_shown() -> None:
    drawn, chart, session = LiveReader().frame(None, None)
    assert drawn is None and chart is not None and chart.shape == (160, 640, 3)
    assert session.timeline is not None and len(session.timeline) == 0


class CountingAnnotator:
    """Stands in for the face models: draws nothing, finds no face, counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def annotate(self, rgb: np.ndarray) -> LiveFrame:
        self.calls += 1
        return LiveFrame(rgb.copy(), (), ())


def test_the_same_picture_again_is_not_read_again() -> None:
    annotator = CountingAnnotator()
    reader = LiveReader(cast(Any, annotator))
    frame = np.zeros((48, 64, 3), np.uint8)
    drawn, _, session = reader.frame(frame, None)
    assert drawn is not None and annotator.calls == 1
    drawn, chart, session = reader.frame(frame.copy(), session)  # captured twice
    assert drawn is None and chart is None and annotator.calls == 1
    changed = frame.copy()
    changed[0, 0] = 1
    drawn, _, session = reader.frame(changed, session)
    assert drawn is not None and annotator.calls == 2 and reader.frames_read == 2
