"""Video selfies read frame by frame: timeline, summary, and every way a video can fail."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem
from emotion.video import FramePoint, VideoProblem, VideoReading
from emotion.video.reader import VideoReader, VideoSettings
from tests.emotion.video.clips import (
    faceless_video,
    four_hour_video,
    portrait_bgr,
    selfie_video,
    write_video,
)


@pytest.fixture(scope="module")
def videos(face_reader: Any) -> VideoReader:
    return VideoReader(face_reader)


@pytest.fixture(scope="module")
def face_reader() -> Any:
    from tests.shared_models import face_reader

    return face_reader()  # loaded once a session (tests/shared_models.py)


def test_a_video_selfie_is_read_at_about_four_frames_a_second(videos: VideoReader) -> None:
    reading = videos.read(selfie_video(seconds=4.0))
    assert reading.problem is None and reading.estimate is not None
    assert reading.duration_s == pytest.approx(4.0, abs=0.2)
    assert 14 <= reading.frames_sampled <= 18
    assert reading.face_share > 0.9
    assert reading.estimate.source is Source.FACE
    assert sum(reading.estimate.probabilities) == pytest.approx(1.0, abs=1e-4)
    assert reading.describe() is not None and "4-second video" in (reading.describe() or "")
    photo = reading.photo_reading()
    assert photo.estimate == reading.estimate and photo.face is not None


def test_a_long_video_is_sampled_evenly_within_the_frame_cap(face_reader: Any) -> None:
    capped = VideoReader(face_reader, VideoSettings(max_frames=6))
    reading = capped.read(selfie_video(seconds=6.0, side=240, fps=10.0))
    assert reading.frames_sampled == 6
    times = [p.at_s for p in reading.timeline]
    assert times[-1] >= 4.0  # spread over the whole clip, not the first 1.5 s


def test_decoding_stops_at_its_time_budget(face_reader: Any) -> None:
    hurried = VideoReader(face_reader, VideoSettings(budget_s=0.0))
    reading = hurried.read(selfie_video(seconds=2.0, side=240))
    assert reading.problem is VideoProblem.TRUNCATED and reading.frames_sampled == 0


def test_the_face_share_lowers_the_confidence(videos: VideoReader) -> None:
    face = portrait_bgr(300)
    blank = np.full((360, 360, 3), 90, np.uint8)
    with_face = blank.copy()
    with_face[: face.shape[0], : face.shape[1]] = face
    frames = [with_face] * 20 + [blank] * 20
    reading = videos.read(write_video(frames, fps=10.0))
    assert reading.estimate is not None
    assert 0.3 < reading.face_share < 0.7


def test_problems_each_get_their_value(face_reader: Any, videos: VideoReader) -> None:
    clip = selfie_video(seconds=2.0, side=240)
    assert videos.read(b"").problem is VideoProblem.EMPTY
    assert videos.read(b"\x00\x01garbage" * 100).problem is VideoProblem.NOT_VIDEO
    assert videos.read(clip[: len(clip) // 3]).problem in {
        VideoProblem.NOT_VIDEO,
        VideoProblem.TRUNCATED,
    }
    assert videos.read(faceless_video()).problem is VideoProblem.NO_FACE
    four_hours = videos.read(four_hour_video())
    assert four_hours.problem is VideoProblem.TOO_LONG
    assert four_hours.duration_s == pytest.approx(4 * 3600, rel=0.01)
    short = VideoReader(face_reader, VideoSettings(max_seconds=1.0))
    assert short.read(clip).problem is VideoProblem.TOO_LONG
    small = VideoReader(face_reader, VideoSettings(max_pixels=200 * 200))
    assert small.read(clip).problem is VideoProblem.TOO_MANY_PIXELS
    tiny = VideoReader(face_reader, VideoSettings(max_bytes=100))
    assert tiny.read(clip).problem is VideoProblem.TOO_LARGE


def test_a_4k_video_is_read_one_shrunk_frame_at_a_time(videos: VideoReader) -> None:
    face = portrait_bgr(1400)
    frame = np.full((2160, 3840, 3), 90, np.uint8)
    frame[200 : 200 + face.shape[0], 1200 : 1200 + face.shape[1]] = face[:1960]
    reading = videos.read(write_video([frame] * 6, fps=6.0))
    assert reading.estimate is not None and reading.frame_size == (640, 360)


def _point(at: float, label: Emotion) -> FramePoint:
    probs = tuple(0.9 if e is label else 0.1 / 6 for e in Emotion)
    return FramePoint(at, EmotionEstimate(probs, Source.FACE, 0.9))


def test_the_change_compares_the_first_and_last_thirds() -> None:
    points = tuple(_point(t, Emotion.NEUTRAL) for t in range(4)) + tuple(
        _point(t, Emotion.HAPPY) for t in range(4, 8)
    )
    estimate = EmotionEstimate(tuple(1 / 7 for _ in Emotion), Source.FACE, 0.5)
    reading = VideoReading(estimate=estimate, duration_s=8.2, timeline=points)
    assert reading.change == (Emotion.NEUTRAL, Emotion.HAPPY)
    assert reading.describe() == "Over the 8-second video your face went from neutral to happy."
    assert VideoReading(problem=VideoProblem.NO_FACE).photo_reading().problem is (
        PhotoProblem.NO_FACE
    )
