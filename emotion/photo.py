"""What reading a photo can give back: the shared result type of image intake + face reading.

Every adapter hands raw bytes to a ``PhotoReader`` and gets a ``PhotoReading``; a bad image is
a ``PhotoProblem`` value, never an exception, so the core can answer kindly and carry on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from emotion.labels import EmotionEstimate


class PhotoProblem(StrEnum):
    EMPTY = "empty"  # zero bytes
    TOO_LARGE = "too_large"  # over the byte limit
    TOO_MANY_PIXELS = "too_many_pixels"  # header says more pixels than allowed (decompression bomb)
    NOT_AN_IMAGE = "not_an_image"  # bytes are no image at all
    UNSUPPORTED_FORMAT = "unsupported_format"  # an image, but not JPEG/PNG/WebP
    TRUNCATED = "truncated"  # cut short or corrupt
    ANIMATED = "animated"  # more than one frame
    TOO_SMALL = "too_small"  # too few pixels to hold a readable face
    NO_FACE = "no_face"
    FACE_TOO_SMALL = "face_too_small"
    UNAVAILABLE = "unavailable"  # the face model is missing or failed


@dataclass(frozen=True, slots=True)
class FaceBox:
    """A detected face in the (EXIF-upright) image's pixel coordinates."""

    x: int
    y: int
    width: int
    height: int
    confidence: float

    @property
    def area(self) -> int:
        return self.width * self.height


@dataclass(frozen=True, slots=True)
class PhotoReading:
    """The outcome of reading one photo.

    ``estimate`` is set only when a face was read; ``faces`` lists every face found (largest
    first), ``problem`` says why there is no estimate.
    """

    estimate: EmotionEstimate | None = None
    faces: tuple[FaceBox, ...] = ()
    problem: PhotoProblem | None = None
    image_size: tuple[int, int] | None = None  # (width, height) after EXIF rotation

    @property
    def face(self) -> FaceBox | None:
        """The face the estimate belongs to: the largest one."""
        return self.faces[0] if self.faces else None

    @property
    def face_fraction(self) -> float:
        """Share of the shorter image side the used face spans (0..1); 0 when there is none."""
        if self.face is None or not self.image_size:
            return 0.0
        return min(1.0, self.face.width / max(1, min(self.image_size)))


class PhotoReader(Protocol):
    def read(self, data: bytes) -> PhotoReading: ...
