"""Training on a tiny slice and the evaluation CLI on a fixture TSV written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emotion.labels import LABELS


@pytest.fixture(scope="module")
def tiny_model(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from emotion.text.cli import train_main

    out = tmp_path_factory.mktemp("tiny_model")
    # Five frozen blocks and one epoch: seconds, and still every part of the pipeline.
    argv = ["--data", str(tiny_data), "--out", str(out), "--epochs", "1", "--n-frozen", "5"]
    assert train_main([*argv, "--batch-size", "8", "--log-every", "1"]) == 0
    return out


def test_training_saves_weights_thresholds_and_label_order(
    tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = json.loads((tiny_model / "config.json").read_text("utf-8"))
    assert config["labels"] == [label.value for label in LABELS]
    assert set(config["thresholds"]) == {label.value for label in LABELS}
    assert all(0.0 < t < 1.0 for t in config["thresholds"].values())
    assert config["n_frozen"] == 5
    assert (tiny_model / "weights.npz").stat().st_size < 25_000_000
    history = json.loads((tiny_model / "history.json").read_text("utf-8"))
    assert len(history["epochs"]) == 1
    assert "someone" not in (tiny_model / "known_words.txt").read_text("utf-8").split()


def test_training_is_reproducible(tiny_data: Path, tiny_model: Path, tmp_path: Path) -> None:
    from emotion.text.cli import train_main

    argv = ["--data", str(tiny_data), "--out", str(tmp_path), "--epochs", "1", "--n-frozen", "5"]
    assert train_main([*argv, "--batch-size", "8"]) == 0
    with np.load(tiny_model / "weights.npz") as a, np.load(tmp_path / "weights.npz") as b:
        assert a.files == b.files
        for name in a.files:
            np.testing.assert_array_equal(a[name], b[name])


def last_json(output: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return result


def test_evaluate_prints_scores_and_writes_the_report(
    tiny_model: Path, tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from emotion.text.cli import evaluate_main

    capsys.readouterr()
    report = tmp_path / "report"
    code = evaluate_main(
        [str(tiny_data / "dev.tsv"), "--model", str(tiny_model), "--report", str(report)]
    )
    assert code == 0
    result = last_json(capsys.readouterr().out)
    assert result["n"] == 12
    assert set(result) == {"n", "accuracy", "macro_f1", "per_class_f1"}
    per_class = result["per_class_f1"]
    assert isinstance(per_class, dict)
    assert set(per_class) == {label.value for label in LABELS}
    for name in ("confusion.png", "per_class_f1.png", "training_curves.png"):
        assert (report / name).read_bytes()[:4] == b"\x89PNG"
    metrics = json.loads((report / "metrics.json").read_text("utf-8"))
    assert "lexicon (VADER + cues)" in metrics  # the baseline sits beside the model


def test_evaluate_the_lexicon_baseline(tiny_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from emotion.text.cli import evaluate_main

    capsys.readouterr()
    assert evaluate_main([str(tiny_data / "train.tsv"), "--model", "lexicon"]) == 0
    result = last_json(capsys.readouterr().out)
    assert result["n"] == 24
    accuracy = result["accuracy"]
    assert isinstance(accuracy, float) and accuracy > 0.4


def test_saved_label_order_is_honoured(tiny_model: Path, tmp_path: Path) -> None:
    """A model folder whose outputs are in another order is re-ordered to LABELS on load."""
    import shutil

    from emotion.text.model import load_text_model

    for name in ("config.json", "weights.npz", "known_words.txt"):
        shutil.copy(tiny_model / name, tmp_path / name)
    config = json.loads((tmp_path / "config.json").read_text("utf-8"))
    config["labels"] = list(reversed(config["labels"]))
    (tmp_path / "config.json").write_text(json.dumps(config), "utf-8")
    texts = ["I am so happy", "the train leaves at six"]
    original = load_text_model(tiny_model).predict_proba(texts)
    reordered = load_text_model(tmp_path).predict_proba(texts)
    np.testing.assert_allclose(reordered, original[:, ::-1], atol=1e-5)


def test_thresholds_only_keeps_weights(tiny_data: Path, tiny_model: Path, tmp_path: Path) -> None:
    import shutil

    from emotion.text.cli import train_main

    for name in ("config.json", "weights.npz", "known_words.txt", "history.json"):
        shutil.copy(tiny_model / name, tmp_path / name)
    weights = (tmp_path / "weights.npz").read_bytes()
    argv = ["--data", str(tiny_data), "--out", str(tmp_path), "--thresholds-only"]
    assert train_main(argv) == 0
    assert (tmp_path / "weights.npz").read_bytes() == weights
    config = json.loads((tmp_path / "config.json").read_text("utf-8"))
    assert set(config["thresholds"]) == {label.value for label in LABELS}
    assert config["dev"]["n"] == 12
