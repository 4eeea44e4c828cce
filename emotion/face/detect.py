"""Face detection with OpenCV's Haar cascade (its model ships in the opencv wheel).

Why these choices: the cascade runs on a grey copy scaled so its longer side is at most
``detect_side`` pixels (a selfie's face stays large; the cost no longer grows with the camera),
histogram-equalised so dim photos still match. The cascade's level weight (how far the last
stage cleared its threshold) becomes a 0..1 confidence through a logistic squash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from emotion.photo import FaceBox

CASCADE_FILE = "haarcascade_frontalface_default.xml"


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    detect_side: int = 480  # longer side of the copy the cascade scans
    scale_factor: float = 1.15
    min_neighbors: int = 5
    min_face_fraction: float = 0.08  # smallest face searched, as a share of the shorter side
    min_face_pixels: int = 24
    confidence_midpoint: float = 2.0  # level weight that maps to confidence 0.5
    confidence_slope: float = 1.5


class FaceDetector:
    """Finds frontal faces; returns every face, largest first, in the given image's pixels."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        path = Path(cv2.data.haarcascades) / CASCADE_FILE  # type: ignore[attr-defined]
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise RuntimeError(f"cannot load the face cascade {path}")

    def detect(self, gray: npt.NDArray[np.uint8]) -> tuple[FaceBox, ...]:
        """Faces in a grey uint8 image [H, W], largest first."""
        s = self.settings
        height, width = gray.shape[:2]
        factor = min(1.0, s.detect_side / max(height, width))
        small = gray
        if factor < 1.0:
            size = (max(1, round(width * factor)), max(1, round(height * factor)))
            small = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)
        small = np.asarray(cv2.equalizeHist(np.ascontiguousarray(small)), dtype=np.uint8)
        min_side = max(s.min_face_pixels, int(min(small.shape[:2]) * s.min_face_fraction))
        if min(small.shape[:2]) < min_side:
            return ()
        boxes, _, weights = self._cascade.detectMultiScale3(
            small,
            scaleFactor=s.scale_factor,
            minNeighbors=s.min_neighbors,
            minSize=(min_side, min_side),
            outputRejectLevels=True,
        )
        faces = [
            FaceBox(
                x=round(int(x) / factor),
                y=round(int(y) / factor),
                width=round(int(w) / factor),
                height=round(int(h) / factor),
                confidence=self._confidence(float(weight)),
            )
            for (x, y, w, h), weight in zip(
                np.asarray(boxes).reshape(-1, 4), np.asarray(weights).reshape(-1), strict=True
            )
        ]
        return tuple(sorted(faces, key=lambda f: (f.area, f.confidence), reverse=True))

    def _confidence(self, weight: float) -> float:
        s = self.settings
        return 1.0 / (1.0 + math.exp(-(weight - s.confidence_midpoint) * s.confidence_slope))
