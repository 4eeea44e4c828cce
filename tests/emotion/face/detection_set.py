"""A labelled face-detection set built in memory: faces pasted into scenes with known boxes.

Faces: matplotlib's sample portrait (its face region) and, when ``FER_DIR`` holds FER-2013's
``val.npz``, some of its 48x48 faces. Each is pasted into a textured 640x480 (or larger) scene at
several sizes, in-plane rotations and lightings (dim, a hard side shadow, over-exposed); scenes
without faces measure false positives. The truth box is the face's axis-aligned square in the
scene. A detection matches a truth when its centre lies inside the truth box and its side is
within a factor of two of the truth's (detectors draw differently sized boxes round the same face).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from matplotlib import cbook
from PIL import Image

from emotion.photo import FaceBox
from tests.emotion.face.face_images import landscape

FER_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "fer2013"
#: The sample portrait's face square (x, y, side) in its 512x600 pixels, placed by eye around
#: brows-to-chin (the detectors' own boxes were not used, so no detector is favoured).
GRACE_FACE = (160, 120, 210)

SIZES = (48, 80, 140, 240)  # face side in scene pixels
ANGLES = (0, 25, -40)  # in-plane rotation, degrees
LIGHTS = ("normal", "dim", "shadow", "bright")


@dataclass(frozen=True, slots=True)
class Scene:
    name: str
    image: npt.NDArray[np.uint8]  # RGB [H, W, 3]
    truths: tuple[tuple[int, int, int], ...]  # (centre x, centre y, side)


#: Draws a scene's background: (width, height, seed) -> a new RGB [H, W, 3] array.
Background = Callable[[int, int, int], npt.NDArray[np.uint8]]


def background(width: int, height: int, seed: int) -> npt.NDArray[np.uint8]:
    """A textured or landscape background (most of the time a scene takes to draw)."""
    if seed % 2:
        return landscape(width, height, seed)
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    base = (
        100
        + 50 * np.sin(xs / (60.0 + seed)) * np.cos(ys / 45.0)
        + rng.normal(0, 14, (height, width))
    )
    stacked = np.stack([base, base * 0.9 + 15, base * 0.8 + 25], -1)
    return np.asarray(np.clip(stacked, 0, 255), dtype=np.uint8)


def grace_face() -> npt.NDArray[np.uint8]:
    """The portrait's face with room round it (1.8x the face square), RGB."""
    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    x, y, side = GRACE_FACE
    pad = int(side * 0.4)
    return np.ascontiguousarray(rgb[max(0, y - pad) : y + side + pad, x - pad : x + side + pad])


def fer_faces(count: int) -> list[npt.NDArray[np.uint8]]:
    """The first ``count`` FER-2013 val faces as RGB (none when the data is not here)."""
    path = FER_DIR / "val.npz"
    if not path.is_file():
        return []
    with np.load(path) as data:
        faces = np.asarray(data["x"][:count], dtype=np.uint8).reshape(-1, 48, 48)
    return [np.repeat(face[..., None], 3, axis=2) for face in faces]


def _light(image: npt.NDArray[np.uint8], light: str) -> npt.NDArray[np.uint8]:
    value = image.astype(np.float32)
    if light == "dim":
        value = 255.0 * (value / 255.0) ** 2.2 * 0.7
    elif light == "bright":
        value = value * 1.5 + 40
    elif light == "shadow":
        ramp = np.linspace(1.0, 0.25, value.shape[1], dtype=np.float32)
        value = value * ramp[None, :, None]
    return np.clip(value, 0, 255).astype(np.uint8)


