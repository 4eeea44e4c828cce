"""Train the expression CNN on FER-2013 arrays: seeded, resumable, on a fixed schedule.

Recipe, and why:
- on-the-fly augmentation (mirror, small rotation/zoom/shift, brightness/contrast): FER-2013 is
  small and the model must generalise to selfies, not memorise 28k faces;
- label smoothing: FER-2013 labels are single, noisy annotations;
- square-root inverse-frequency class weights: disgust is 1.5% of the data; full inverse
  weights cost accuracy on the common classes, none leave disgust unlearnt;
- AdamW with a linear warm-up and a cosine decay over a number of epochs declared up front. If
  the time budget (``max_minutes``) cannot hold it, the plan is shortened after an epoch and the
  cosine follows the new end, so the schedule always completes instead of being cut off;
- a checkpoint (model + optimizer + state + history) after every epoch, and the best-on-val
  weights exported to the model directory every time they improve;
- optionally a warm start (``init_from``: an exported model directory, a fresh optimizer and a
  fresh cosine cycle) and a weight average over the last epochs of the cycle (stochastic weight
  averaging, with the BatchNorm statistics re-measured for the averaged weights): the average of
  a few low-learning-rate epochs sits nearer the centre of a flat minimum than any one of them,
  which helps on faces the model never saw. The start and the average only replace the export
  when they score better on val, like any epoch.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import keras
import numpy as np
import numpy.typing as npt
import tensorflow as tf
from keras import layers

from emotion.face.artifacts import (
    HISTORY_FILE,
    METRICS_FILE,
    NetworkConfig,
    load_network,
    save_model_dir,
)
from emotion.face.inference import Predictor, make_predictor, predict_in_batches
from emotion.face.metrics import Scores, score
from emotion.face.network import build_network
from emotion.labels import LABELS, N_LABELS

CHECKPOINT_FILE = "last.keras"
STATE_FILE = "state.json"
#: The running sum of averaged weights, one file per epoch summed (see ``_accumulate_average``).
AVERAGE_FILE = "average-{epoch}.npz"

Emit = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainConfig:
    data_dir: Path
    out_dir: Path
    checkpoint_dir: Path
    epochs: int = 36
    batch_size: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 0.03
    warmup_epochs: float = 2.0
    label_smoothing: float = 0.1
    network: NetworkConfig = field(default_factory=NetworkConfig)
    seed: int = 1234
    max_minutes: float | None = None
    limit: int | None = None  # use only the first N shuffled rows of each split (smoke tests)
    resume: bool = False
    stop_after: int | None = None  # train at most this many epochs in this run, then stop
    init_from: Path | None = None  # exported model directory to start from (warm start)
    average_last: int = 0  # average the weights of the last N planned epochs (0: off)


@dataclass(slots=True)
class TrainState:
    """Where a run stands; saved as ``state.json`` after every epoch and read back by --resume.

    ``epochs`` is the current plan (it shrinks to the time budget and may grow back, never past
    ``declared_epochs``); ``best_epoch`` is an epoch number or a label such as
    "average of epochs 34-36". ``history`` rows are this run's epochs (loss, accuracy,
    val_accuracy, val_macro_f1, learning_rate, seconds). The warm-start fields say what the run
    started from, the averaging fields where the running sum of weights is (see
    ``_accumulate_average``).
    """

    config: dict[str, object]
    epochs: int
    declared_epochs: int
    epochs_done: int = 0
    seconds: float = 0.0
    best_accuracy: float = -1.0
    best_epoch: int | str = 0
    history: list[dict[str, float]] = field(default_factory=list)
    # warm start (``init_from``)
    prior_history: list[dict[str, Any]] = field(default_factory=list)
    epoch_offset: int = 0
    start_accuracy: float | None = None
    # weight averaging (``average_last``)
    average_file: str | None = None
    average_count: int = 0
    average_epochs: list[int] = field(default_factory=list)
    averaged: dict[str, Any] | None = None

    @classmethod
    def fresh(cls, config: TrainConfig) -> TrainState:
        """The state of a run that has not trained an epoch yet."""
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
        return cls(config=settings, epochs=config.epochs, declared_epochs=config.epochs)

    @classmethod
    def read(cls, path: Path, config: TrainConfig) -> TrainState:
        """A saved state; keys an older state.json lacks take their defaults."""
        data = json.loads(path.read_text())
        data.setdefault("declared_epochs", config.epochs)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def write(self, path: Path) -> None:
        """Save atomically (a crash leaves the previous state)."""
        _write_json(path, asdict(self))


@dataclass(slots=True)
class _Plan:
    """The learning-rate schedule's step counts; ``total_steps`` follows the epoch plan."""

    steps_per_epoch: int
    warmup_steps: int
    total_steps: int


