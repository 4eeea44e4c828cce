"""Face detection and the crop the network reads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from emotion.face.detect import FaceDetector, HaarDetector, TileSettings, tile_origins
from emotion.face.detect_blazeface import (
    BlazeFaceDetector,
    ModelFileError,
    Variant,
    anchors,
    model_path,
    verified_bytes,
)
from emotion.face.preprocess import INPUT_SIZE, crop_face, square_around, to_gray
from emotion.photo import FaceBox
from tests.emotion.face.detection_set import Scene, Score, background, scenes, score, unturned
from tests.emotion.face.face_images import landscape


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


Detect = Callable[[npt.NDArray[np.uint8]], Sequence[FaceBox]]


class Looks:
    """The labelled sets' backgrounds, and each detector's boxes in them, computed once per
    module.

    The three tests over the labelled sets below draw sets that share most scenes (drawing the
    1280x960 backgrounds alone took about 25 s of CPU on the 2 test cores) and run the same
    detectors on the same images: about 140 s of CPU when each test did all of it. Backgrounds
    are kept per (width, height, seed) and handed out as copies; a detector's boxes are kept per
    detector name (one detector, one setting) and image content (a hash of its pixels), so a
    scene two sets share is read once by each detector, and anything else is read afresh.
    """

    def __init__(self) -> None:
        self._backgrounds: dict[tuple[int, int, int], npt.NDArray[np.uint8]] = {}
        self._boxes: dict[tuple[str, bytes], Sequence[FaceBox]] = {}

    def _draw(self, width: int, height: int, seed: int) -> npt.NDArray[np.uint8]:
        key = (width, height, seed)
        if key not in self._backgrounds:
            self._backgrounds[key] = background(width, height, seed)
        return self._backgrounds[key].copy()  # scenes() pastes faces into it

    def scenes(self, *, fer_count: int = 24, width: int = 640, height: int = 480) -> list[Scene]:
        """``list(detection_set.scenes(...))``, the same pixels, drawn from kept backgrounds."""
        return list(scenes(fer_count=fer_count, width=width, height=height, draw=self._draw))

    def boxes(self, name: str, detect: Detect, image: npt.NDArray[np.uint8]) -> Sequence[FaceBox]:
        """``detect(image)``, run once per detector ``name`` and image content."""
        key = (name, hashlib.blake2b(np.ascontiguousarray(image).data, digest_size=16).digest())
        if key not in self._boxes:
            self._boxes[key] = detect(image)
        return self._boxes[key]

    def score(self, name: str, detect: Detect, labelled: Sequence[Scene]) -> Score:
        return score([(s, self.boxes(name, detect, s.image)) for s in labelled])


@pytest.fixture(scope="module")
def looks() -> Looks:
    return Looks()  # about 0.7 GB of backgrounds, let go of with the module


@pytest.fixture(scope="module")
def haar() -> HaarDetector:
    return HaarDetector()


def _gray(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.uint8)


def test_finds_the_face_in_a_real_photo(detector: FaceDetector, grace_image: Image.Image) -> None:
    faces = detector.detect(_gray(grace_image))
    assert len(faces) == 1
    face = faces[0]
    # Grace Hopper's face is in the upper middle of the 512x600 portrait.
    assert 150 <= face.width <= 320
    assert 150 < face.x + face.width / 2 < 360
    assert 120 < face.y + face.height / 2 < 330
    assert 0.5 < face.confidence <= 1.0


def test_no_face_in_a_landscape(detector: FaceDetector) -> None:
    assert detector.detect(to_gray(landscape())) == ()


def test_no_face_in_flat_or_noisy_images(detector: FaceDetector) -> None:
    assert detector.detect(np.full((480, 640), 128, dtype=np.uint8)) == ()
    noise = np.random.default_rng(0).integers(0, 256, (480, 640), dtype=np.uint8)
    assert detector.detect(noise) == ()


def test_boxes_are_in_the_given_image_coordinates(
    detector: FaceDetector, grace_image: Image.Image
) -> None:
    """A big image is scanned downscaled; boxes must still come back at full scale."""
    small = detector.detect(_gray(grace_image))[0]
    big = detector.detect(_gray(grace_image.resize((1536, 1800))))[0]
    assert big.width == pytest.approx(3 * small.width, rel=0.15)
    assert big.x == pytest.approx(3 * small.x, abs=0.1 * big.width)


def test_two_faces_largest_first(detector: FaceDetector, grace_image: Image.Image) -> None:
    canvas = Image.new("RGB", (1400, 700), (200, 200, 200))
    canvas.paste(grace_image.resize((256, 300)), (60, 300))
    canvas.paste(grace_image, (800, 50))
    faces = detector.detect(np.asarray(canvas, dtype=np.uint8))
    assert len(faces) == 2
    assert faces[0].area > faces[1].area
    assert faces[0].x > 700 and faces[1].x < 400


def test_square_crop_is_centred_with_margin() -> None:
    left, top, side = square_around(FaceBox(100, 200, 80, 100, 1.0), margin=0.1)
    assert side == 120  # longest side 100 plus 10% each side
    assert left + side / 2 == pytest.approx(140)
    assert top + side / 2 == pytest.approx(250)


def test_crop_shape_and_content() -> None:
    gray = np.zeros((200, 200), dtype=np.uint8)
    gray[50:150, 50:150] = 255
    crop = crop_face(gray, FaceBox(50, 50, 100, 100, 1.0), margin=0.0)
    assert crop.shape == (INPUT_SIZE, INPUT_SIZE) and crop.dtype == np.uint8
    assert crop.min() > 200  # exactly the white square


def test_crop_past_the_edge_repeats_border_pixels() -> None:
    gray = np.full((100, 100), 90, dtype=np.uint8)
    crop = crop_face(gray, FaceBox(-30, -30, 60, 60, 1.0), margin=0.2)
    assert crop.shape == (INPUT_SIZE, INPUT_SIZE)
    assert crop.min() == 90  # no black padding


def test_to_gray_uses_luma() -> None:
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[..., 1] = 255  # pure green is bright
    assert int(to_gray(rgb)[0, 0]) == pytest.approx(150, abs=2)
    gray = np.ones((3, 3), dtype=np.uint8)
    assert to_gray(gray) is gray


def test_anchor_counts_match_the_models_outputs() -> None:
    """MediaPipe's anchor layout: 896 for short range, 2304 for full range."""
    assert anchors(Variant.SHORT.value).shape == (896, 2)
    assert anchors(Variant.FULL.value).shape == (2304, 2)
    first = anchors(Variant.SHORT.value)[0]
    assert tuple(first) == pytest.approx((0.5 / 16, 0.5 / 16))


