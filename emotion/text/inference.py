"""Batch prediction with the text network, shared by training, evaluation and serving.

The network is called inside a ``tf.function`` traced once for any batch and length
(``reduce_retracing``; ``model.predict`` costs ~20x more for one message). Messages are grouped
by token length under a token budget and padded to a multiple of ``PAD_MULTIPLE``, so the
number of distinct shapes (each a oneDNN kernel cache entry) stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import tensorflow as tf

from emotion.labels import N_LABELS
from emotion.text.features import Featurizer, Prepared
from emotion.text.network import EmotionNet
from emotion.text.preprocess import CUE_NAMES, MAX_HASHED

#: Token lengths are padded to a multiple of this at inference (see ``Featurizer.collate``).
PAD_MULTIPLE = 8

#: ``(ids [N,T] int32, mask [N,T] float32, hashed [N,MAX_HASHED] int32, cues [N,C] float32)``
#: -> sigmoid probabilities [N, 7] in the saved label order.
Predictor = Callable[..., tf.Tensor]


def make_predictor(net: EmotionNet) -> Predictor:
    """A traced forward pass returning sigmoid probabilities (no retracing per length)."""

    @tf.function(  # type: ignore[untyped-decorator]
        input_signature=(
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None, None), tf.float32),
            tf.TensorSpec((None, MAX_HASHED), tf.int32),
            tf.TensorSpec((None, len(CUE_NAMES)), tf.float32),
        ),
        reduce_retracing=True,
    )
    def predict(ids: tf.Tensor, mask: tf.Tensor, hashed: tf.Tensor, cues: tf.Tensor) -> tf.Tensor:
        return tf.sigmoid(net.infer(ids, mask, hashed, cues))

    traced: Predictor = predict
    return traced


def predict_prepared(
    predictor: Predictor,
    items: Sequence[Prepared],
    max_tokens: int = 2048,
    *,
    round_rows: bool = False,
) -> npt.NDArray[np.float32]:
    """Probabilities [N, 7] for many prepared messages, in the input order.

    Messages are batched by length under a token budget, so a batch of long messages stays
    small: attention memory grows with batch x length^2, and the bot process has 1 GB.
    ``round_rows`` repeats the last row up to a power of two (1, 2, 4, 8, 16…): the bot's
    batches come in any size, and every new shape costs oneDNN a kernel cache entry.
    """
    out = np.zeros((len(items), N_LABELS), dtype=np.float32)
    order = np.argsort([len(p.ids) for p in items], kind="stable")
    start = 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and (stop - start + 1) * len(items[order[stop]].ids) <= max_tokens:
            stop += 1
        index = order[start:stop]
        rows = [items[i] for i in index]
        if round_rows:
            rows += [rows[-1]] * ((1 << (len(rows) - 1).bit_length()) - len(rows))
        batch = Featurizer.collate(rows, PAD_MULTIPLE)
        raw = predictor(batch.ids, batch.mask, batch.hashed, batch.cues).numpy()
        out[index] = raw[: len(index)]
        start = stop
    return out
