"""``VideoReader``: video bytes -> ``VideoReading`` (a face timeline and its summary).

How: the bytes go to a temporary file that is unlinked as soon as OpenCV's FFmpeg backend has
opened it (FFmpeg reads from a path; the open descriptor keeps the data until the capture is
released, and nothing is left on disk even if the process dies). Frames are decoded one at a
time (``grab`` skips without colour conversion); ``fps`` of them a second are kept, at most
``max_frames`` spread over the whole video, each shrunk to ``frame_side`` and read by the photo
reader (detector + expression network). Memory is one frame, whatever the video's length;
videos longer than ``max_seconds`` or larger than ``max_pixels`` a frame are refused from the
header before decoding.

The main face is the largest in each frame (a selfie video shows one person close up). The
summary's estimate is the mean of the per-frame probabilities, its confidence the frames' mean
confidence times the share of sampled frames that showed a readable face.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import cv2
import numpy as np

from emotion.face.intake import DecodedImage
from emotion.face.reader import FaceReader
from emotion.labels import EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoProblem
from emotion.video import FramePoint, VideoProblem, VideoReading


@dataclass(frozen=True, slots=True)
class VideoSettings:
    max_bytes: int = 50 * 1024 * 1024
    max_seconds: float = 180.0
    max_pixels: int = 3840 * 2160  # 4K frames are read (shrunk); larger ones are refused
    fps: float = 4.0  # frames kept per second (the issue asks 3-5)
    max_frames: int = 40  # at most this many, spread over a long video
    frame_side: int = 640  # longer side of each kept frame


class VideoReader:
    """Reads videos with a ``FaceReader``; not thread-safe (run from one worker thread)."""

    def __init__(self, faces: FaceReader, settings: VideoSettings | None = None) -> None:
        self._faces = faces
        self.settings = settings or VideoSettings()

    def read(self, data: bytes) -> VideoReading:
        """Never raises for any input bytes; a problem is a ``VideoReading.problem``."""
        s = self.settings
        if not data:
            return VideoReading(problem=VideoProblem.EMPTY)
        if len(data) > s.max_bytes:
            return VideoReading(problem=VideoProblem.TOO_LARGE)
        capture = _open(data)
        if capture is None:
            return VideoReading(problem=VideoProblem.NOT_VIDEO)
        try:
            return self._read(capture)
        except Exception:  # an OpenCV surprise is a problem, not a crash
            return VideoReading(problem=VideoProblem.UNAVAILABLE)
        finally:
            capture.release()

    def _read(self, capture: cv2.VideoCapture) -> VideoReading:
        s = self.settings
        fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        if not 0.5 <= fps <= 240:
            fps = 25.0  # a header without a sane rate: assume a phone's
        count = float(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if width * height > s.max_pixels:
            return VideoReading(problem=VideoProblem.TOO_MANY_PIXELS)
        declared = count / fps if count > 0 else 0.0
        if declared > s.max_seconds:
            return VideoReading(problem=VideoProblem.TOO_LONG, duration_s=declared)
        # Keep every `step`-th frame: `s.fps` a second, fewer when that would pass max_frames.
        wanted = min(s.max_frames, max(1, round((declared or s.max_seconds) * s.fps)))
        step = max(1, round(fps / s.fps))
        if declared:
            step = max(step, int(np.ceil(count / wanted)))
        points: list[FramePoint] = []
        biggest: FaceBox | None = None
        frame_size: tuple[int, int] | None = None
        index = 0
        limit = int(s.max_seconds * fps) + 1  # the header may lie: stop at the limit anyway
        while len(points) < s.max_frames and index < limit:
            if not capture.grab():
                break
            if index % step == 0:
                ok, frame = capture.retrieve()
                if not ok or frame is None:
                    break
                small = _shrink(frame, s.frame_side)
                frame_size = (small.shape[1], small.shape[0])
                frame_image = DecodedImage(small, "VIDEO", frame_size)
                reading = self._faces.read_decoded(frame_image, try_turns=False)
                if reading.problem is PhotoProblem.UNAVAILABLE:
                    return VideoReading(problem=VideoProblem.UNAVAILABLE)
                points.append(FramePoint(index / fps, reading.estimate))
                face = reading.face
                if reading.estimate is not None and face is not None:
                    biggest = face if biggest is None or face.area > biggest.area else biggest
            index += 1
        if index >= limit and capture.grab():
            return VideoReading(problem=VideoProblem.TOO_LONG, duration_s=index / fps)
        if not points:
            return VideoReading(problem=VideoProblem.TRUNCATED)
        duration = max(declared, index / fps) if declared else index / fps
        return _summarise(tuple(points), duration, biggest, frame_size)


def _summarise(
    points: tuple[FramePoint, ...],
    duration: float,
    face: FaceBox | None,
    frame_size: tuple[int, int] | None,
) -> VideoReading:
    faced = [p.estimate for p in points if p.estimate is not None]
    if not faced:
        return VideoReading(
            problem=VideoProblem.NO_FACE,
            duration_s=duration,
            frames_sampled=len(points),
            timeline=points,
            frame_size=frame_size,
        )
    mean = np.mean([e.probabilities for e in faced], axis=0)
    share = len(faced) / len(points)
    confidence = float(np.mean([e.confidence for e in faced])) * share
    estimate = EmotionEstimate(
        probabilities=tuple(float(p) for p in mean / mean.sum()),
        source=Source.FACE,
        confidence=confidence,
    )
    return VideoReading(
        estimate=estimate,
        duration_s=duration,
        frames_sampled=len(points),
        timeline=points,
        face=face,
        frame_size=frame_size,
    )


def _open(data: bytes) -> cv2.VideoCapture | None:
    """A capture on ``data`` through a temporary file unlinked at once; None if unopenable."""
    handle, path = tempfile.mkstemp(prefix="attune-video-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    finally:
        os.unlink(path)  # FFmpeg holds the open file; nothing stays on disk
    if not capture.isOpened():
        capture.release()
        return None
    return capture


def _shrink(frame: np.ndarray, side: int) -> np.ndarray:
    """BGR frame -> RGB with its longer side at most ``side``."""
    height, width = frame.shape[:2]
    factor = side / max(height, width)
    if factor < 1.0:
        frame = cv2.resize(
            frame, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA
        )
    return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), dtype=np.uint8)
