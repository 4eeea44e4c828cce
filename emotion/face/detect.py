"""Face detection: BlazeFace first, OpenCV's Haar cascade for small faces, quarter turns last.

``FaceDetector`` is what the reader uses. It runs BlazeFace full range (short range is faster,
but missed small faces: bench/face_bench.py --detection) (``emotion.face.detect_blazeface``:
finds turned, tilted and half-lit faces that the cascade
misses, at a few milliseconds); when that finds nothing it tries the Haar cascade, which still
finds faces too small in the frame for BlazeFace's 128x128 input; when neither finds a face in
the upright image it tries the image turned by a quarter, half and three quarters (a sideways
photo whose EXIF orientation was lost). If the BlazeFace model file is not installed or fails
its hash check, the cascade alone is used.

BlazeFace's box is tighter and lower than the cascade's (it spans brows to chin; the cascade,
forehead to chin), and the expression crop was tuned on the cascade's box: each BlazeFace box
is mapped onto the cascade's geometry (``BLAZE_TO_HAAR``, measured on the sample portrait).

The Haar cascade's model ships in the opencv wheel. Why its settings: the cascade runs on a
grey copy scaled so its longer side is at most
``detect_side`` pixels (a selfie's face stays large; the cost no longer grows with the camera).
``frontalface_alt2`` was measured here to find faces at more scales than ``_default`` (which
missed one of two copies of the same face). No histogram equalisation: on photos with a large
flat background it stretched the wrong range and lost faces. The confidence is the number of
overlapping raw detections merged into a box, squashed to 0..1: real faces gather dozens,
chance patterns a few.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from emotion.face.detect_blazeface import BlazeFaceDetector, ModelFileError, Variant
from emotion.photo import FaceBox

log = logging.getLogger(__name__)

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


class HaarDetector:
    """Finds frontal faces; returns every face, largest first, in the given image's pixels."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        path = Path(cv2.data.haarcascades) / CASCADE_FILE  # type: ignore[attr-defined]
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise RuntimeError(f"cannot load the face cascade {path}")

    def detect(self, image: npt.NDArray[np.uint8]) -> tuple[FaceBox, ...]:
        """Faces in a grey [H, W] or RGB [H, W, 3] uint8 image, largest first."""
        s = self.settings
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
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


#: (centre shift up, side factor) mapping a BlazeFace box onto the cascade's box, as shares of
#: the BlazeFace box's side: on the sample portrait the cascade's box is 12% larger and its
#: centre 13% of a side higher.
BLAZE_TO_HAAR = (0.13, 1.12)


def as_cascade_box(face: FaceBox) -> FaceBox:
    """A BlazeFace box mapped onto the cascade's geometry (``BLAZE_TO_HAAR``), square."""
    shift, factor = BLAZE_TO_HAAR
    side = max(face.width, face.height)
    new_side = round(side * factor)
    cx = face.x + face.width / 2
    cy = face.y + face.height / 2 - shift * side
    return FaceBox(
        round(cx - new_side / 2), round(cy - new_side / 2), new_side, new_side, face.confidence
    )


@dataclass(frozen=True, slots=True)
class Detection:
    """Faces found, and the quarter turns (0..3, counter-clockwise, as ``np.rot90``) the image
    needed for them: boxes are in the turned image's pixels."""

    faces: tuple[FaceBox, ...]
    turns: int = 0


class FaceDetector:
    """BlazeFace, then Haar for small faces, then quarter turns (see the module docstring).

    Not thread-safe (OpenCV nets): one instance per worker thread.
    """

    def __init__(
        self,
        settings: DetectorSettings | None = None,
        *,
        blazeface: BlazeFaceDetector | None = None,
        use_blazeface: bool = True,
        variant: Variant = Variant.FULL,
        try_turns: bool = True,
        sure_score: float = 0.75,
        turn_margin: float = 0.1,
    ) -> None:
        self.haar = HaarDetector(settings)
        self.blazeface = blazeface
        if self.blazeface is None and use_blazeface:
            try:
                self.blazeface = BlazeFaceDetector(variant)
            except (ModelFileError, cv2.error) as error:
                log.warning("BlazeFace unavailable (%s); using the Haar cascade alone", error)
        self.try_turns = try_turns
        #: Upright faces at least this sure are taken without trying turns; a turn must beat
        #: the upright score by ``turn_margin`` (chosen on the sample portrait turned: 0.58
        #: sideways, 0.79 upright).
        self.sure_score = sure_score
        self.turn_margin = turn_margin

    def detect(self, image: npt.NDArray[np.uint8]) -> tuple[FaceBox, ...]:
        """Faces in the upright grey [H, W] or RGB [H, W, 3] uint8 image, largest first."""
        if self.blazeface is not None:
            found = self.blazeface.detect(image)
            if found:
                return tuple(as_cascade_box(face) for face in found)
        return self.haar.detect(image)

    def detect_turned(self, image: npt.NDArray[np.uint8]) -> Detection:
        """Faces upright if BlazeFace is sure of one; else the quarter turn whose best face it
        is surest of (BlazeFace sees a sideways face too, but less surely than upright)."""
        found = self.detect(image)
        if not self.try_turns or self.blazeface is None:
            return Detection(found)
        if found and found[0].confidence >= self.sure_score:
            return Detection(found)
        best = Detection(found)
        best_score = max((f.confidence for f in found), default=0.0)
        for turns in (1, 3, 2):  # sideways photos are far commoner than upside-down ones
            turned = np.ascontiguousarray(np.rot90(image, turns))
            faces = self.blazeface.detect(turned)
            score = max((f.confidence for f in faces), default=0.0)
            if score > best_score + self.turn_margin:
                best, best_score = Detection(tuple(as_cascade_box(f) for f in faces), turns), score
        return best
