"""``VideoReader``: video bytes -> ``VideoReading`` (a face timeline and its summary).

How: the bytes go to a temporary file that is unlinked as soon as OpenCV's FFmpeg backend has
opened it (FFmpeg reads from a path; the open descriptor keeps the data until the capture is
released, and nothing is left on disk even if the process dies). Frames are decoded one at a
time (``grab`` skips without colour conversion); ``fps`` of them a second are kept, at most
``max_frames`` spread over the whole video, each shrunk to ``frame_side``; the main face of each
is found (BlazeFace short range, else the photo reader's detector) and all the faces go through
the expression network in one batch. Memory is one frame, whatever the video's length;
videos longer than ``max_seconds`` or larger than ``max_pixels`` a frame are refused from the
header before decoding, and decoding stops after ``budget_s`` seconds of wall time (the frames
read so far are summarised).

The main face is the largest in each frame (a selfie video shows one person close up). The
summary's estimate is the mean of the per-frame probabilities, its confidence the frames' mean
confidence times the share of sampled frames that showed a readable face.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from emotion.face.detect import as_cascade_box
from emotion.face.detect_blazeface import BlazeFaceDetector, ModelFileError, Variant
from emotion.face.network import INPUT_SIZE
from emotion.face.preprocess import crop_face, to_gray
from emotion.face.reader import FaceReader
from emotion.labels import EmotionEstimate, Source
from emotion.photo import FaceBox
from emotion.video import FramePoint, VideoProblem, VideoReading


@dataclass(frozen=True, slots=True)
class VideoSettings:
    max_bytes: int = 50 * 1024 * 1024
    max_seconds: float = 180.0
    max_pixels: int = 3840 * 2160  # 4K frames are read (shrunk); larger ones are refused
    fps: float = 4.0  # frames kept per second (the issue asks 3-5)
    max_frames: int = 40  # at most this many, spread over a long video
    frame_side: int = 640  # longer side of each kept frame
    min_face_pixels: int = 24  # smaller faces are not read (as for photos)
    #: Wall-clock budget for decoding: past it, what was read so far is summarised (a long 4K
    #: video must not hold the one model thread that every chat shares).
    budget_s: float = 20.0


class VideoReader:
    """Reads videos with a ``FaceReader``; not thread-safe (run from one worker thread)."""

    def __init__(self, faces: FaceReader, settings: VideoSettings | None = None) -> None:
        self._faces = faces
        self.settings = settings or VideoSettings()
        try:
            self._close: BlazeFaceDetector | None = BlazeFaceDetector(Variant.SHORT)
        except (ModelFileError, cv2.error):
            self._close = None
        self._predict(np.full((1, INPUT_SIZE, INPUT_SIZE), 128, np.uint8))  # compile now

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
        header_fps = float(capture.get(cv2.CAP_PROP_FPS) or 0.0)
        # A header without a sane rate (sparse or variable-rate files report tiny averages):
        # step through frames as if from a phone, but keep the header's rate for the length.
        fps = header_fps if 0.5 <= header_fps <= 240 else 25.0
        count = float(capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if width * height > s.max_pixels:
            return VideoReading(problem=VideoProblem.TOO_MANY_PIXELS)
        declared = count / header_fps if count > 0 and header_fps > 0 else 0.0
        if declared > s.max_seconds:
            return VideoReading(problem=VideoProblem.TOO_LONG, duration_s=declared)
        # Keep every `step`-th frame: `s.fps` a second, fewer when that would pass max_frames.
        wanted = min(s.max_frames, max(1, round((declared or s.max_seconds) * s.fps)))
        step = max(1, round(fps / s.fps))
        if declared:
            step = max(step, int(np.ceil(count / wanted)))
        times: list[float] = []
        crops: list[npt.NDArray[np.uint8]] = []  # one 48x48 face per frame with a face
        faced: list[int] = []  # which sampled frames those crops came from
        biggest: FaceBox | None = None
        frame_size: tuple[int, int] | None = None
        index = 0
        limit = int(s.max_seconds * fps) + 1  # the header may lie: stop at the limit anyway
        deadline = time.monotonic() + s.budget_s
        while len(times) < s.max_frames and index < limit:
            if time.monotonic() > deadline or not capture.grab():
                break
            if index % step == 0:
                ok, frame = capture.retrieve()
                if not ok or frame is None:
                    break
                small = _shrink(frame, s.frame_side)
                frame_size = (small.shape[1], small.shape[0])
                face = self._main_face(small)
                if face is not None:
                    crops.append(crop_face(to_gray(small), face))
                    faced.append(len(times))
                    biggest = face if biggest is None or face.area > biggest.area else biggest
                stamp = float(capture.get(cv2.CAP_PROP_POS_MSEC) or 0.0) / 1000.0
                times.append(stamp if stamp > 0 else index / fps)
            index += 1
        if index >= limit and capture.grab():
            return VideoReading(problem=VideoProblem.TOO_LONG, duration_s=index / fps)
        if not times:
            return VideoReading(problem=VideoProblem.TRUNCATED)
        estimates: list[EmotionEstimate | None] = [None] * len(times)
        if crops:  # every frame's face through the network in one batch
            try:
                probs = self._predict(np.stack(crops))
            except Exception:
                return VideoReading(problem=VideoProblem.UNAVAILABLE)
            for row, at in zip(probs, faced, strict=True):
                estimates[at] = EmotionEstimate(
                    tuple(float(p) for p in row), Source.FACE, float(row.max())
                )
        points = tuple(FramePoint(t, e) for t, e in zip(times, estimates, strict=True))
        duration = max(declared, index / fps) if declared else index / fps
        return _summarise(points, duration, biggest, frame_size)

    def _predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """Probabilities for ``crops``, always run as a batch of ``max_frames`` (padded): the
        network is compiled per batch shape (XLA), and one shape compiles once, at start-up."""
        size = self.settings.max_frames
        padded = np.full((size, *crops.shape[1:]), 128, np.uint8)
        padded[: len(crops)] = crops[:size]
        return self._faces.predict_faces(padded)[: len(crops)]

    def _main_face(self, rgb: npt.NDArray[np.uint8]) -> FaceBox | None:
        """The largest face: BlazeFace short range first (a video selfie's face is close), the
        photo reader's detector (full range, then Haar) when that finds none — without its
        look at tiles, which would multiply by the frames of a faceless video."""
        found = tuple(as_cascade_box(f) for f in self._close.detect(rgb)) if self._close else ()
        if not found:
            found = self._faces.detector.detect(rgb, tiled=False)
        if not found or found[0].width < self.settings.min_face_pixels:
            return None
        return found[0]


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