def load_split(path: Path) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    with np.load(path) as data:
        x = np.asarray(data["x"], dtype=np.uint8)
        y = np.asarray(data["y"], dtype=np.uint8)
    if x.ndim != 3 or len(x) != len(y):
        raise ValueError(f"{path}: expected x [N,H,W] and y [N], got {x.shape} and {y.shape}")
    return x, y


def _take(
    x: npt.NDArray[np.uint8], y: npt.NDArray[np.uint8], limit: int | None, seed: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    if limit is None or limit >= len(x):
        return x, y
    rows = np.random.default_rng(seed).permutation(len(x))[:limit]
    return x[rows], y[rows]


def class_weights(y: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Square-root inverse-frequency weights, scaled so the average sample weighs 1."""
    counts = np.bincount(y, minlength=N_LABELS).astype(np.float64)
    raw = np.where(counts > 0, np.sqrt(counts.sum() / np.maximum(counts, 1.0)), 0.0)
    mean_weight = float((raw[y]).mean())
    return (raw / mean_weight).astype(np.float32)


def _augmenter(seed: int) -> keras.Sequential:
    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=seed),
            layers.RandomRotation(0.035, fill_mode="reflect", seed=seed + 1),
            layers.RandomZoom((-0.12, 0.12), fill_mode="reflect", seed=seed + 2),
            layers.RandomTranslation(0.08, 0.08, fill_mode="reflect", seed=seed + 3),
        ],
        name="augment",
    )


def make_train_dataset(
    x: npt.NDArray[np.uint8],
    y: npt.NDArray[np.uint8],
    weights: npt.NDArray[np.float32],
    config: TrainConfig,
    epoch: int,
) -> tf.data.Dataset:
    """One epoch of shuffled, augmented batches; the order depends only on (seed, epoch)."""
    order = np.random.default_rng(config.seed + 1000 * (epoch + 1)).permutation(len(x))
    augment = _augmenter(config.seed + 17 * epoch)
    tf.random.set_seed(config.seed + epoch)

    def transform(
        pixels: tf.Tensor, labels: tf.Tensor, sample_weight: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        images = tf.cast(pixels[..., None], tf.float32)
        images = augment(images, training=True)
        batch = tf.shape(images)[0]
        contrast = tf.random.uniform([batch, 1, 1, 1], 0.7, 1.3)
        brightness = tf.random.uniform([batch, 1, 1, 1], -30.0, 30.0)
        mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
        images = tf.clip_by_value((images - mean) * contrast + mean + brightness, 0.0, 255.0)
        return images, tf.one_hot(tf.cast(labels, tf.int32), N_LABELS), sample_weight

    drop = len(x) >= config.batch_size
    ds = tf.data.Dataset.from_tensor_slices((x[order], y[order], weights[y[order]]))
    ds = ds.batch(config.batch_size, drop_remainder=drop)
    return ds.map(transform, num_parallel_calls=1).prefetch(2)


def lr_at(step: int, total_steps: int, warmup_steps: int, peak: float) -> float:
    """Linear warm-up from peak/10, then cosine decay to peak/200 at ``total_steps``."""
    floor = peak / 200.0
    if step < warmup_steps:
        return peak * (0.1 + 0.9 * step / max(1, warmup_steps))
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return floor + (peak - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


class _Schedule(keras.callbacks.Callback):  # type: ignore[misc]
    """Sets the learning rate before each batch from the optimizer's step count and the plan.

    Kept outside the optimizer so that the plan (total steps) can shrink while the optimizer
    state saved in the checkpoint stays plain.
    """

    def __init__(self, plan: _Plan, peak: float, emit: Emit, every: int = 50) -> None:
        super().__init__()
        self.plan = plan
        self.peak = peak
        self.emit = emit
        self.every = every
        self.started = time.monotonic()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.started = time.monotonic()

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        step = int(self.model.optimizer.iterations.numpy())
        value = lr_at(step, self.plan.total_steps, self.plan.warmup_steps, self.peak)
        self.model.optimizer.learning_rate.assign(value)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if logs and (batch + 1) % self.every == 0:
            rate = (time.monotonic() - self.started) / (batch + 1)
            self.emit(
                f"  batch {batch + 1}/{self.plan.steps_per_epoch} "
                f"loss {logs.get('loss', float('nan')):.4f} "
                f"acc {logs.get('accuracy', float('nan')):.4f} ({rate:.2f} s/batch)"
            )


def _compile(model: keras.Model, config: TrainConfig) -> None:
    optimizer = keras.optimizers.AdamW(
        learning_rate=config.learning_rate, weight_decay=config.weight_decay
    )
    optimizer.exclude_from_weight_decay(var_names=["_bn", "bias", "beta", "gamma"])
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(
            from_logits=True, label_smoothing=config.label_smoothing
        ),
        weighted_metrics=[],
        metrics=["accuracy"],
    )


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def train(config: TrainConfig, emit: Emit = lambda line: None) -> TrainState:
    """Train (or resume) and return the final state; writes checkpoints and the model dir."""
    keras.utils.set_random_seed(config.seed)
    x_train, y_train = _take(*load_split(config.data_dir / "train.npz"), config.limit, config.seed)
    x_val, y_val = _take(*load_split(config.data_dir / "val.npz"), config.limit, config.seed)
    weights = class_weights(y_train)
    emit(f"train {len(x_train)} faces, val {len(x_val)}; class weights {np.round(weights, 2)}")

    config.checkpoint_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = config.checkpoint_dir / CHECKPOINT_FILE
    state_path = config.checkpoint_dir / STATE_FILE
    steps_per_epoch = max(1, len(x_train) // config.batch_size)
    resuming = config.resume and ckpt_path.exists() and state_path.exists()
    if resuming:
        model = keras.models.load_model(ckpt_path)
        state = TrainState.read(state_path, config)
        emit(f"resumed from {ckpt_path} after epoch {state.epochs_done}/{state.epochs}")
    else:
        model = _starting_network(config)
        _compile(model, config)
        state = TrainState.fresh(config)
        emit(f"new model: {model.count_params():,} parameters, {config.epochs} epochs planned")
    # One predictor for every val score of this run: it follows the model's weights, and each
    # new one would be traced and XLA-compiled again.
    val = _ValScorer(make_predictor(model, tta=True), x_val, y_val)
    if config.init_from is not None and not resuming:
        _score_start(model, val, state, config, emit)

    plan = _Plan(
        steps_per_epoch=steps_per_epoch,
        warmup_steps=int(config.warmup_epochs * steps_per_epoch),
        total_steps=state.epochs * steps_per_epoch,
    )
    schedule = _Schedule(plan, config.learning_rate, emit)

    run_epochs = 0
    while state.epochs_done < state.epochs:
        if config.stop_after is not None and run_epochs >= config.stop_after:
            emit(f"stopping after {run_epochs} epochs as asked; --resume continues")
            break
        run_epochs += 1
        epoch = state.epochs_done
        started = time.monotonic()
        emit(f"epoch {epoch + 1}/{state.epochs}")
        result = model.fit(
            make_train_dataset(x_train, y_train, weights, config, epoch),
            epochs=1,
            verbose=0,
            callbacks=[schedule],
        )
        scores = val()
        seconds = time.monotonic() - started
        state.seconds += seconds
        state.epochs_done = epoch + 1
        record = {
            "epoch": epoch + 1,
            "loss": float(result.history["loss"][-1]),
            "accuracy": float(result.history["accuracy"][-1]),
            "val_accuracy": scores.accuracy,
            "val_macro_f1": scores.macro_f1,
            "learning_rate": float(model.optimizer.learning_rate.numpy()),
            "seconds": seconds,
        }
        state.history.append(record)
        emit(
            f"epoch {epoch + 1} done in {seconds:.0f}s: loss {record['loss']:.4f} "
            f"train acc {record['accuracy']:.4f} val acc {scores.accuracy:.4f} "
            f"val macro-F1 {scores.macro_f1:.4f} lr {record['learning_rate']:.2e}"
        )
        if scores.accuracy > state.best_accuracy:
            overall = state.epoch_offset + epoch + 1
            _export_best(model, scores, overall, state, config)
            emit(f"  best so far: exported to {config.out_dir}")
        _replan(state, plan, config, emit)
        replaced = _accumulate_average(model, state, config)
        model.save(ckpt_path)
        state.write(state_path)
        if replaced is not None:  # only now: the saved state names the new sum
            replaced.unlink(missing_ok=True)
        _write_json(config.out_dir / HISTORY_FILE, full_history(state))
    if config.average_last > 0 and state.epochs_done >= state.epochs and state.averaged is None:
        _finish_average(model, state, config, (x_train, y_train, weights), val, emit)
        state.write(state_path)
    emit(
        f"done {state.epochs_done}/{state.epochs} epochs, {state.seconds / 60:.1f} min; "
        f"best val acc {state.best_accuracy:.4f} at epoch {state.best_epoch}"
    )
    return state


def _replan(state: TrainState, plan: _Plan, config: TrainConfig, emit: Emit) -> None:
    """Fit the plan to the time budget, judged on the pace of the last few epochs.

    The machine is shared, so the pace changes: the plan shrinks when the remaining epochs
    cannot fit, and may grow back (never past the epochs first declared, and not once weight
    averaging has begun) when they can. A change of one epoch is ignored so the cosine does
    not jitter.
    """
    if config.max_minutes is None:
        return
    done = state.epochs_done
    recent = sorted(float(row["seconds"]) for row in state.history[-3:])
    per_epoch = recent[len(recent) // 2] if recent else 1.0
    left = config.max_minutes * 60.0 - state.seconds
    fit = min(state.declared_epochs, done + max(0, int(left // per_epoch)))
    if state.average_count > 0:
        # Averaging under way: growing the plan would raise the learning rate again and put
        # high-rate epochs among the averaged ones. Shrinking is fine (they stay late epochs).
        fit = min(fit, state.epochs)
    if fit < state.epochs or fit >= state.epochs + 2:
        state.epochs = max(done, fit)
        plan.total_steps = state.epochs * plan.steps_per_epoch
        emit(f"  time budget: plan set to {state.epochs} epochs")


def _export_best(
    model: keras.Model, scores: Scores, epoch: int | str, state: TrainState, config: TrainConfig
) -> None:
    """Record a new best on val and export its weights with their scores."""
    state.best_accuracy = scores.accuracy
    state.best_epoch = epoch
    save_model_dir(model, config.network, config.out_dir)
    _write_json(
        config.out_dir / METRICS_FILE,
        {
            "split": "val",
            "epoch": epoch,
            "tta": "hflip",
            **scores.as_dict([label.value for label in LABELS]),
        },
    )


def _starting_network(config: TrainConfig) -> keras.Model:
    """A fresh network, or the exported one named by ``init_from`` (same shape, same labels)."""
    if config.init_from is None:
        return build_network(config.network.width, config.network.dropout)
    model, network, order = load_network(config.init_from)
    if network != config.network:
        raise ValueError(f"{config.init_from} holds a {network}, not the asked {config.network}")
    if order != list(range(N_LABELS)):
        raise ValueError(f"{config.init_from}: label order differs from {LABELS}")
    return model


@dataclass(frozen=True, slots=True)
class _ValScorer:
    """Scores the model's current weights on the val split (mirror TTA)."""

    predict: Predictor
    x: npt.NDArray[np.uint8]
    y: npt.NDArray[np.uint8]

    def __call__(self) -> Scores:
        probs = predict_in_batches(self.predict, self.x)
        return score(self.y, probs.argmax(axis=1), N_LABELS)


def _score_start(
    model: keras.Model, val: _ValScorer, state: TrainState, config: TrainConfig, emit: Emit
) -> None:
    """Score the warm start on val so that only a better epoch replaces it in the export.

    The export folder gets the starting model too, so it always holds a complete model, unless
    it is the starting folder itself (rewriting it would only risk it). Epochs are numbered on
    from the starting model's history.
    """
    scores = val()
    assert config.init_from is not None
    prior = config.init_from / HISTORY_FILE
    state.prior_history = json.loads(prior.read_text()) if prior.exists() else []
    state.epoch_offset = max((int(row["epoch"]) for row in state.prior_history), default=0)
    state.start_accuracy = scores.accuracy
    if config.out_dir.resolve() == config.init_from.resolve():
        state.best_accuracy = scores.accuracy
        state.best_epoch = state.epoch_offset
    else:
        _export_best(model, scores, state.epoch_offset, state, config)
    emit(f"warm start from {config.init_from}: val acc {scores.accuracy:.4f}")


def _accumulate_average(model: keras.Model, state: TrainState, config: TrainConfig) -> Path | None:
    """Add this epoch's weights to the running sum when it is one of the last planned epochs.

    Each sum goes to a new file (``average-<epoch>.npz``) that the state then names; the file it
    replaces is returned, to be deleted only after the state is saved. A run killed in between
    resumes from the state's older sum, so no epoch is ever counted twice. If the time budget
    shortens the plan, epochs already summed stay in: they are still late epochs.
    """
    if config.average_last <= 0:
        return None
    done = state.epochs_done
    if done <= state.epochs - config.average_last:
        return None
    total = [np.asarray(w, dtype=np.float64) for w in model.get_weights()]
    previous = state.average_file
    if previous:
        with np.load(config.checkpoint_dir / previous) as saved:
            total = [saved[f"arr_{i}"] + w for i, w in enumerate(total)]
    name = AVERAGE_FILE.format(epoch=done)
    path = config.checkpoint_dir / name
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, *total)
    tmp.replace(path)
    state.average_file = name
    state.average_count += 1
    state.average_epochs = [*state.average_epochs, done]
    return config.checkpoint_dir / previous if previous and previous != name else None


def _finish_average(
    model: keras.Model,
    state: TrainState,
    config: TrainConfig,
    train_split: tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.float32]],
    val: _ValScorer,
    emit: Emit,
) -> None:
    """Load the averaged weights, re-measure BatchNorm, score on val, export if it is best."""
    count = state.average_count
    name = state.average_file
    if count == 0 or not name:
        return
    path = config.checkpoint_dir / name
    with np.load(path) as saved:
        model.set_weights([saved[f"arr_{i}"] / count for i in range(len(saved.files))])
    x_train, y_train, weights = train_split
    dataset = make_train_dataset(x_train, y_train, weights, config, state.epochs_done)
    recalibrate_batchnorm(model, dataset)
    scores = val()
    epochs = [state.epoch_offset + e for e in state.average_epochs]
    label = f"average of epochs {min(epochs)}-{max(epochs)}" if epochs else "average"
    state.averaged = {
        "epochs": epochs,
        "val_accuracy": scores.accuracy,
        "val_macro_f1": scores.macro_f1,
    }
    emit(f"{label}: val acc {scores.accuracy:.4f} val macro-F1 {scores.macro_f1:.4f}")
    if scores.accuracy > state.best_accuracy:
        _export_best(model, scores, label, state, config)
        emit(f"  best so far: exported to {config.out_dir}")


