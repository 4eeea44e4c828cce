"""Face detection: BlazeFace first, then on tiles for small faces, the Haar cascade, quarter
turns last.

``FaceDetector`` is what the reader uses. It runs BlazeFace full range (short range is faster,
but missed small faces: bench/face_bench.py --detection) (``emotion.face.detect_blazeface``:
finds turned, tilted and half-lit faces that the cascade misses, at a few milliseconds). When
that finds nothing, it runs again on overlapping tiles of the image (``TileSettings``): the
whole photo is shrunk to the model's 192x192 input, where a face under ~10 % of a large photo's
width is a dozen pixels; in a tile of half the photo it is twice that. When the tiles find
nothing either it tries the Haar cascade; when no face is found in the upright image it tries
the image turned by a quarter, half and three quarters (a sideways photo whose EXIF orientation
was lost). If the BlazeFace model file is not installed or fails its hash check, the cascade
alone is used.

A BlazeFace box it is not sure of (score under ``verify_below``) is looked at again with room
round it (``verify_context`` times its side): a real face is found again at about its size; a
face-like part of something larger — the eyes and nose of a big, blurred face — is not, since
that crop shows the larger thing whole, and is dropped. (The labelled set's false positives
were such boxes, inside one large low-resolution FER face in its placements and turns; with 3x
the context the model found the part again in two of three, with 2x-2.5x in none, and no true
face on the set was lost at 2.5x: bench/face_bench.py --detection.)

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

from emotion.face.detect_blazeface import (
    BlazeFaceDetector,
    ModelFileError,
    Variant,
    weighted_nms,
)
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
class TileSettings:
    """Overlapping square tiles for the second, closer look for small faces.

    A tile's side is ``share`` of the image's longer side (at least the model's input side:
    smaller tiles would only be enlarged), neighbours overlap by ``overlap`` of a side so a
    face up to that size lies whole in some tile; images whose longer side is under
    ``min_image_side`` are not tiled.
    """

    share: float = 0.5
    overlap: float = 0.25
    min_image_side: int = 400


def tile_origins(width: int, height: int, side: int, overlap: float) -> list[tuple[int, int]]:
    """Top-left corners of square ``side``-pixel tiles covering a ``width`` x ``height``
    image, neighbours overlapping by ``overlap`` of a side; the last row and column end at the
    image's edge. One tile (0, 0) when the image is no larger than a tile."""
    step = max(1, round(side * (1 - overlap)))

    def starts(length: int) -> list[int]:
        if length <= side:
            return [0]
        found = list(range(0, length - side, step))
        return [*found, length - side]

    return [(x, y) for y in starts(height) for x in starts(width)]


def merge_faces(faces: list[FaceBox], iou: float) -> tuple[FaceBox, ...]:
    """One box per face for boxes from overlapping tiles (MediaPipe's weighted NMS)."""
    if not faces:
        return ()
    boxes = np.array([[f.x, f.y, f.x + f.width, f.y + f.height] for f in faces], np.float32)
    scores = np.array([f.confidence for f in faces], np.float32)
    merged = weighted_nms(boxes, scores, iou)
    return tuple(
        FaceBox(round(x0), round(y0), round(x1 - x0), round(y1 - y0), score)
        for (x0, y0, x1, y1), score in merged
    )


@dataclass(frozen=True, slots=True)
class Detection:
    """Faces found, and the quarter turns (0..3, counter-clockwise, as ``np.rot90``) the image
    needed for them: boxes are in the turned image's pixels."""

    faces: tuple[FaceBox, ...]
    turns: int = 0


