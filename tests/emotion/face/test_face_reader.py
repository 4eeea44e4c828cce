"""The reader end to end with the committed model: the behaviour list of the issue."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from emotion.face.reader import FaceReader, ReaderSettings
from emotion.labels import N_LABELS, Source
from emotion.photo import PhotoProblem, PhotoReading
from tests.emotion.face.face_images import encode, landscape


def _read(reader: FaceReader, image: Image.Image) -> PhotoReading:
    return reader.read(encode(image, "JPEG", quality=92))


def test_real_face_is_found_and_classified(face_reader: FaceReader, grace_bytes: bytes) -> None:
    reading = face_reader.read(grace_bytes)
    assert reading.problem is None
    assert reading.image_size == (512, 600)
    assert len(reading.faces) == 1
    estimate = reading.estimate
    assert estimate is not None
    assert estimate.source is Source.FACE
    assert 0.0 < estimate.confidence <= 1.0
    assert estimate.top_probability > 1.0 / N_LABELS
    assert sum(estimate.probabilities) == pytest.approx(1.0)
    assert 0.3 < reading.face_fraction <= 1.0


@pytest.mark.parametrize(
    "change",
    ["mirror", "rotate +6", "rotate -6", "resize 0.6", "resize 1.8", "png"],
)
def test_label_survives_small_changes(
    face_reader: FaceReader, grace_bytes: bytes, grace_image: Image.Image, change: str
) -> None:
    original = face_reader.read(grace_bytes).estimate
    assert original is not None
    if change == "mirror":
        changed = grace_image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    elif change.startswith("rotate"):
        angle = float(change.split()[1])
        changed = grace_image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor="gray")
    elif change.startswith("resize"):
        factor = float(change.split()[1])
        changed = grace_image.resize((round(512 * factor), round(600 * factor)))
    else:
        changed = grace_image
    data = encode(changed, "PNG") if change == "png" else encode(changed, "JPEG", quality=92)
    reading = face_reader.read(data)
    assert reading.estimate is not None, reading.problem
    assert reading.estimate.top is original.top


def test_no_face_in_a_landscape(face_reader: FaceReader) -> None:
    reading = _read(face_reader, Image.fromarray(landscape()))
    assert reading.problem is PhotoProblem.NO_FACE
    assert reading.estimate is None and reading.faces == ()
    assert reading.image_size == (960, 640)


def test_two_faces_the_larger_is_used(face_reader: FaceReader, grace_image: Image.Image) -> None:
    canvas = Image.new("RGB", (1400, 700), (200, 200, 200))
    canvas.paste(grace_image.resize((256, 300)), (60, 300))
    canvas.paste(grace_image, (800, 50))
    reading = _read(face_reader, canvas)
    assert len(reading.faces) == 2
    assert reading.face is reading.faces[0]
    assert reading.faces[0].area > reading.faces[1].area
    assert reading.faces[0].x > 700
    assert reading.estimate is not None


def test_bad_bytes_are_a_problem_not_an_exception(face_reader: FaceReader) -> None:
    assert face_reader.read(b"").problem is PhotoProblem.EMPTY
    assert face_reader.read(b"GIF89a not really").problem is not None
    assert face_reader.read(b"\x89PNG\r\n\x1a\n" + bytes(50)).problem is not None


def test_big_photo_boxes_are_in_full_size_coordinates(
    face_reader: FaceReader, grace_image: Image.Image
) -> None:
    """A 12-megapixel JPEG is decoded reduced; boxes and size still refer to the full photo."""
    big = Image.new("RGB", (4000, 3000), (180, 170, 160))
    big.paste(grace_image.resize((1024, 1200)), (1500, 900))
    reading = _read(face_reader, big)
    assert reading.image_size == (4000, 3000)
    assert reading.estimate is not None
    face = reading.faces[0]
    assert 1500 < face.x < 2524 and 300 < face.width < 1024


def test_face_too_small(face_reader: FaceReader, grace_bytes: bytes) -> None:
    picky = FaceReader(
        face_reader._predict,
        face_reader._permutation,
        settings=ReaderSettings(min_face_pixels=1000),
    )
    reading = picky.read(grace_bytes)
    assert reading.problem is PhotoProblem.FACE_TOO_SMALL
    assert reading.estimate is None and len(reading.faces) == 1


def test_broken_model_is_unavailable(grace_bytes: bytes) -> None:
    def broken(x: np.ndarray) -> np.ndarray:
        raise RuntimeError("model gone")

    reading = FaceReader(broken, list(range(N_LABELS))).read(grace_bytes)
    assert reading.problem is PhotoProblem.UNAVAILABLE
    assert len(reading.faces) == 1


def test_predict_faces_batch(face_reader: FaceReader) -> None:
    faces = np.random.default_rng(1).integers(0, 256, (5, 48, 48), dtype=np.uint8)
    probs = face_reader.predict_faces(faces)
    assert probs.shape == (5, N_LABELS) and probs.dtype == np.float32
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert face_reader.predict_faces(faces[:0]).shape == (0, N_LABELS)
    single = face_reader.predict_faces(faces[2:3])
    assert np.allclose(single[0], probs[2], atol=1e-5)


def test_outputs_follow_the_labels_file(face_reader: FaceReader) -> None:
    """A model whose labels file lists another order gets its columns re-ordered."""
    reversed_reader = FaceReader(face_reader._predict, list(reversed(range(N_LABELS))))
    faces = np.random.default_rng(2).integers(0, 256, (3, 48, 48), dtype=np.uint8)
    assert np.allclose(
        reversed_reader.predict_faces(faces), face_reader.predict_faces(faces)[:, ::-1], atol=1e-6
    )