def _paste(
    scene: npt.NDArray[np.uint8],
    patch: npt.NDArray[np.uint8],
    face_share: float,
    side: int,
    angle: float,
    centre: tuple[int, int],
) -> tuple[int, int, int]:
    """Paste ``patch`` (face square = ``face_share`` of its side) so the face is ``side`` px."""
    patch_side = round(side / face_share)
    resized = cv2.resize(patch, (patch_side, patch_side), interpolation=cv2.INTER_AREA)
    rotation = cv2.getRotationMatrix2D((patch_side / 2, patch_side / 2), angle, 1.0)
    turned = cv2.warpAffine(
        resized, rotation, (patch_side, patch_side), borderMode=cv2.BORDER_REPLICATE
    )
    mask = np.zeros((patch_side, patch_side), np.uint8)
    cv2.circle(mask, (patch_side // 2, patch_side // 2), patch_side // 2 - 1, 255, -1)
    cx, cy = centre
    x0, y0 = cx - patch_side // 2, cy - patch_side // 2
    region = scene[y0 : y0 + patch_side, x0 : x0 + patch_side]
    keep = mask[: region.shape[0], : region.shape[1], None] > 0
    region[...] = np.where(keep, turned[: region.shape[0], : region.shape[1]], region)
    return cx, cy, side


def scenes(
    *, fer_count: int = 24, width: int = 640, height: int = 480, draw: Background = background
) -> Iterator[Scene]:
    """Scenes with one face each (every size x angle x light for the portrait; FER faces at
    varied settings), then as many scenes without a face. A scene's name and size fix its
    pixels, whatever ``fer_count``. ``draw`` makes the backgrounds (``background``, or one that
    hands out copies of those it already drew: the sets of two ``fer_count`` share most)."""
    grace = grace_face()
    share = GRACE_FACE[2] / grace.shape[0]
    n = 0
    for side in SIZES:
        for angle in ANGLES:
            for light in LIGHTS:
                scene = draw(width, height, n)
                centre = (width // 3 + (n * 37) % (width // 3), height // 2)
                truth = _paste(scene, grace, share, side, angle, centre)
                yield Scene(f"grace-{side}-{angle}-{light}", _light(scene, light), (truth,))
                n += 1
    for i, face in enumerate(fer_faces(fer_count)):
        side, angle, light = SIZES[i % 4], ANGLES[(i // 4) % 3], LIGHTS[(i // 2) % 4]
        scene = draw(width, height, n)
        # FER crops are the face itself, margin-less: pasted inside a replicated border.
        padded = np.asarray(
            cv2.copyMakeBorder(face, 12, 12, 12, 12, cv2.BORDER_REPLICATE), np.uint8
        )
        truth = _paste(scene, padded, 48 / 72, side, angle, (width // 2, height // 2))
        yield Scene(f"fer{i}-{side}-{angle}-{light}", _light(scene, light), (truth,))
        n += 1
    for i in range(n):
        yield Scene(f"empty-{i}", _light(draw(width, height, 1000 + i), LIGHTS[i % 4]), ())


def unturned(faces: Sequence[FaceBox], turns: int, width: int, height: int) -> list[FaceBox]:
    """Boxes found in the image turned ``turns`` quarter turns counter-clockwise (``np.rot90``,
    as ``FaceDetector.detect_turned`` reports them) put back in the upright ``width`` x
    ``height`` image's pixels, to score them against its truths."""
    back = []
    for f in faces:
        if turns % 4 == 1:
            box = (width - (f.y + f.height), f.x, f.height, f.width)
        elif turns % 4 == 2:
            box = (width - (f.x + f.width), height - (f.y + f.height), f.width, f.height)
        elif turns % 4 == 3:
            box = (f.y, height - (f.x + f.width), f.height, f.width)
        else:
            box = (f.x, f.y, f.width, f.height)
        back.append(FaceBox(*box, f.confidence))
    return back


def matches(face: FaceBox, truth: tuple[int, int, int]) -> bool:
    cx, cy, side = truth
    fx, fy = face.x + face.width / 2, face.y + face.height / 2
    inside = abs(fx - cx) <= side / 2 and abs(fy - cy) <= side / 2
    return inside and 0.5 <= max(face.width, face.height) / side <= 2.0


@dataclass(frozen=True, slots=True)
class Score:
    found: int
    faces: int
    false_positives: int  # boxes matching no truth (includes badly placed boxes on a face)
    scenes: int
    empty_scene_hits: int = 0  # boxes in scenes without any face

    @property
    def recall(self) -> float:
        return self.found / max(1, self.faces)


def score(detections: Sequence[tuple[Scene, Sequence[FaceBox]]]) -> Score:
    """Recall over the truths; false positives = detections that match no truth."""
    found = faces = false = empty = 0
    for scene, boxes in detections:
        empty += 0 if scene.truths else len(boxes)
        faces += len(scene.truths)
        hit = [any(matches(b, t) for b in boxes) for t in scene.truths]
        found += sum(hit)
        false += sum(1 for b in boxes if not any(matches(b, t) for t in scene.truths))
    return Score(found, faces, false, len(detections), empty)


def jpeg(image: npt.NDArray[np.uint8]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
