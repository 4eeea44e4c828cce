"""The Keras network: MiniLM (top blocks fine-tuned) + negation-aware bag of words + cues.

Why this shape (dev macro-F1 figures are in ``emotion/text/README.md``): frozen sentence
embeddings carry little emotion, so the top transformer blocks are fine-tuned on the task; the
hashed bag of words with NLTK negation marking and the surface cues (caps, "!", emoji,
elongation) add what the uncased sub-word encoder cannot see.

Only the trainable weights are saved (as float16 to keep the committed file small); the frozen
embeddings and lower blocks are read from the installed MiniLM package when the model loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf

from emotion.labels import N_LABELS
from emotion.text.encoder import HIDDEN, N_BLOCKS, Block, Embeddings, load_state
from emotion.text.preprocess import CUE_NAMES, HASH_BUCKETS

BAG_DIM = 32


class EmotionNet(keras.Model):  # type: ignore[misc]
    """ids, mask, hashed, cues -> 7 logits (sigmoid gives independent label probabilities)."""

    def __init__(
        self, n_frozen: int, dropout: float = 0.1, bag_dim: int = BAG_DIM, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.n_frozen = n_frozen
        self.bag_dim = bag_dim
        self.embeddings = Embeddings(name="embeddings")
        self.embeddings.trainable = False
        self.blocks = [
            Block(dropout=0.0 if i < n_frozen else dropout, name=f"block_{i}")
            for i in range(N_BLOCKS)
        ]
        for i, block in enumerate(self.blocks):
            block.trainable = i >= n_frozen
        # bag_dim 0 turns the bag-of-words branch off (an ablation kept for the notes).
        self.bag = keras.layers.Embedding(HASH_BUCKETS, bag_dim, name="bag") if bag_dim else None
        self.cue_dense = keras.layers.Dense(16, activation="relu", name="cue_dense")
        self.drop = keras.layers.Dropout(dropout)
        self.classifier = keras.layers.Dense(N_LABELS, name="classifier")

    def build_all(self) -> None:
        """Create every variable (so weights can be assigned before the first call)."""
        self.embeddings.build((None, None))
        for block in self.blocks:
            block.build((None, None, HIDDEN))
        if self.bag is not None:
            self.bag.build((None, None))
        self.cue_dense.build((None, len(CUE_NAMES)))
        self.classifier.build((None, 2 * HIDDEN + self.bag_dim + 16))
        self.built = True

    def call(
        self,
        ids: tf.Tensor,
        mask: tf.Tensor,
        hashed: tf.Tensor,
        cues: tf.Tensor,
        training: bool = False,
    ) -> tf.Tensor:
        h = self.embeddings(ids)
        for i, block in enumerate(self.blocks):
            h = block(h, mask, training=training and i >= self.n_frozen)
        weights = mask[:, :, None]
        mean = tf.reduce_sum(h * weights, axis=1) / tf.maximum(tf.reduce_sum(weights, 1), 1.0)
        cls = h[:, 0]
        parts = [mean, cls]
        if self.bag is not None:
            bag_mask = tf.cast(hashed > 0, tf.float32)[:, :, None]
            bag = tf.reduce_sum(self.bag(hashed) * bag_mask, axis=1)
            parts.append(bag / tf.sqrt(tf.maximum(tf.reduce_sum(bag_mask, axis=1), 1.0)))
        parts.append(self.cue_dense(cues))
        features = tf.concat(parts, axis=-1)
        return self.classifier(self.drop(features, training=training))

    def infer(
        self, ids: tf.Tensor, mask: tf.Tensor, hashed: tf.Tensor, cues: tf.Tensor
    ) -> tf.Tensor:
        """``call(training=False)`` in plain TensorFlow ops: fast to trace (``Block.infer``)."""
        h = self.embeddings.infer(ids)
        for block in self.blocks:
            h = block.infer(h, mask)
        weights = mask[:, :, None]
        mean = tf.reduce_sum(h * weights, axis=1) / tf.maximum(tf.reduce_sum(weights, 1), 1.0)
        parts = [mean, h[:, 0]]
        if self.bag is not None:
            bag_mask = tf.cast(hashed > 0, tf.float32)[:, :, None]
            bag = tf.reduce_sum(tf.gather(self.bag.embeddings, hashed) * bag_mask, axis=1)
            parts.append(bag / tf.sqrt(tf.maximum(tf.reduce_sum(bag_mask, axis=1), 1.0)))
        parts.append(tf.nn.relu(tf.matmul(cues, self.cue_dense.kernel) + self.cue_dense.bias))
        features = tf.concat(parts, axis=-1)
        return tf.matmul(features, self.classifier.kernel) + self.classifier.bias

    def load_pretrained(self, state: Mapping[str, npt.NDArray[np.float32]] | None = None) -> None:
        """Copy MiniLM's pretrained embeddings and blocks in (before fine-tuning or loading)."""
        state = load_state() if state is None else state
        self.embeddings.load(state)
        for i, block in enumerate(self.blocks):
            block.load(state, i)

    def trained_variables(self) -> list[keras.Variable]:
        """The variables a training run changes: what is saved beside the label order."""
        out: list[keras.Variable] = []
        for block in self.blocks[self.n_frozen :]:
            out.extend(block.weights)
        for layer in (self.bag, self.cue_dense, self.classifier):
            if layer is not None:
                out.extend(layer.weights)
        return out

    def save_trained(self, path: Path) -> None:
        arrays = {v.path: np.asarray(v.numpy(), dtype=np.float16) for v in self.trained_variables()}
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    def load_trained(self, path: Path) -> None:
        with np.load(path) as saved:
            variables = self.trained_variables()
            missing = [v.path for v in variables if v.path not in saved.files]
            if missing:
                raise ValueError(f"{path} lacks weights for {missing[:3]} …")
            for variable in variables:
                variable.assign(saved[variable.path].astype(np.float32))


def build_network(
    n_frozen: int, dropout: float = 0.1, pretrained: bool = True, bag_dim: int = BAG_DIM
) -> EmotionNet:
    net = EmotionNet(n_frozen, dropout, bag_dim, name="text_emotion")
    net.build_all()
    if pretrained:
        net.load_pretrained()
    return net
