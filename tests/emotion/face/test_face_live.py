"""The live view's frame pipeline: boxes and labels drawn, a one-minute rolling chart."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emotion.face.live import COLOURS, LiveAnnotator, LiveTimeline
from emotion.labels import Emotion, EmotionEstimate, Source
from tests.emotion.video.clips import camera_frame


@pytest.fixture(scope="module")
def annotator(face_reader: Any) -> LiveAnnotator:
    return LiveAnnotator(face_reader)


def test_a_face_gets_a_box_in_its_emotions_colour(annotator: LiveAnnotator) -> None:
    rgb = np.ascontiguousarray(camera_frame()[..., ::-1])
    frame = annotator.annotate(rgb)
    assert len(frame.faces) == 1 and frame.main is not None
    assert frame.image.shape == rgb.shape and not np.shares_memory(frame.image, rgb)
    face, colour = frame.faces[0], COLOURS[frame.main.top]
    edge = frame.image[face.y + face.height // 2, max(0, face.x)]
    assert tuple(int(c) for c in edge) == colour  # the box's left edge
    assert 250 < face.x + face.width / 2 < 390  # the portrait is in the middle


def test_no_face_no_drawing(annotator: LiveAnnotator) -> None:
    blank = np.full((480, 640, 3), 90, np.uint8)
    frame = annotator.annotate(blank)
    assert frame.faces == () and frame.main is None
    assert np.array_equal(frame.image, blank)


def test_the_timeline_keeps_only_the_last_minute() -> None:
    timeline = LiveTimeline(window_s=60)
    happy = EmotionEstimate(tuple(0.9 if e is Emotion.HAPPY else 0.1 / 6 for e in Emotion),
                            Source.FACE, 0.9)  # fmt: skip
    for second in range(0, 120, 2):
        timeline.add(happy, at=float(second))
    assert len(timeline) == 31  # 58..118 inclusive
    timeline.add(None, at=200.0)  # a frame without a face still moves the window on
    assert len(timeline) == 0
    for second in range(10):
        timeline.add(happy, at=300.0 + second)
    chart = timeline.render(640, 160)
    assert chart.shape == (160, 640, 3)
    yellow = np.all(chart == COLOURS[Emotion.HAPPY], axis=2)
    assert yellow[20:, 560:].sum() > 20  # the happy line is high, at the right (the newest)
