"""Latency of the face reader, one image at a time, as the bot runs it.

Measures: classifying one 48x48 face (the network with mirror TTA, called directly), and
``FaceReader.read`` end to end (decode + detect + crop + classify) on a 1280x960 JPEG and on a
12-megapixel (4000x3000) JPEG. The photos are built here from matplotlib's sample portrait
pasted onto a textured background. Targets from issue 4 are printed beside the figures; the
last line is one JSON object.

``--detection`` instead measures the face detectors (issue 17): recall and false positives on
the labelled set of ``tests/emotion/face/detection_set.py`` (the sample portrait and, where
``../shared/data/fer2013`` exists, FER-2013 val faces pasted into scenes at several sizes,
tilts and lightings, plus as many empty scenes) for the Haar cascade, each BlazeFace variant
alone and the detector the reader uses; and each one's p50 on a 1280x960 photo with one face.
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
from tests.emotion.face.detection_set import scenes, score

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


def detection(repeats: int) -> int:
    """Recall / false positives on the labelled set, and p50 on a 1280x960 photo, per detector."""
    labelled = list(scenes())
    reader_detector = FaceDetector()
    detectors: dict[str, Callable[[np.ndarray], object]] = {
        "haar": HaarDetector().detect,
        "blazeface_short": BlazeFaceDetector(Variant.SHORT).detect,
        "blazeface_full": BlazeFaceDetector(Variant.FULL).detect,
        "reader (full+haar)": reader_detector.detect,
        "reader with turns": lambda image: reader_detector.detect_turned(image).faces,
    }
    with Image.open(io.BytesIO(_photo(1280, 960, 600))) as opened:
        photo = np.asarray(opened.convert("RGB"), dtype=np.uint8)
    figures: dict[str, dict[str, float]] = {}
    faces = sum(len(s.truths) for s in labelled)
    print(f"labelled set: {len(labelled)} scenes, {faces} faces")
    for name, detect in detectors.items():
        found = score([(s, detect(s.image)) for s in labelled])  # type: ignore[misc]
        times = _time_ms(lambda d=detect: d(photo), repeats)  # type: ignore[misc]
        figures[name] = {
            "recall": round(found.recall, 3),
            "false_positives": found.false_positives,
            "empty_scene_hits": found.empty_scene_hits,
            "p50_1280x960_ms": round(float(np.percentile(times, 50)), 2),
        }
        print(f"{name:20} " + "  ".join(f"{k} {v}" for k, v in figures[name].items()))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
