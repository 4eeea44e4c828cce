"""The committed risk classifier: loads, flags clear cases of each category, passes plain chat,
refuses broken files, and the trainer runs end to end on a small slice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from responses.risk import LANGUAGES, RiskCategory
from responses.risk_model import (
    CONFIG_FILE,
    DEFAULT_MODEL_DIR,
    WEIGHTS_FILE,
    RiskModel,
    RiskModelError,
    load_risk_model,
)

# Written for this test, in words that are not lines of the training files
# (test_examples_are_not_training_lines checks that).
CLEAR: dict[RiskCategory, list[str]] = {
    RiskCategory.SUICIDAL_IDEATION: [
        "honestly i think i'm going to kill myself after the funeral",
        "I keep wishing I would die so this would all be over",
    ],
    RiskCategory.FAREWELL: [
        "I wrote a goodbye letter to each of my kids, thank you for everything, bye forever",
    ],
    RiskCategory.SELF_HARM: [
        "I sliced my arm with a razor again last night to feel something",
    ],
    RiskCategory.EATING_DISORDER: [
        "I forced myself to vomit after lunch and took laxatives so I don't gain anything",
    ],
    RiskCategory.ABUSE: [
        "my stepfather beats me with his belt and says he'll hurt me more if I tell anyone",
    ],
    RiskCategory.PSYCHOSIS: [
        "the voices keep ordering me to hurt myself and they are getting louder",
    ],
    RiskCategory.HARM_TO_OTHERS: [
        "I'm going to stab my neighbour tonight, I've got the knife ready",
    ],
    RiskCategory.IMMEDIATE_DANGER: [
        "I have just swallowed the whole bottle of my pills, right now",
    ],
}
NEGATIVE = [
    "what a lovely sunny morning, going for a walk with the dog",
    "can you suggest a recipe with chickpeas and spinach?",
    "we won the match 3-1, so happy",
    "my train is late again, annoying",
    "I finished reading a great novel about sailing",
    "do you know a good podcast about history?",
    "my sister is visiting this weekend, we'll go to the museum",
    "the printer at work jammed twice today",
    "I planted tomatoes and basil on the balcony",
    "is it going to rain tomorrow afternoon?",
    "just booked tickets for the concert in june",
    "my son lost his first tooth today",
]
#: Obvious negatives the model may put in a band. The confident band is cut for <= 5% false
#: alarms on the dev split's hard negatives, the watch band for recall first (about a sixth of
#: the hard negatives fall in it, see config.json); plain chat must mostly stay out of both.
MAX_FLAGGED_NEGATIVES = 1
MAX_WATCHED_NEGATIVES = 2


#: Everyday chat a person sends a companion bot (greetings, small talk, selfies), written for
#: this test. The model is trained with ordinary-chat negatives and its cuts keep <= 1%
#: (confident) and <= 3% (watch) of held-apart ordinary chat in a band, so none of these may be
#: in either band.
ORDINARY_CHAT = [
    "heyy, good evening!",
    "morning! slept well?",
    "how's your week going so far?",
    "here is a selfie of me and my cousin at the lake",
    "new haircut selfie, be honest",
    "what do you think of this photo from my trip?",
    "I'm making pancakes for breakfast",
    "the football match is on tonight, can't wait",
    "my plants finally grew new leaves",
    "thanks for the chat earlier, that was fun",
]


# Clear cases in the other languages, written for this test.
OTHER_LANGUAGES = [
    ("de", "ich will mich umbringen, ich halte das nicht mehr aus"),
    ("fr", "je veux me tuer, je n'en peux plus de vivre"),
    ("es", "quiero matarme, ya no aguanto más vivir así"),
    ("nl", "ik wil mezelf van kant maken, ik kan niet meer"),
]

OTHER_NEGATIVES = [
    ("de", "morgen gehen wir mit den Kindern in den Zoo"),
    ("fr", "on mange des crêpes ce soir avec les voisins"),
    ("es", "mañana juego al fútbol con mis amigos"),
    ("nl", "we gaan zaterdag fietsen langs het strand"),
]


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return load_risk_model()


def test_examples_are_not_training_lines() -> None:
    train_dir = DEFAULT_MODEL_DIR.parent / "risk_train"
    lines = {
        line.split("\t", 1)[1].strip().lower()
        for path in train_dir.glob("*.tsv")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "\t" in line and not line.startswith("#")
    }
    chat_dir = DEFAULT_MODEL_DIR.parent / "risk_chat"
    lines |= {
        line.strip().lower()
        for path in chat_dir.glob("*.tsv")
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    }
    others = [t for _, t in OTHER_LANGUAGES + OTHER_NEGATIVES] + ORDINARY_CHAT
    for text in [t for texts in CLEAR.values() for t in texts] + NEGATIVE + others:
        assert text.lower() not in lines, text


@pytest.mark.parametrize(
    ("category", "text"), [(c, t) for c, texts in CLEAR.items() for t in texts]
)
def test_flags_clear_examples_of_each_category(
    model: RiskModel, category: RiskCategory, text: str
) -> None:
    prediction = model.predict([text])[0]
    assert prediction.flagged, (text, prediction.scores)
    # The category itself is among the three highest scores (several can apply).
    top = sorted(prediction.scores, key=prediction.scores.__getitem__, reverse=True)[:3]
    assert category in top, (text, prediction.scores)


def test_passes_obvious_negatives(model: RiskModel) -> None:
    predictions = list(zip(model.predict(NEGATIVE), NEGATIVE, strict=True))
    flagged = [(text, sorted(p.flagged)) for p, text in predictions if p.flagged]
    in_a_band = [
        (text, sorted(p.flagged | p.watch)) for p, text in predictions if p.flagged or p.watch
    ]
    assert len(flagged) <= MAX_FLAGGED_NEGATIVES, flagged
    assert len(in_a_band) <= MAX_WATCHED_NEGATIVES, in_a_band


def test_watch_band_lies_below_the_confident_one(model: RiskModel) -> None:
    texts = [t for texts in CLEAR.values() for t in texts] + NEGATIVE
    texts += ["I don't really see the point of anything lately", "everything feels heavy"]
    for text, prediction in zip(texts, model.predict(texts), strict=True):
        assert not prediction.flagged & prediction.watch, text
        for category in prediction.watch:
            # Only what the recall-first cut reaches and the confident cut does not.
            assert category not in prediction.flagged
    config = json.loads((DEFAULT_MODEL_DIR / CONFIG_FILE).read_text(encoding="utf-8"))
    for head in config["heads"].values():
        for label, cut in head["watch_thresholds"].items():
            assert 0.0 < cut <= head["thresholds"][label] < 1.0


def test_ordinary_chat_is_not_flagged_and_rarely_watched(model: RiskModel) -> None:
    """The USE classifier alone (the fallback when the MiniLM reader does not load). Since
    the retrain on the v3 lines (2026-11-30) it puts "here is a selfie of me and my cousin
    at the lake" in its watch band (a check-in); the ensemble the bot runs puts none of these
    in a band (tests/responses/test_risk_ensemble.py)."""
    predictions = model.predict(ORDINARY_CHAT)
    assert not [t for p, t in zip(predictions, ORDINARY_CHAT, strict=True) if p.flagged]
    watched = [t for p, t in zip(predictions, ORDINARY_CHAT, strict=True) if p.watch]
    assert len(watched) <= 1, watched


def test_config_records_the_ordinary_chat_limits() -> None:
    config = json.loads((DEFAULT_MODEL_DIR / CONFIG_FILE).read_text(encoding="utf-8"))
    chat = config["ordinary_chat"]
    assert len(chat["train_sha256"]) == 64 and chat["train_sampled"] > 1000
    for head in config["heads"].values():
        assert head["dev"]["confident"]["ordinary_rate"] <= 0.01
        assert head["dev"]["watch"]["ordinary_rate"] <= 0.03


@pytest.mark.parametrize(("language", "text"), OTHER_LANGUAGES)
def test_suicidal_ideation_in_each_language_reaches_a_band(
    model: RiskModel, language: str, text: str
) -> None:
    prediction = model.predict([text])[0]
    assert RiskCategory.SUICIDAL_IDEATION in prediction.flagged | prediction.watch


@pytest.mark.parametrize(("language", "text"), OTHER_NEGATIVES)
def test_passes_plain_chat_in_each_language(model: RiskModel, language: str, text: str) -> None:
    prediction = model.predict([text])[0]
    assert prediction.language == language
    assert not prediction.flagged, prediction.scores


def test_scores_cover_every_category(model: RiskModel) -> None:
    prediction = model.predict(["hello"])[0]
    assert set(prediction.scores) == set(RiskCategory)
    assert all(0.0 <= s <= 1.0 for s in prediction.scores.values())
    assert prediction.language in model.languages
    assert model.predict([]) == []


def test_batch_equals_single(model: RiskModel) -> None:
    texts = [t for texts in CLEAR.values() for t in texts] + NEGATIVE + ["", "x" * 5000]
    texts += [t for _, t in OTHER_LANGUAGES]
    batch = model.predict(texts)
    for text, together in zip(texts, batch, strict=True):
        alone = model.predict([text])[0]
        assert alone.flagged == together.flagged, text
        assert alone.watch == together.watch, text
        assert alone.language == together.language
        for category in RiskCategory:
            assert alone.scores[category] == pytest.approx(together.scores[category], abs=1e-4)


def _copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


def test_missing_files_raise(tmp_path: Path) -> None:
    with pytest.raises(RiskModelError, match="missing"):
        load_risk_model(tmp_path / "nowhere")
    target = _copy_model(tmp_path)
    (target / WEIGHTS_FILE).unlink()
    with pytest.raises(RiskModelError, match="missing"):
        load_risk_model(target)


def test_corrupt_weights_raise(tmp_path: Path) -> None:
    target = _copy_model(tmp_path)
    data = bytearray((target / WEIGHTS_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (target / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(RiskModelError, match="SHA-256"):
        load_risk_model(target)


def test_corrupt_config_raises(tmp_path: Path) -> None:
    target = _copy_model(tmp_path)
    (target / CONFIG_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(RiskModelError, match="unreadable"):
        load_risk_model(target)
    config = json.loads((DEFAULT_MODEL_DIR / CONFIG_FILE).read_text(encoding="utf-8"))
    config["labels"] = ["suicidal_ideation", "not_a_category"]
    (target / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(RiskModelError):
        load_risk_model(target)


def test_wrong_shape_raises(tmp_path: Path) -> None:
    target = _copy_model(tmp_path)
    with np.load(target / WEIGHTS_FILE) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["all_bias"] = np.zeros(3, np.float32)
    np.savez_compressed(target / WEIGHTS_FILE, **arrays)
    config = json.loads((target / CONFIG_FILE).read_text(encoding="utf-8"))
    from responses.risk_model import weights_digest

    config["weights_sha256"] = weights_digest(target / WEIGHTS_FILE)
    (target / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(RiskModelError, match="shape"):
        load_risk_model(target)


def test_config_records_its_provenance() -> None:
    config = json.loads((DEFAULT_MODEL_DIR / CONFIG_FILE).read_text(encoding="utf-8"))
    assert config["labels"] == [c.value for c in RiskCategory]
    assert set(config["languages"]) == set(LANGUAGES)
    for head in config["heads"].values():
        assert set(head["thresholds"]) >= {c.value for c in RiskCategory}
        assert set(head["watch_thresholds"]) == set(head["thresholds"])
        assert all(0.0 < t < 1.0 for t in head["thresholds"].values())
        assert head["encoder"] and head["dev"]
    for key in ("encoders", "data_sha256", "weights_sha256", "trained_at"):
        assert config[key]


def test_trainer_runs_on_a_tiny_slice(tmp_path: Path) -> None:
    from responses.risk_train import TrainOptions, read_examples, train

    examples = read_examples()[::15]
    options = TrainOptions(encoder="", steps=30)
    result = train(examples, tmp_path / "tiny", options)
    dev = result["dev"]
    assert isinstance(dev, dict)
    for band in ("confident", "watch"):
        assert 0.0 <= float(dev["all"][band]["recall_overall"]) <= 1.0
    tiny = load_risk_model(tmp_path / "tiny")
    assert len(tiny.predict(["I want to die", "nice weather"])) == 2
