"""Face detection with OpenCV's Haar cascade (its model ships in the opencv wheel).

Why these choices: the cascade runs on a grey copy scaled so its longer side is at most
``detect_side`` pixels (a selfie's face stays large; the cost no longer grows with the camera).
``frontalface_alt2`` was measured here to find faces at more scales than ``_default`` (which
missed one of two copies of the same face). No histogram equalisation: on photos with a large
flat background it stretched the wrong range and lost faces. The confidence is the number of
overlapping raw detections merged into a box, squashed to 0..1: real faces gather dozens,
chance patterns a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from emotion.photo import FaceBox

CASCADE_FILE = "haarcascade_frontalface_alt2.xml"


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    detect_side: int = 480  # longer side of the copy the cascade scans
    scale_factor: float = 1.1
    min_neighbors: int = 3
    min_face_fraction: float = 0.08  # smallest face searched, as a share of the shorter side
    min_face_pixels: int = 24
    equalize: bool = False
    confidence_half: float = 10.0  # merged raw detections that give confidence 0.5


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
        small = np.ascontiguousarray(small)
        if s.equalize:
            small = np.asarray(cv2.equalizeHist(small), dtype=np.uint8)
        min_side = max(s.min_face_pixels, int(min(small.shape[:2]) * s.min_face_fraction))
        if min(small.shape[:2]) < min_side:
            return ()
        boxes, neighbours = self._cascade.detectMultiScale2(
            small,
            scaleFactor=s.scale_factor,
            minNeighbors=s.min_neighbors,
            minSize=(min_side, min_side),
        )
        faces = [
            FaceBox(
                x=round(int(x) / factor),
                y=round(int(y) / factor),
                width=round(int(w) / factor),
                height=round(int(h) / factor),
                confidence=float(count) / (float(count) + s.confidence_half),
            )
            for (x, y, w, h), count in zip(
                np.asarray(boxes).reshape(-1, 4), np.asarray(neighbours).reshape(-1), strict=True
            )
        ]
        return tuple(sorted(faces, key=lambda f: (f.area, f.confidence), reverse=True))
