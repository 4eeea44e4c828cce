"""Batch prediction with the expression network, shared by training, evaluation and the reader.

The model is called directly inside a ``tf.function`` (``model.predict`` costs ~20x more for a
single face), compiled with XLA: it fuses each convolution with its BatchNorm and ReLU, which
took the network call for one face from 4.2-6.0 ms to a steady 3.8 ms on the 2-core VM
(``bench/face_bench.py``'s 4.0 ms includes the reader around it). XLA compiles once per input
shape (the reader's warm-up pays for the one shape it uses). Predictions average the face and
its mirror image (horizontal-flip test-time augmentation): expressions are left-right
symmetric, so this is free accuracy.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf

Predictor = Callable[[npt.NDArray[np.float32]], npt.NDArray[np.float32]]


def make_predictor(model: keras.Model, *, tta: bool = True) -> Predictor:
    """A function from [N,H,W] or [N,H,W,1] grey pixels (0..255) to [N,C] softmax probabilities.

    Output columns are in the model's own order; callers re-order them with the labels file.
    """

    @tf.function(
        input_signature=[tf.TensorSpec([None, None, None, 1], tf.float32)], jit_compile=True
    )  # type: ignore[untyped-decorator]
    def _probs(x: tf.Tensor) -> tf.Tensor:
        if not tta:
            return tf.nn.softmax(model(x, training=False), axis=-1)
        n = tf.shape(x)[0]
        both = tf.nn.softmax(model(tf.concat([x, tf.reverse(x, axis=[2])], 0), training=False))
        return (both[:n] + both[n:]) / 2.0

    def predict(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        batch = np.asarray(x, dtype=np.float32)
        if batch.ndim == 3:
            batch = batch[..., None]
        return np.asarray(_probs(tf.constant(batch)), dtype=np.float32)

    return predict


def predict_in_batches(
    predict: Predictor, x: npt.NDArray[np.generic], batch_size: int = 256
) -> npt.NDArray[np.float32]:
    """Run ``predict`` over a large array without building one huge tensor."""
    parts = [
        predict(x[i : i + batch_size].astype(np.float32)) for i in range(0, len(x), batch_size)
    ]
    if not parts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(parts, axis=0)
