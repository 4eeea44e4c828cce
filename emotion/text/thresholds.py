"""Choose the decision thresholds again for a saved text model, without retraining.

Preprocessing fixes (an emoji name, a rule) change the probabilities a little; the thresholds
should be chosen on what the model outputs now, through the full serving path
(``emotion.text.model``), on the dev split (never on test).
"""

from __future__ import annotations

from pathlib import Path

from emotion.labels import LABELS
from emotion.text.artifacts import write_config
from emotion.text.data import Dataset
from emotion.text.metrics import choose_thresholds, score
from emotion.text.model import load_text_model


def rechoose_thresholds(model_dir: Path, dev_set: Dataset) -> dict[str, object]:
    """Re-choose per-label thresholds on ``dev_set``, rewrite ``config.json``; return it."""
    model = load_text_model(model_dir)
    probabilities = model.predict_proba(dev_set.texts)
    thresholds = choose_thresholds(probabilities, dev_set.targets)
    final = score(probabilities, dev_set.targets, thresholds)
    config = dict(model.config)
    config["thresholds"] = {
        lab.value: round(float(t), 4) for lab, t in zip(LABELS, thresholds, strict=True)
    }
    config["dev"] = final.as_dict()
    write_config(model_dir, config)
    return config
