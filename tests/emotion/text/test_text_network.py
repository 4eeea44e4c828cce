"""The network: MiniLM rebuilt in Keras, and the fast inference path equal to the Keras one."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from emotion.text.encoder import HIDDEN, load_state
from emotion.text.features import Featurizer
from emotion.text.network import build_network


def test_inference_path_equals_the_keras_call() -> None:
    net = build_network(n_frozen=4, bag_dim=8)
    batch = Featurizer(frozenset()).batch(["I'm not happy at all", "ok", "WHY WOULD YOU 😡"])
    keras_path = net(batch.ids, batch.mask, batch.hashed, batch.cues, training=False)
    fast_path = net.infer(batch.ids, batch.mask, batch.hashed, batch.cues)
    np.testing.assert_allclose(fast_path.numpy(), keras_path.numpy(), atol=1e-4)


def test_pretrained_encoder_reads_meaning() -> None:
    """Mean-pooled MiniLM embeddings: paraphrases are close, unrelated sentences are not."""
    net = build_network(n_frozen=6, bag_dim=0)
    batch = Featurizer(frozenset()).batch(
        ["I love dogs", "I adore puppies", "The stock market crashed today"]
    )
    h = tf.constant(net.embeddings.infer(batch.ids))
    for block in net.blocks:
        h = block.infer(h, batch.mask)
    weights = batch.mask[:, :, None]
    pooled = (h.numpy() * weights).sum(1) / weights.sum(1)
    assert pooled.shape == (3, HIDDEN)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    similarity = pooled @ pooled.T
    assert similarity[0, 1] > 0.6
    assert similarity[0, 2] < 0.2


def test_pretrained_state_is_read_lazily_and_completely() -> None:
    state = load_state()
    assert len(state) == 104  # embeddings (5 + position ids) and 6 blocks x 16
    word = state["embeddings.word_embeddings.weight"]
    assert word.shape == (30522, HIDDEN)
    assert word.dtype == np.float32