def recalibrate_batchnorm(model: keras.Model, dataset: tf.data.Dataset, batches: int = 120) -> None:
    """Replace every BatchNorm's moving statistics by their plain average over training batches.

    Averaged weights need statistics of their own: the saved ones belong to other weights.
    Setting the momentum to i/(i+1) before batch i turns the moving average into a cumulative
    mean; the calls run eagerly so each new momentum is read.
    """
    norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    saved_momentum = [layer.momentum for layer in norms]
    try:
        for i, batch in enumerate(dataset.take(batches)):
            for layer in norms:
                layer.momentum = i / (i + 1)
            model(batch[0], training=True)
    finally:
        for layer, momentum in zip(norms, saved_momentum, strict=True):
            layer.momentum = momentum


def full_history(state: TrainState) -> list[dict[str, Any]]:
    """This run's epochs after those of the model it started from, numbered on from them.

    Each row keeps its ``cycle`` (1 for a fresh start, +1 per warm start) so the curves show
    where the learning rate restarted.
    """
    prior = list(state.prior_history)
    cycle = max((int(row.get("cycle", 1)) for row in prior), default=0) + 1
    ours = [
        {**row, "epoch": int(row["epoch"]) + state.epoch_offset, "cycle": cycle}
        for row in state.history
    ]
    return prior + ours
