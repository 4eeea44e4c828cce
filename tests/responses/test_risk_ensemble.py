"""The fine-tuned MiniLM risk reader and its ensemble with the USE classifier: both load, the
combination is the weighted mean the config names, broken files fall back, and the skip of
the MiniLM reader changes no band."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from responses.risk import RiskCategory
from responses.risk_encoder import (
    CONFIG_FILE,
    DEFAULT_ENCODER_DIR,
    WEIGHTS_FILE,
    EncoderReader,
    load_encoder_reader,
)
from responses.risk_ensemble import MIN_DECISIVE_WORDS, RiskEnsemble, load_risk_ensemble
from responses.risk_model import RiskModel, RiskModelError, weights_digest
from tests.responses.test_risk_model import CLEAR, NEGATIVE, ORDINARY_CHAT, OTHER_LANGUAGES

CONFIG = json.loads((DEFAULT_ENCODER_DIR / CONFIG_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ensemble() -> RiskEnsemble:
    loaded = load_risk_ensemble()
    assert isinstance(loaded, RiskEnsemble), "the committed MiniLM reader did not load"
    return loaded


def test_the_committed_reader_loads_and_scores(ensemble: RiskEnsemble) -> None:
    reader = ensemble.reader
    texts = [CLEAR[RiskCategory.SUICIDAL_IDEATION][0], NEGATIVE[0], "", "x" * 5000]
    scores = reader.scores(texts)
    assert scores.shape == (4, len(RiskCategory) + 1)
    assert ((scores >= 0.0) & (scores <= 1.0)).all()
    # The plain statement of suicide outscores a sentence about a walk with the dog.
    assert scores[0].max() > scores[1].max()


def test_reader_batch_equals_single(ensemble: RiskEnsemble) -> None:
    texts = [t for texts in CLEAR.values() for t in texts] + NEGATIVE[:4]
    together = ensemble.reader.scores(texts)
    for i, text in enumerate(texts):
        alone = ensemble.reader.scores([text])[0]
        np.testing.assert_allclose(alone, together[i], atol=2e-4)


def test_combined_scores_are_the_configured_weighted_mean(ensemble: RiskEnsemble) -> None:
    texts = [t for texts in CLEAR.values() for t in texts] + [t for _, t in OTHER_LANGUAGES]
    raw = ensemble.model.raw_scores(texts)
    minilm = ensemble.reader.scores(texts)
    for (row, lang), (use, read_as), mini in zip(
        ensemble.combined(texts), raw, minilm, strict=True
    ):
        assert lang == read_as
        w = ensemble.weights.get(lang, 0.0)
        skipped = w == 0.0 or w + (1 - w) * float(use.max()) < ensemble.bands[lang].watch
        expected = (1 - w) * use + (0.0 if skipped else w * mini)
        np.testing.assert_allclose(row, expected, atol=2e-4)


def test_only_the_decisive_cut_makes_a_prediction_decisive(ensemble: RiskEnsemble) -> None:
    texts = [t for texts in CLEAR.values() for t in texts] + NEGATIVE + ORDINARY_CHAT
    for text, (row, lang), prediction in zip(
        texts, ensemble.combined(texts), ensemble.predict(texts), strict=True
    ):
        cut = CONFIG["ensemble"]["bands"][lang]["decisive"]
        long_enough = len(text.split()) >= MIN_DECISIVE_WORDS
        expected = cut is not None and float(row.max()) >= cut and long_enough
        assert prediction.decisive == expected
        assert not prediction.decisive or prediction.flagged
        assert not prediction.flagged & prediction.watch


#: Everyday captions and sign-offs that the readers scored as risk (found by a fresh review:
#: the decisive band sent them the crisis reply). Never decisive now; still watched at most.
SHORT_EVERYDAY = [
    "here I am",
    "look at me",
    "see you tomorrow",
    "goodbye for now",
    "gonna go now",
    "my face rn",
]


def test_short_everyday_lines_never_get_the_crisis_reply_from_the_readers(
    ensemble: RiskEnsemble,
) -> None:
    predictions = ensemble.predict(SHORT_EVERYDAY)
    assert not [t for t, p in zip(SHORT_EVERYDAY, predictions, strict=True) if p.decisive]
    # The same words inside a longer message are judged on their scores again.
    long = [f"{t}, I really do not want to be alive any more after tonight" for t in SHORT_EVERYDAY]
    assert any(p.decisive for p in ensemble.predict(long))


def test_clear_cases_reach_a_band_and_plain_chat_does_not(ensemble: RiskEnsemble) -> None:
    clear = [t for texts in CLEAR.values() for t in texts] + [t for _, t in OTHER_LANGUAGES]
    missed = [t for t, p in zip(clear, ensemble.predict(clear), strict=True) if not p.flagged]
    # The confident band is cut for <= 5 % false alarms, so a plain statement may rarely fall
    # in the watch band only; none may be missed by both bands.
    assert len(missed) <= 2, missed
    either = [p.flagged | p.watch for p in ensemble.predict(clear)]
    assert all(either)
    ordinary = ensemble.predict(ORDINARY_CHAT)
    assert not [t for t, p in zip(ORDINARY_CHAT, ordinary, strict=True) if p.flagged or p.watch]


@pytest.mark.parametrize(("language", "text"), OTHER_LANGUAGES)
def test_flags_suicidal_ideation_in_each_language(
    ensemble: RiskEnsemble, language: str, text: str
) -> None:
    prediction = ensemble.predict([text])[0]
    assert prediction.language == language
    assert RiskCategory.SUICIDAL_IDEATION in prediction.flagged, prediction.scores


class _CountingReader:
    """Stands in for the MiniLM reader: a fixed score, and the texts it was asked about."""

    def __init__(self, reader: EncoderReader, value: float) -> None:
        self.labels = reader.labels
        self.config = reader.config
        self.value = value
        self.asked: list[str] = []

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.asked.extend(texts)
        return np.full((len(texts), len(self.labels)), self.value, np.float32)


def test_skipping_the_reader_changes_no_band(ensemble: RiskEnsemble) -> None:
    texts = NEGATIVE + ORDINARY_CHAT + [t for texts in CLEAR.values() for t in texts]
    # Even a reader that says "certain risk" for everything cannot lift a skipped message into
    # a band: the skip rule is exact, not a guess.
    counting = _CountingReader(ensemble.reader, 1.0)
    worst = RiskEnsemble(ensemble.model, counting, CONFIG["ensemble"])  # type: ignore[arg-type]
    asked = set()
    for text, prediction in zip(texts, worst.predict(texts), strict=True):
        if text not in counting.asked:
            assert not prediction.flagged and not prediction.watch, text
        asked.add(text)
    # The reader is skipped exactly when its weight cannot lift the score to the watch cut
    # (since the 2026-11-30 retrain English weighs the reader 0.7 >= its watch cut 0.545, so
    # it runs for every English message; bench/safety_bench.py prints what that costs).
    for text, (row, lang) in zip(texts, ensemble.model.raw_scores(texts), strict=True):
        w, cut = worst.weights.get(lang, 0.0), worst._bands(lang).watch
        assert (text in counting.asked) == (w > 0.0 and w + (1 - w) * float(row.max()) >= cut)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "encoder"
    shutil.copytree(DEFAULT_ENCODER_DIR, target)
    return target


def test_a_missing_or_corrupt_reader_raises(tmp_path: Path) -> None:
    with pytest.raises(RiskModelError):
        load_encoder_reader(tmp_path / "nowhere")
    target = _copy(tmp_path)
    data = bytearray((target / WEIGHTS_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (target / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(RiskModelError, match="SHA-256"):
        load_encoder_reader(target)


def test_another_emotion_model_underneath_raises(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    config = dict(CONFIG)
    config["emotion_weights_sha256"] = "0" * 64
    (target / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(RiskModelError, match="emotion"):
        load_encoder_reader(target)


def test_without_the_reader_the_use_classifier_alone_is_not_decisive(tmp_path: Path) -> None:
    alone = load_risk_ensemble(encoder_dir=tmp_path / "nowhere")
    assert isinstance(alone, RiskModel)
    for prediction in alone.predict([t for texts in CLEAR.values() for t in texts]):
        assert not prediction.decisive


def test_an_ensemble_tuned_beside_another_use_classifier_is_not_used(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    config = json.loads((target / CONFIG_FILE).read_text(encoding="utf-8"))
    config["ensemble"]["use_weights_sha256"] = "0" * 64
    (target / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    assert weights_digest(target / WEIGHTS_FILE) == config["weights_sha256"]
    assert isinstance(load_risk_ensemble(encoder_dir=target), RiskModel)


def test_the_cut_is_the_lowest_within_both_limits() -> None:
    from responses.risk_encoder_train import cut_for

    hard_scores = np.array([0.1, 0.2, 0.3, 0.9], np.float32)  # one of four look-alikes at 0.9
    positives = np.array([0.5, 0.95], np.float32)
    top = np.concatenate([hard_scores, positives])
    hard = np.array([True] * 4 + [False] * 2)
    ordinary = np.array([0.6] + [0.0] * 199, np.float32)  # 1 in 200 at 0.6
    # <= 25 % look-alikes needs a cut above 0.3; <= 0.5 % ordinary chat allows 0.6 itself.
    assert cut_for(top, ~hard, hard, ordinary, 0.25, 0.005) == pytest.approx(0.305)
    # No ordinary message allowed: the cut must rise above 0.6.
    assert cut_for(top, ~hard, hard, ordinary, 0.25, 0.0) == pytest.approx(0.605)


class _BrokenReader(_CountingReader):
    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        raise RuntimeError("the MiniLM reader crashed")


def test_a_failing_reader_leaves_the_use_classifiers_reading(ensemble: RiskEnsemble) -> None:
    broken = RiskEnsemble(
        ensemble.model,
        _BrokenReader(ensemble.reader, 0.0),  # type: ignore[arg-type]
        CONFIG["ensemble"],
    )
    texts = [t for texts in CLEAR.values() for t in texts]
    alone = ensemble.model.predict(texts)
    got = broken.predict(texts)
    assert [p.flagged for p in got] == [p.flagged for p in alone]
    assert [p.watch for p in got] == [p.watch for p in alone]
    assert not any(p.decisive for p in got)
    assert any(p.flagged or p.watch for p in got)


def test_a_long_message_scores_at_least_as_high_as_its_riskiest_sentence(
    ensemble: RiskEnsemble,
) -> None:
    """A risk said in the middle of a ramble is read on its own (responses.risk_windows),
    less the windows' margin: read whole, the ordinary sentences around it dilute it (of long
    messages composed from dev data, 0.3 % reached the check-in band read whole)."""
    line = "honestly i have been saving up my pills for weeks and tonight i will take them all."
    ramble = (
        "work was awful today and my boss yelled at me again in front of everyone. "
        "the cat is sick too and the vet costs a fortune, so that is fun. "
        f"{line} anyway how was your day, did you watch the game last night? "
        "i made pasta for dinner and it was ok i guess, nothing special really."
    )
    (alone, _), (read, _) = ensemble.combined([line, ramble])
    assert float(read.max()) >= float(alone.max()) - ensemble.window_margin - 1e-5
    ensemble.read_windows = False
    try:
        ((whole, _),) = ensemble.combined([ramble])
    finally:
        ensemble.read_windows = True
    assert float(whole.max()) < float(read.max())


def test_the_onnx_forward_pass_agrees_with_tensorflow(ensemble: RiskEnsemble) -> None:
    """ONNX Runtime runs the same float32 arithmetic as the TensorFlow graph it replaced."""
    assert ensemble.reader.backend == "onnxruntime"
    on_tensorflow = load_encoder_reader(use_onnx=False)
    assert on_tensorflow.backend == "tensorflow"
    texts = [
        CLEAR[RiskCategory.SUICIDAL_IDEATION][0],
        NEGATIVE[0],
        "",
        "ok",
        " ".join(ORDINARY_CHAT) * 3,  # past max_tokens: truncated alike
    ]
    onnx_scores = ensemble.reader.scores(texts)
    tf_scores = on_tensorflow.scores(texts)
    assert onnx_scores.shape == tf_scores.shape == (len(texts), len(CONFIG["labels"]))
    np.testing.assert_allclose(onnx_scores, tf_scores, atol=1e-5)


def test_without_onnx_runtime_the_reader_runs_on_tensorflow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A missing onnxruntime wheel costs speed, never the reader."""
    import builtins

    real_import = builtins.__import__

    def no_onnxruntime(name: str, *args: object, **kwargs: object) -> object:
        if name == "onnxruntime":
            raise ImportError("No module named 'onnxruntime'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    reader = load_encoder_reader()
    assert reader.backend == "tensorflow"
    scores = reader.scores([CLEAR[RiskCategory.SUICIDAL_IDEATION][0]])
    assert scores.shape == (1, len(CONFIG["labels"]))
    assert float(scores.min()) >= 0.0 and float(scores.max()) <= 1.0
