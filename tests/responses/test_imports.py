"""Imports point one way: responses -> emotion's shared types; fusion -> emotion only."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_FROM_US = {"emotion.labels", "emotion.fusion", "emotion.photo"}
#: The learned risk classifier (issue 13) is the one model in responses/: these modules may use
#: numpy, TensorFlow/Keras and the MiniLM encoder. Nothing else in responses/ imports them at
#: module level, so the crisis rules work when the model (or TensorFlow) does not load.
MODEL_MODULES = {
    "risk_model.py",
    "risk_features.py",
    "risk_train.py",
    "risk_compose.py",
    "risk_encoder.py",
    "risk_encoder_train.py",
    "risk_ensemble.py",
    "risk_onnx.py",
}
MODEL_IMPORTS = {
    "numpy",
    "numpy.typing",
    "emotion.text",
    "emotion.text.encoder",
    "tensorflow",
    "keras",
    "onnx",
    "onnxruntime",
}
MODEL_PREFIXES = (
    "responses.risk_model",
    "responses.risk_train",
    "responses.risk_encoder",
    "responses.risk_ensemble",
    "responses.risk_onnx",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_responses_imports_only_shared_emotion_types() -> None:
    for path in (ROOT / "responses").rglob("*.py"):
        for name in _imports(path):
            if path.name in MODEL_MODULES and name in MODEL_IMPORTS:
                continue
            if path.name not in MODEL_MODULES:
                assert not name.startswith(MODEL_PREFIXES), (
                    path,
                    name,
                )
            top = name.split(".")[0]
            assert top not in {"bot", "migrations"}, (path, name)
            if top == "emotion":
                assert name in ALLOWED_FROM_US, (path, name)
            if top in {"tensorflow", "numpy", "cv2", "telegram", "discord", "sqlalchemy"}:
                raise AssertionError(f"{path} imports {name}: responses must stay model-free")


def test_fusion_is_pure() -> None:
    for name in _imports(ROOT / "emotion" / "fusion.py"):
        assert name.split(".")[0] not in {"bot", "responses", "tensorflow", "numpy"}, name


def test_data_files_ship_inside_the_package() -> None:
    data = ROOT / "responses" / "data"
    for name in ("crisis_patterns.toml", "helplines.toml", "tones.toml", "replies.toml"):
        assert (data / name).is_file()
