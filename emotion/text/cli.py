"""``python -m emotion train text`` and ``python -m emotion evaluate text``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def train_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emotion train text",
        description="Fine-tune the text emotion model on GoEmotions-Ekman (train.tsv, dev.tsv).",
    )
    parser.add_argument("--data", type=Path, required=True, help="folder with train/dev.tsv")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the model to")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--n-frozen", type=int, default=None, help="frozen MiniLM blocks (0-6)")
    parser.add_argument("--max-train", type=int, default=None, help="use the first N rows")
    parser.add_argument("--max-dev", type=int, default=None, help="use the first N dev rows")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--bag-dim", type=int, default=None, help="0: no bag-of-words branch")
    parser.add_argument(
        "--thresholds-only",
        action="store_true",
        help="keep the weights in --out, only choose the thresholds again on dev",
    )
    parser.add_argument("--log-every", type=int, default=None)
    args = parser.parse_args(argv)

    from dataclasses import replace

    from emotion.text.data import read_tsv
    from emotion.text.thresholds import rechoose_thresholds
    from emotion.text.train import TrainOptions, train

    if args.thresholds_only:
        dev = read_tsv(args.data / "dev.tsv")
        config = rechoose_thresholds(args.out, dev)
        print(f"thresholds: {config['thresholds']}")
        print(f"dev: {config['dev']}")
        return 0

    options = TrainOptions()
    overrides = {
        "epochs": args.epochs,
        "seed": args.seed,
        "n_frozen": args.n_frozen,
        "max_train": args.max_train,
        "max_dev": args.max_dev,
        "batch_size": args.batch_size,
        "log_every": args.log_every,
        "bag_dim": args.bag_dim,
    }
    options = replace(options, **{k: v for k, v in overrides.items() if v is not None})
    train_set = read_tsv(args.data / "train.tsv")
    dev_set = read_tsv(args.data / "dev.tsv")
    print(f"options: {options}", flush=True)
    train(train_set, dev_set, args.out, options, report=lambda line: print(line, flush=True))
    return 0


def _lexicon_scores(texts: tuple[str, ...]) -> tuple[Any, Any]:
    import numpy as np

    from emotion.labels import N_LABELS
    from emotion.text.lexicon import LexiconEstimator

    lexicon = LexiconEstimator()
    probabilities = np.asarray(
        [lexicon.estimate(t).probabilities for t in texts], dtype=np.float32
    ).reshape(-1, N_LABELS)
    # The lexicon's numbers are a distribution, not calibrated per-label scores: it predicts
    # its top label only (no threshold below 1 is reached).
    return probabilities, np.ones(N_LABELS, dtype=np.float32)


def evaluate_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emotion evaluate text",
        description="Score the text model on a TSV (text, label ids, id); last stdout line is "
        "one JSON object.",
    )
    parser.add_argument("file", type=Path, help="TSV file (GoEmotions-Ekman format)")
    parser.add_argument(
        "--model",
        default=None,
        help="model folder (default: the committed one) or 'lexicon' for the VADER baseline",
    )
    parser.add_argument("--report", type=Path, default=None, help="folder for the PNG report")
    parser.add_argument(
        "--no-lexicon", action="store_true", help="leave the lexicon out of the report"
    )
    args = parser.parse_args(argv)

    import json

    from emotion.text.data import read_tsv
    from emotion.text.metrics import confusion, score

    dataset = read_tsv(args.file)
    model_dir: Path | None = None
    if args.model == "lexicon":
        name = "lexicon (VADER + cues)"
        probabilities, thresholds = _lexicon_scores(dataset.texts)
    else:
        from emotion.text.model import load_text_model

        model = load_text_model(None if args.model is None else Path(args.model))
        model_dir = model.model_dir
        name = "MiniLM fine-tuned"
        probabilities, thresholds = model.predict_proba(dataset.texts), model.thresholds
    scores = score(probabilities, dataset.targets, thresholds)

    if args.report is not None:
        from emotion.text.report import plot_confusion, plot_history, plot_per_class

        args.report.mkdir(parents=True, exist_ok=True)
        results = {name: scores}
        if model_dir is not None and not args.no_lexicon:
            lex_p, lex_t = _lexicon_scores(dataset.texts)
            results["lexicon (VADER + cues)"] = score(lex_p, dataset.targets, lex_t)
        title = f"{args.file.name}: {name}"
        plot_confusion(
            confusion(probabilities, dataset.targets), args.report / "confusion.png", title
        )
        plot_per_class(results, args.report / "per_class_f1.png", f"{args.file.name}: per-class F1")
        if model_dir is not None:
            plot_history(model_dir / "history.json", args.report / "training_curves.png")
        summary = {k: v.as_dict() for k, v in results.items()}
        (args.report / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
        print(f"report written to {args.report}", file=sys.stderr)

    print(json.dumps(scores.as_dict()), flush=True)
    return 0