def test_model_file_with_the_wrong_hash_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.tflite"
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelFileError):
        verified_bytes(fake, Variant.SHORT.value.sha256)
    real = model_path(Variant.SHORT.value)
    assert verified_bytes(real, Variant.SHORT.value.sha256)[:8]


def test_without_blazeface_the_cascade_still_works(grace_image: Image.Image) -> None:
    haar_only = FaceDetector(use_blazeface=False)
    assert haar_only.blazeface is None
    assert len(haar_only.detect(_gray(grace_image))) == 1


def test_both_blazeface_variants_find_the_portrait(grace_image: Image.Image) -> None:
    rgb = np.asarray(grace_image, dtype=np.uint8)
    for variant in Variant:
        faces = BlazeFaceDetector(variant).detect(rgb)
        assert len(faces) == 1
        assert 150 < faces[0].x + faces[0].width / 2 < 360


def test_a_sideways_photo_is_read_turned(detector: FaceDetector, grace_image: Image.Image) -> None:
    rgb = np.asarray(grace_image, dtype=np.uint8)
    sideways = np.ascontiguousarray(np.rot90(rgb, -1))  # camera held sideways, EXIF lost
    found = detector.detect_turned(sideways)
    assert found.turns == 1 and len(found.faces) == 1
    assert detector.detect_turned(rgb).turns == 0


