"""Training and evaluation CLIs on tiny arrays built here; scores and the schedule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emotion.face.artifacts import label_permutation, load_network, read_labels
from emotion.face.cli import evaluate_main, train_main
from emotion.face.metrics import score
from emotion.face.network import build_network
from emotion.face.train import (
    TrainConfig,
    TrainState,
    _accumulate_average,
    _Plan,
    _replan,
    class_weights,
    lr_at,
    recalibrate_batchnorm,
)
from emotion.labels import LABELS, N_LABELS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _tiny_npz(path: Path, n: int, seed: int) -> None:
    """Faces that are learnable: each class a different brightness pattern, plus noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % N_LABELS
    x = rng.integers(0, 40, (n, 48, 48))
    for i, label in enumerate(y):
        x[i, :, label * 6 : label * 6 + 6] += 200
    np.savez(path, x=x.astype(np.uint8), y=y.astype(np.uint8))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train a very small network for one epoch of a two-epoch plan, then resume it."""
    root = tmp_path_factory.mktemp("face_train")
    data = root / "data"
    data.mkdir()
    _tiny_npz(data / "train.npz", 96, 0)
    _tiny_npz(data / "val.npz", 28, 1)
    base = ["--data", str(data), "--out", str(root / "model"), "--epochs", "2"]
    small = ["--width", "4", "--batch-size", "32", "--threads", "1"]
    assert train_main([*base, *small, "--stop-after", "1"]) == 0
    state = json.loads((root / "model" / "checkpoint" / "state.json").read_text())
    assert state["epochs_done"] == 1
    assert train_main([*base, *small, "--resume"]) == 0
    return root


def test_training_exports_a_complete_model_dir(trained: Path) -> None:
    model_dir = trained / "model"
    for name in ("expression_cnn.weights.h5", "model.json", "labels.json", "history.json"):
        assert (model_dir / name).is_file(), name
    assert read_labels(model_dir) == [label.value for label in LABELS]
    assert json.loads((model_dir / "metrics.json").read_text())["n"] == 28
    model, config, permutation = load_network(model_dir)
    assert config.width == 4 and permutation == list(range(N_LABELS))
    assert model.output_shape == (None, N_LABELS)


def test_resume_continues_the_same_run(trained: Path) -> None:
    history = json.loads((trained / "model" / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2]
    state = json.loads((trained / "model" / "checkpoint" / "state.json").read_text())
    assert state["epochs_done"] == 2 and len(state["history"]) == 2


def test_warm_start_and_weight_average_only_replace_a_worse_export(trained: Path) -> None:
    """A new cycle from the exported model, averaging its last two epochs.

    The start is scored first, so the export moves only when an epoch or the average beats it.
    """
    out = trained / "finetuned"
    args = ["--data", str(trained / "data"), "--out", str(out), "--epochs", "3"]
    args += ["--width", "4", "--batch-size", "32", "--threads", "1", "--lr", "1e-3"]
    assert train_main([*args, "--init-from", str(trained / "model"), "--average-last", "2"]) == 0
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["average_count"] == 2 and state["average_epochs"] == [2, 3]
    candidates = [state["start_accuracy"], state["averaged"]["val_accuracy"]]
    candidates += [row["val_accuracy"] for row in state["history"]]
    assert state["best_accuracy"] == max(candidates)
    exported = json.loads((out / "metrics.json").read_text())
    assert exported["accuracy"] == pytest.approx(state["best_accuracy"], abs=1e-4)
    assert exported["epoch"] == state["best_epoch"]
    model, config, _ = load_network(out)
    assert config.width == 4 and model.output_shape == (None, N_LABELS)
    history = json.loads((out / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3, 4, 5]  # 2 before, 3 in this cycle
    assert [row.get("cycle", 1) for row in history] == [1, 1, 2, 2, 2]


def test_warm_start_refuses_a_different_network(trained: Path) -> None:
    args = ["--data", str(trained / "data"), "--out", str(trained / "wider"), "--epochs", "1"]
    with pytest.raises(ValueError, match="not the asked"):
        train_main([*args, "--width", "8", "--init-from", str(trained / "model")])


def _finished_sum(state: TrainState, folder: Path) -> list[np.ndarray]:
    with np.load(folder / str(state.average_file)) as saved:
        return [saved[f"arr_{i}"] / state.average_count for i in range(len(saved))]


def test_weight_average_is_the_mean_and_survives_a_crash(tmp_path: Path) -> None:
    """Epochs 3-5 of 5 are averaged; a crash after writing a sum but before saving the state
    must not count the retrained epoch twice."""
    config = TrainConfig(tmp_path, tmp_path / "out", tmp_path / "ckpt", epochs=5, average_last=3)
    config.checkpoint_dir.mkdir()
    model = build_network(width=4)
    shapes = [w.shape for w in model.get_weights()]

    def train_epoch(state: TrainState, epoch: int, value: float) -> Path | None:
        model.set_weights([np.full(shape, value, np.float32) for shape in shapes])
        state.epochs_done = epoch
        return _accumulate_average(model, state, config)

    def reread(state: TrainState) -> TrainState:
        """What --resume reads back from the state.json this state was saved to."""
        path = tmp_path / "state.json"
        state.write(path)
        return TrainState.read(path, config)

    state = TrainState.fresh(config)
    for epoch in range(1, 5):
        replaced = train_epoch(state, epoch, float(epoch))
        if replaced is not None:  # state.json saved, then the old sum deleted
            replaced.unlink()
    assert state.average_epochs == [3, 4] and state.average_count == 2
    assert all(np.allclose(w, 3.5) for w in _finished_sum(state, config.checkpoint_dir))

    train_epoch(reread(state), 5, 5.0)  # killed before its state was saved
    resumed = reread(state)  # what state.json holds after epoch 4
    replaced = train_epoch(resumed, 5, 8.0)  # --resume trains epoch 5 again
    assert replaced is not None
    replaced.unlink()
    assert resumed.average_epochs == [3, 4, 5] and resumed.average_count == 3
    mean = _finished_sum(resumed, config.checkpoint_dir)
    assert all(np.allclose(w, (3 + 4 + 8) / 3) for w in mean)
    assert sorted(p.name for p in config.checkpoint_dir.iterdir()) == ["average-5.npz"]
    assert resumed.average_epochs == reread(resumed).average_epochs  # survives the JSON trip


def test_plan_does_not_grow_once_averaging_began(tmp_path: Path) -> None:
    config = TrainConfig(tmp_path, tmp_path, tmp_path, epochs=20, max_minutes=100, average_last=4)
    history = [{"seconds": 60.0}] * 3
    plan = _Plan(steps_per_epoch=10, warmup_steps=0, total_steps=100)

    def midway(average_count: int) -> TrainState:
        return TrainState(
            config={},
            epochs=10,
            declared_epochs=20,
            epochs_done=8,
            seconds=480.0,
            history=list(history),
            average_count=average_count,
        )

    growing = midway(average_count=0)
    _replan(growing, plan, config, lambda line: None)
    assert plan.total_steps == 200 and growing.epochs == 20  # time for all 20: the plan grows
    averaging = midway(average_count=1)
    plan.total_steps = 100
    _replan(averaging, plan, config, lambda line: None)
    assert averaging.epochs == 10 and plan.total_steps == 100


def test_recalibrated_batchnorm_holds_the_mean_over_batches() -> None:
    """After recalibration the first BatchNorm's moving mean is the average input mean."""
    import keras
    import tensorflow as tf

    model = build_network(width=4)
    norm = model.get_layer("s1a_bn")
    norm.moving_mean.assign(np.full(norm.moving_mean.shape, 50.0, dtype=np.float32))
    rng = np.random.default_rng(3)
    batches = [rng.uniform(0, 255, (8, 48, 48, 1)).astype(np.float32) for _ in range(5)]
    dataset = tf.data.Dataset.from_tensor_slices(
        (np.concatenate(batches), np.zeros(40, np.float32), np.ones(40, np.float32))
    ).batch(8)
    recalibrate_batchnorm(model, dataset, batches=5)
    conv = keras.Model(model.input, model.get_layer("s1a_conv").output)
    expected = np.mean([np.asarray(conv(b)).mean(axis=(0, 1, 2)) for b in batches], axis=0)
    np.testing.assert_allclose(np.asarray(norm.moving_mean), expected, rtol=1e-4, atol=1e-5)
    assert norm.momentum == pytest.approx(0.99)


