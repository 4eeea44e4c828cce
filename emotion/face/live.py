"""Live webcam frames -> the same frame with face boxes and emotion labels drawn on it, and a
rolling chart of the last minute, as the paper attune comes from shows its webcam.

Per frame: BlazeFace short range (webcam faces are close; ~2-3 ms at 640x480 here) finds the
faces, the expression network reads every face in one batch, OpenCV draws a box and
"happy 72%" above each. ``LiveTimeline`` keeps the largest face's probabilities of the last
``window_s`` seconds and draws them as one line per emotion (OpenCV polylines: a matplotlib
figure per frame would cost more than the whole reading).

Not thread-safe: one ``LiveAnnotator`` per worker, or a lock around it (the web demo holds one).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from emotion.face.detect import as_cascade_box
from emotion.face.detect_blazeface import BlazeFaceDetector, Variant
from emotion.face.preprocess import crop_face, to_gray
from emotion.face.reader import FaceReader
from emotion.labels import LABELS, Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox

#: One colour per emotion (RGB), shared by the boxes and the chart's lines.
COLOURS: dict[Emotion, tuple[int, int, int]] = {
    Emotion.ANGRY: (220, 50, 47),
    Emotion.DISGUST: (133, 153, 0),
    Emotion.FEAR: (108, 113, 196),
    Emotion.HAPPY: (250, 200, 30),
    Emotion.SAD: (38, 139, 210),
    Emotion.SURPRISE: (211, 54, 130),
    Emotion.NEUTRAL: (160, 160, 160),
}


@dataclass(frozen=True, slots=True)
class LiveFrame:
    """A drawn frame (RGB, same size as given) and what was read in it (largest face first)."""

    image: npt.NDArray[np.uint8]
    faces: tuple[FaceBox, ...]
    estimates: tuple[EmotionEstimate, ...]

    @property
    def main(self) -> EmotionEstimate | None:
        return self.estimates[0] if self.estimates else None


class LiveAnnotator:
    def __init__(self, reader: FaceReader, detector: BlazeFaceDetector | None = None) -> None:
        self._reader = reader
        self._detector = detector or BlazeFaceDetector(Variant.SHORT)

    def annotate(self, rgb: npt.NDArray[np.uint8], *, max_faces: int = 4) -> LiveFrame:
        """Detect, classify and draw on a copy of an RGB [H, W, 3] uint8 frame."""
        faces = tuple(as_cascade_box(f) for f in self._detector.detect(rgb)[:max_faces])
        drawn = np.ascontiguousarray(rgb.copy())
        if not faces:
            return LiveFrame(drawn, (), ())
        gray = to_gray(rgb)
        crops = np.stack([crop_face(gray, face) for face in faces])
        probs = self._reader.predict_faces(crops)
        estimates = tuple(
            EmotionEstimate(tuple(float(p) for p in row), Source.FACE, float(row.max()))
            for row in probs
        )
        for face, estimate in zip(faces, estimates, strict=True):
            draw_face(drawn, face, estimate)
        return LiveFrame(drawn, faces, estimates)


def draw_face(image: npt.NDArray[np.uint8], face: FaceBox, estimate: EmotionEstimate) -> None:
    """A box in the top emotion's colour with "happy 72%" above it (in place)."""
    top = estimate.top
    colour = COLOURS[top]
    thickness = max(2, image.shape[1] // 320)
    x0, y0 = max(0, face.x), max(0, face.y)
    x1, y1 = face.x + face.width, face.y + face.height
    cv2.rectangle(image, (x0, y0), (x1, y1), colour, thickness)
    label = f"{top.value} {round(100 * max(estimate.probabilities))}%"
    scale = max(0.5, image.shape[1] / 1280)
    (width, height), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    ty = y0 - 6 if y0 - height - base - 6 > 0 else y1 + height + 6
    cv2.rectangle(image, (x0, ty - height - base), (x0 + width + 6, ty + base), colour, -1)
    cv2.putText(
        image, label, (x0 + 3, ty), cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1, cv2.LINE_AA
    )


class LiveTimeline:
    """The main face's probabilities over the last ``window_s`` seconds."""

    def __init__(self, window_s: float = 60.0) -> None:
        self.window_s = window_s
        self._points: deque[tuple[float, tuple[float, ...]]] = deque()

    def add(self, estimate: EmotionEstimate | None, at: float | None = None) -> None:
        now = time.monotonic() if at is None else at
        if estimate is not None:
            self._points.append((now, estimate.probabilities))
        while self._points and now - self._points[0][0] > self.window_s:
            self._points.popleft()

    def __len__(self) -> int:
        return len(self._points)

    def render(self, width: int = 640, height: int = 160) -> npt.NDArray[np.uint8]:
        """The chart as an RGB image: x = the last ``window_s`` seconds, y = probability."""
        chart = np.full((height, width, 3), 255, np.uint8)
        legend_h, pad = 18, 4
        plot_h = height - legend_h - 2 * pad
        for share in (0.0, 0.5, 1.0):
            y = pad + legend_h + round((1 - share) * plot_h)
            cv2.line(chart, (0, y), (width, y), (225, 225, 225), 1)
        x = 4
        for label in LABELS:
            cv2.rectangle(chart, (x, 5), (x + 10, 15), COLOURS[label], -1)
            cv2.putText(
                chart, label.value, (x + 13, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (60, 60, 60), 1
            )
            x += 13 + 7 * len(label.value) + 12
        if not self._points:
            return chart
        end = self._points[-1][0]
        times = np.array([t for t, _ in self._points])
        probs = np.array([p for _, p in self._points])
        xs = np.round((1 - (end - times) / self.window_s) * (width - 1)).astype(np.int32)
        for i, label in enumerate(LABELS):
            ys = np.round(pad + legend_h + (1 - probs[:, i]) * plot_h).astype(np.int32)
            line = np.stack([xs, ys], axis=1).reshape(-1, 1, 2)
            cv2.polylines(chart, [line], False, COLOURS[label], 2, cv2.LINE_AA)
        return chart