def test_tilted_faces_found_where_the_cascade_misses(
    detector: FaceDetector, haar: HaarDetector, looks: Looks
) -> None:
    """The labelled set (portrait at 4 sizes x 3 tilts x 4 lightings, and as many empty
    scenes): the detector must beat the cascade by 10 points of recall, with no box in an
    empty scene."""
    labelled = looks.scenes(fer_count=0)
    ours = looks.score("detector", detector.detect, labelled)
    theirs = looks.score("haar", haar.detect, labelled)
    assert ours.recall >= theirs.recall + 0.10
    assert ours.empty_scene_hits <= theirs.empty_scene_hits


def test_tiles_cover_the_image_and_overlap() -> None:
    origins = tile_origins(1280, 960, 640, 0.25)
    assert origins == [(x, y) for y in (0, 320) for x in (0, 480, 640)]
    covered = np.zeros((960, 1280), bool)
    for x, y in origins:
        covered[y : y + 640, x : x + 640] = True
    assert covered.all()
    assert tile_origins(300, 200, 400, 0.25) == [(0, 0)]  # no larger than a tile: one


def _small(labelled: list[Scene], share: float) -> list[Scene]:
    """The scenes whose face is under ``share`` of the width (with the empty ones)."""
    return [s for s in labelled if all(t[2] < share * s.image.shape[1] for t in s.truths)]


def test_small_faces_in_a_large_photo_are_found_on_tiles(
    detector: FaceDetector, looks: Looks
) -> None:
    """1280x960 scenes whose face is under 10 % of the width: the second look on tiles finds
    more of them than the whole photo does, and puts no box where there is no face."""
    labelled = _small(looks.scenes(fer_count=0, width=1280, height=960), 0.10)
    whole = FaceDetector(tiles=TileSettings(min_image_side=10**9))  # never tiles
    tiled = looks.score("detector", detector.detect, labelled)
    untiled = looks.score("never tiled", whole.detect, labelled)
    assert tiled.recall >= untiled.recall + 0.10
    assert tiled.false_positives <= untiled.false_positives
    assert tiled.empty_scene_hits == 0


def _upright(detector: FaceDetector, image: np.ndarray) -> list[FaceBox]:
    found = detector.detect_turned(image)
    return unturned(found.faces, found.turns, image.shape[1], image.shape[0])


def test_turned_boxes_are_put_back_upright() -> None:
    """A box found after a quarter turn lands on the same face in the upright image."""
    upright = np.zeros((480, 640), np.uint8)
    upright[100:140, 300:360] = 255  # x 300..359, y 100..139
    for turns in range(4):
        turned = np.rot90(upright, turns)
        ys, xs = np.nonzero(turned)
        box = FaceBox(int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1, 1.0)
        back = unturned([box], turns, 640, 480)[0]
        assert (back.x, back.y, back.width, back.height) == (300, 100, 60, 40), turns


def test_no_more_false_positives_than_the_cascade(
    detector: FaceDetector, haar: HaarDetector, looks: Looks
) -> None:
    """Both labelled sets (with FER-2013's low-resolution faces where the data is here: the
    full-range model put boxes inside the large ones), upright and with turns as the reader
    runs it (turned boxes put back upright to be scored): no box that matches no face where
    the cascade has none, and 10 points more recall."""
    turned = partial(_upright, detector)
    for width, height in ((640, 480), (1280, 960)):
        labelled = looks.scenes(width=width, height=height)
        theirs = looks.score("haar", haar.detect, labelled)
        for name, detect in (("detector", detector.detect), ("turned", turned)):
            ours = looks.score(name, detect, labelled)
            assert ours.false_positives <= theirs.false_positives, (width, ours)
            assert ours.recall >= theirs.recall + 0.10, (width, ours)