def test_evaluate_cli_prints_json_last_and_writes_report(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tiny_npz(tmp_path / "fixture.npz", 21, 5)
    report = tmp_path / "report"
    args = [str(tmp_path / "fixture.npz"), "--model", str(trained / "model")]
    assert evaluate_main([*args, "--report", str(report)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    result = json.loads(last)
    assert result["n"] == 21
    assert 0.0 <= result["accuracy"] <= 1.0 and 0.0 <= result["macro_f1"] <= 1.0
    assert set(result["per_class_recall"]) == {label.value for label in LABELS}
    for name in ("confusion.png", "curves.png"):
        assert (report / name).read_bytes()[:8] == PNG_SIGNATURE, name
    saved = json.loads((report / "metrics.json").read_text())
    assert np.asarray(saved["confusion"]).sum() == 21


def test_evaluate_reorders_by_the_labels_file(trained: Path, tmp_path: Path) -> None:
    """Same weights, labels file listing the classes reversed: predictions move with the names."""
    _tiny_npz(tmp_path / "fixture.npz", 70, 6)
    fixture = str(tmp_path / "fixture.npz")
    evaluate_main([fixture, "--model", str(trained / "model"), "--report", str(tmp_path / "a")])
    flipped_dir = tmp_path / "flipped"
    flipped_dir.mkdir()
    for path in (trained / "model").iterdir():
        if path.is_file():
            (flipped_dir / path.name).write_bytes(path.read_bytes())
    labels = {"labels": [label.value for label in reversed(LABELS)]}
    (flipped_dir / "labels.json").write_text(json.dumps(labels))
    evaluate_main([fixture, "--model", str(flipped_dir), "--report", str(tmp_path / "b")])
    straight = np.asarray(json.loads((tmp_path / "a" / "metrics.json").read_text())["confusion"])
    flipped = np.asarray(json.loads((tmp_path / "b" / "metrics.json").read_text())["confusion"])
    assert straight.sum() == flipped.sum() == 70
    assert (flipped == straight[:, ::-1]).all()


def test_label_permutation() -> None:
    names = [label.value for label in LABELS]
    assert label_permutation(names) == list(range(N_LABELS))
    shuffled = names[3:] + names[:3]
    permutation = label_permutation(shuffled)
    assert [shuffled[i] for i in permutation] == names
    with pytest.raises(ValueError):
        label_permutation([*names[:-1], "contempt"])


def test_scores() -> None:
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    scores = score(y_true, y_pred, 3)
    assert scores.n == 6
    assert scores.accuracy == pytest.approx(4 / 6)
    assert scores.per_class_recall == pytest.approx((0.5, 1.0, 0.5))
    # F1 per class: 0.5, 0.8, 2/3
    assert scores.macro_f1 == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert scores.confusion[0] == (1, 1, 0)
    assert scores.as_dict(["a", "b", "c"])["per_class_recall"] == {"a": 0.5, "b": 1.0, "c": 0.5}


def test_class_weights_favour_rare_classes() -> None:
    y = np.array([3] * 90 + [1] * 10, dtype=np.uint8)
    weights = class_weights(y)
    assert weights[1] == pytest.approx(3 * weights[3])  # sqrt of the 9x frequency ratio
    assert float(weights[y].mean()) == pytest.approx(1.0)


def test_schedule_warms_up_then_decays() -> None:
    assert lr_at(0, 1000, 100, 1e-3) == pytest.approx(1e-4)
    assert lr_at(100, 1000, 100, 1e-3) == pytest.approx(1e-3)
    assert lr_at(1000, 1000, 100, 1e-3) == pytest.approx(1e-3 / 200)
    values = [lr_at(step, 1000, 100, 1e-3) for step in range(100, 1001, 50)]
    assert values == sorted(values, reverse=True)
