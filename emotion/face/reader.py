"""``FaceReader``: photo bytes -> ``PhotoReading`` (faces found, expression of the largest one).

The single entry point the adapters' core uses. It never raises for bad input: every way a
photo can fail is a ``PhotoProblem``. The model loads once and is warmed up with one
prediction, so the first user does not pay for graph tracing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from emotion.face.artifacts import DEFAULT_MODEL_DIR, load_network
from emotion.face.detect import Detection, FaceDetector
from emotion.face.inference import Predictor, make_predictor
from emotion.face.intake import MAX_BYTES, MAX_PIXELS, DecodedImage, decode_image
from emotion.face.network import INPUT_SIZE
from emotion.face.preprocess import crop_face, to_gray
from emotion.labels import N_LABELS, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoProblem, PhotoReading


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    max_bytes: int = MAX_BYTES
    max_pixels: int = MAX_PIXELS
    decode_side: int = 960  # big JPEGs are decoded at a reduced scale, longer side >= this
    min_face_pixels: int = 24  # in the sender's image; smaller faces are FACE_TOO_SMALL
    tta: bool = True


class FaceReader:
    """Implements ``emotion.photo.PhotoReader``."""

    def __init__(
        self,
        predictor: Predictor,
        permutation: list[int],
        *,
        detector: FaceDetector | None = None,
        settings: ReaderSettings | None = None,
    ) -> None:
        self._predict = predictor
        self._permutation = list(permutation)
        self._detector = detector or FaceDetector()
        self.settings = settings or ReaderSettings()

    @property
    def detector(self) -> FaceDetector:
        """The detector this reader uses (share it only within the same worker thread)."""
        return self._detector

    def predict_faces(self, x: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """[N,48,48] uint8 grey faces -> [N,7] probabilities in ``LABELS`` order."""
        if len(x) == 0:
            return np.zeros((0, N_LABELS), dtype=np.float32)
        probs = self._predict(np.asarray(x, dtype=np.float32))
        return np.asarray(probs[:, self._permutation], dtype=np.float32)

    def read(self, data: bytes) -> PhotoReading:
        s = self.settings
        decoded = decode_image(
            data, max_bytes=s.max_bytes, max_pixels=s.max_pixels, max_side=s.decode_side
        )
        if isinstance(decoded, PhotoProblem):
            return PhotoReading(problem=decoded)
        try:
            return self.read_decoded(decoded)
        except Exception:  # the contract is "never raises": an OpenCV surprise is no crash
            return PhotoReading(problem=PhotoProblem.UNAVAILABLE, image_size=decoded.size)

    def read_decoded(self, decoded: DecodedImage, *, try_turns: bool = True) -> PhotoReading:
        """Detect and classify on an already decoded image (for callers holding pixels).

        A photo with a face only when turned (lost EXIF orientation) is read turned: its
        boxes and ``image_size`` are then those of the turned image (unless ``try_turns`` is
        False: video frames, read many at a time, skip that search).
        """
        if try_turns:
            detection = self._detector.detect_turned(decoded.pixels)
        else:  # video frames: the camera's orientation is the video's, no turns to try
            detection = Detection(self._detector.detect(decoded.pixels))
        found = detection.faces
        gray = to_gray(decoded.pixels)
        size = decoded.size
        if detection.turns:  # a sideways photo: read it (and report boxes) the way it shows a face
            gray = np.ascontiguousarray(np.rot90(gray, detection.turns))
            size = (size[1], size[0]) if detection.turns % 2 else size
        if not found:
            return PhotoReading(problem=PhotoProblem.NO_FACE, image_size=size)
        scale = decoded.scale
        faces = tuple(_rescale(face, 1.0 / scale) for face in found)
        if faces[0].width < self.settings.min_face_pixels:
            return PhotoReading(faces=faces, problem=PhotoProblem.FACE_TOO_SMALL, image_size=size)
        crop = crop_face(gray, found[0])
        try:
            probs = self.predict_faces(crop[None])[0]
        except Exception:  # a broken model must not take the conversation down with it
            return PhotoReading(faces=faces, problem=PhotoProblem.UNAVAILABLE, image_size=size)
        seen = min(1.0, found[0].width / INPUT_SIZE)  # fewer pixels than the net's input: less sure
        estimate = EmotionEstimate(
            probabilities=tuple(float(p) for p in probs),
            source=Source.FACE,
            confidence=float(probs.max()) * seen,
        )
        return PhotoReading(estimate=estimate, faces=faces, image_size=size)


def _rescale(face: FaceBox, factor: float) -> FaceBox:
    if factor == 1.0:
        return face
    return FaceBox(
        x=round(face.x * factor),
        y=round(face.y * factor),
        width=round(face.width * factor),
        height=round(face.height * factor),
        confidence=face.confidence,
    )


def load_face_reader(
    model_dir: Path | None = None, *, settings: ReaderSettings | None = None
) -> FaceReader:
    """Load the committed model (or ``model_dir``) once and warm it up with one prediction."""
    model, _config, permutation = load_network(model_dir or DEFAULT_MODEL_DIR)
    tta = settings.tta if settings else True
    reader = FaceReader(make_predictor(model, tta=tta), permutation, settings=settings)
    reader.predict_faces(np.full((1, INPUT_SIZE, INPUT_SIZE), 128, dtype=np.uint8))
    return reader
