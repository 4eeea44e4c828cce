"""Latency of the face reader, one image at a time, as the bot runs it.

Measures: classifying one 48x48 face (the network with mirror TTA, called directly), and
``FaceReader.read`` end to end (decode + detect + crop + classify) on a 1280x960 JPEG and on a
12-megapixel (4000x3000) JPEG. The photos are built here from matplotlib's sample portrait
pasted onto a textured background. Targets from issue 4 are printed beside the figures; the
last line is one JSON object.

``--detection`` instead measures the face detectors (issue 17): recall and false positives on
the labelled set of ``tests/emotion/face/detection_set.py`` (the sample portrait and, where
``../shared/data/fer2013`` exists, FER-2013 val faces pasted into scenes at several sizes,
tilts and lightings, plus as many empty scenes), once in 640x480 scenes and once in 1280x960
ones (the same face sizes, so 48-140 px faces are 4-11 % of the width: small faces in a large
photo), for the Haar cascade, each BlazeFace variant alone and the detector the reader uses
(upright, and with its quarter turns as the reader runs it); and each one's p50/p95 on a
1280x960 photo with one large face (the reader's usual case), on the sample portrait (a box
under the detector's sure score: it gets a second look) and on an empty 1280x960 scene (every
fallback runs).
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable

import numpy as np
from matplotlib import cbook
from PIL import Image

from emotion.face.detect import FaceDetector, HaarDetector
from emotion.face.detect_blazeface import BlazeFaceDetector, Variant
from emotion.face.reader import load_face_reader
from emotion.photo import FaceBox
from tests.emotion.face.detection_set import scenes, score, unturned

TARGETS_MS = {
    "classify_face_p50": 5.0,
    "read_1280x960_p50": 60.0,
    "read_1280x960_p95": 150.0,
    "read_12mp_p95": 400.0,
}


def _photo(width: int, height: int, face_height: int) -> bytes:
    """A JPEG with one face on a noisy, gradient background (camera-like, not flat)."""
    rng = np.random.default_rng(0)
    ys, xs = np.mgrid[0:height, 0:width]
    base = 90 + 60 * np.sin(xs / 97.0) * np.cos(ys / 71.0) + rng.normal(0, 12, (height, width))
    background = np.clip(np.stack([base, base * 0.9 + 20, base * 0.8 + 30], -1), 0, 255)
    canvas = Image.fromarray(background.astype(np.uint8))
    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as portrait:
        face = portrait.convert("RGB").resize((round(face_height * 512 / 600), face_height))
    canvas.paste(face, ((width - face.width) // 2, (height - face.height) // 3))
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _time_ms(call: Callable[[], object], repeats: int) -> list[float]:
    call()  # warm caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--detection", action="store_true", help="measure the detectors")
    args = parser.parse_args(argv)
    if args.detection:
        return detection(args.repeats)
    reader = load_face_reader()
    face = np.random.default_rng(1).integers(0, 256, (1, 48, 48), dtype=np.uint8)
    photo = _photo(1280, 960, 600)
    big = _photo(4000, 3000, 1800)
    for data in (photo, big):
        reading = reader.read(data)
        if reading.estimate is None:
            raise SystemExit(f"bench photo not read: {reading.problem}")
    classify = _time_ms(lambda: reader.predict_faces(face), args.repeats * 3)
    medium = _time_ms(lambda: reader.read(photo), args.repeats)
    large = _time_ms(lambda: reader.read(big), max(10, args.repeats // 3))
    figures = {
        "classify_face_p50": float(np.percentile(classify, 50)),
        "read_1280x960_p50": float(np.percentile(medium, 50)),
        "read_1280x960_p95": float(np.percentile(medium, 95)),
        "read_12mp_p95": float(np.percentile(large, 95)),
        "read_12mp_p50": float(np.percentile(large, 50)),
    }
    for key, value in figures.items():
        target = TARGETS_MS.get(key)
        verdict = (
            ""
            if target is None
            else f"  target <= {target:.0f} ms: " + ("ok" if value <= target else "MISSED")
        )
        print(f"{key:20} {value:8.1f} ms{verdict}")
    print(json.dumps({key: round(value, 2) for key, value in figures.items()}))
    return 0


def _upright(detector: FaceDetector, image: np.ndarray) -> list[FaceBox]:
    """``detect_turned``'s faces, in the upright image's pixels (to score them)."""
    found = detector.detect_turned(image)
    return unturned(found.faces, found.turns, image.shape[1], image.shape[0])


def detection(repeats: int) -> int:
    """Recall / false positives on the labelled sets, and timings, per detector."""
    sets = {"640x480": list(scenes()), "1280x960": list(scenes(width=1280, height=960))}
    reader_detector = FaceDetector()
    detectors: dict[str, Callable[[np.ndarray], object]] = {
        "haar": HaarDetector().detect,
        "blazeface_short": BlazeFaceDetector(Variant.SHORT).detect,
        "blazeface_full": BlazeFaceDetector(Variant.FULL).detect,
        "attune upright": reader_detector.detect,
        "attune with turns": lambda image: _upright(reader_detector, image),
    }
    with Image.open(io.BytesIO(_photo(1280, 960, 600))) as opened:
        photo = np.asarray(opened.convert("RGB"), dtype=np.uint8)
    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as opened:
        portrait = np.asarray(opened.convert("RGB"), dtype=np.uint8)
    empty = sets["1280x960"][-1].image
    timed = {"photo": photo, "portrait": portrait, "empty": empty}
    figures: dict[str, dict[str, float]] = {}
    for size, labelled in sets.items():
        faces = sum(len(s.truths) for s in labelled)
        print(f"labelled set {size}: {len(labelled)} scenes, {faces} faces")
    for name, detect in detectors.items():
        row: dict[str, float] = {}
        for size, labelled in sets.items():
            found = score([(s, detect(s.image)) for s in labelled])  # type: ignore[misc]
            row[f"recall_{size}"] = round(found.recall, 3)
            row[f"fp_{size}"] = found.false_positives
            row[f"empty_hits_{size}"] = found.empty_scene_hits
        for what, image in timed.items():
            times = _time_ms(lambda d=detect, i=image: d(i), repeats)  # type: ignore[misc]
            row[f"p50_{what}_ms"] = round(float(np.percentile(times, 50)), 2)
            row[f"p95_{what}_ms"] = round(float(np.percentile(times, 95)), 2)
        figures[name] = row
        print(f"{name:18} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