class FaceDetector:
    """BlazeFace, then BlazeFace on tiles and Haar for small faces, then quarter turns (see the
    module docstring).

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
        tiles: TileSettings | None = None,
        verify_below: float = 0.85,
        verify_context: float = 2.5,
        verify_sizes: tuple[float, float] = (0.6, 1.6),
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
        self.tiles = tiles or TileSettings()
        #: A box under ``verify_below`` is looked at again in a crop ``verify_context`` times its
        #: side, and kept if a face is found there centred in it, at ``verify_sizes`` (least,
        #: most) times its side.
        self.verify_below = verify_below
        self.verify_context = verify_context
        self.verify_sizes = verify_sizes

    def detect(self, image: npt.NDArray[np.uint8], *, tiled: bool = True) -> tuple[FaceBox, ...]:
        """Faces in the upright grey [H, W] or RGB [H, W, 3] uint8 image, largest first.

        ``tiled=False`` skips the second look on tiles (a caller with many frames of the same
        scene, where the cost would multiply)."""
        blazeface = self.blazeface
        if blazeface is not None:
            if image.ndim == 2:
                image = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2RGB), dtype=np.uint8)
            found = self._verified(image, blazeface.detect(image))
            if not found and tiled:
                found = self._verified(image, self._detect_tiles(blazeface, image))
            if found:
                return tuple(as_cascade_box(face) for face in found)
        return self.haar.detect(image)

    def _detect_tiles(
        self, blazeface: BlazeFaceDetector, image: npt.NDArray[np.uint8]
    ) -> tuple[FaceBox, ...]:
        """BlazeFace on overlapping tiles (``TileSettings``), boxes in the image's pixels."""
        height, width = image.shape[:2]
        settings = self.tiles
        if max(height, width) < settings.min_image_side:
            return ()
        side = max(blazeface.model.input_side, round(max(height, width) * settings.share))
        side = min(side, height, width)
        faces: list[FaceBox] = []
        for x, y in tile_origins(width, height, side, settings.overlap):
            tile = np.ascontiguousarray(image[y : y + side, x : x + side])
            faces.extend(
                FaceBox(f.x + x, f.y + y, f.width, f.height, f.confidence)
                for f in blazeface.detect(tile)
            )
        merged = merge_faces(faces, blazeface.settings.nms_iou)
        return tuple(sorted(merged, key=lambda f: (f.area, f.confidence), reverse=True))

    def _verified(
        self, image: npt.NDArray[np.uint8], faces: tuple[FaceBox, ...]
    ) -> tuple[FaceBox, ...]:
        """``faces`` without the unsure boxes that a second look with context does not confirm
        (see the module docstring)."""
        return tuple(
            face
            for face in faces
            if face.confidence >= self.verify_below or self._confirmed(image, face)
        )

    def _confirmed(self, image: npt.NDArray[np.uint8], face: FaceBox) -> bool:
        assert self.blazeface is not None
        side = max(face.width, face.height)
        crop_side = max(1, round(side * self.verify_context))
        cx, cy = face.x + face.width / 2, face.y + face.height / 2
        x0, y0 = round(cx - crop_side / 2), round(cy - crop_side / 2)
        height, width = image.shape[:2]
        # Past the edges the border is repeated, as a crop of the face would be.
        crop = cv2.copyMakeBorder(
            image[max(0, y0) : max(0, y0 + crop_side), max(0, x0) : max(0, x0 + crop_side)],
            max(0, -y0),
            max(0, y0 + crop_side - height),
            max(0, -x0),
            max(0, x0 + crop_side - width),
            cv2.BORDER_REPLICATE,
        )
        least, most = self.verify_sizes
        for again in self.blazeface.detect(np.ascontiguousarray(crop)):
            ax, ay = again.x + again.width / 2 + x0, again.y + again.height / 2 + y0
            centred = abs(ax - cx) <= face.width / 2 and abs(ay - cy) <= face.height / 2
            if centred and least <= max(again.width, again.height) / side <= most:
                return True
        return False

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
            faces = self._verified(turned, self.blazeface.detect(turned))
            score = max((f.confidence for f in faces), default=0.0)
            if score > best_score + self.turn_margin:
                best, best_score = Detection(tuple(as_cascade_box(f) for f in faces), turns), score
        return best
