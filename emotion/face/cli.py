"""``python -m emotion train|evaluate face``: command-lines for the expression model.

Kept thin: argument parsing and printing live here, the work in ``train.py`` and
``evaluate.py``. TensorFlow's thread pools are sized before TensorFlow runs anything.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from emotion.face.artifacts import DEFAULT_MODEL_DIR, NetworkConfig


def _set_threads(threads: int) -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, threads // 2))
    except RuntimeError:  # TensorFlow already running in this process (tests): keep its pools
        pass


def _print(line: str) -> None:
    print(line, flush=True)


def train_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m emotion train face")
    parser.add_argument("--data", type=Path, required=True, help="folder with train.npz, val.npz")
    parser.add_argument("--out", type=Path, required=True, help="model folder to export to")
    parser.add_argument("--checkpoint-dir", type=Path, help="default: OUT/checkpoint")
    parser.add_argument("--epochs", type=int, default=36)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.03)
    parser.add_argument("--width", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--max-minutes", type=float, help="time budget; shortens the plan")
    parser.add_argument("--limit", type=int, help="use only N rows of each split (smoke runs)")
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    parser.add_argument("--stop-after", type=int, help="train at most N epochs in this run")
    parser.add_argument("--warmup-epochs", type=float, default=2.0)
    parser.add_argument(
        "--init-from", type=Path, help="exported model folder to start from (a new cycle)"
    )
    parser.add_argument(
        "--average-last", type=int, default=0, help="average the weights of the last N epochs"
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    _set_threads(args.threads)
    from emotion.face.train import TrainConfig, train

    config = TrainConfig(
        data_dir=args.data,
        out_dir=args.out,
        checkpoint_dir=args.checkpoint_dir or args.out / "checkpoint",
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        weight_decay=args.weight_decay,
        network=NetworkConfig(width=args.width),
        seed=args.seed,
        max_minutes=args.max_minutes,
        limit=args.limit,
        resume=args.resume,
        stop_after=args.stop_after,
        warmup_epochs=args.warmup_epochs,
        init_from=args.init_from,
        average_last=args.average_last,
    )
    state = train(config, _print)
    _print(json.dumps({"epochs": state.epochs_done, "best_val_accuracy": state.best_accuracy}))
    return 0


def evaluate_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m emotion evaluate face")
    parser.add_argument("file", type=Path, help="npz with x uint8 [N,48,48] and y uint8 [N]")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--report", type=Path, help="folder for confusion matrix and curves")
    parser.add_argument("--no-tta", action="store_true", help="skip the mirror-image average")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    _set_threads(args.threads)
    from emotion.face.evaluate import evaluate

    result = evaluate(args.file, args.model, args.report, tta=not args.no_tta, emit=_print)
    print(json.dumps(result), file=sys.stdout, flush=True)
    return 0
