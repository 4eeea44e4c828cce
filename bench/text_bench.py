"""Text model bench: load time, per-message latency (preprocessing included), peak memory.

Run ``python -m bench.text_bench [--model DIR] [--dev FILE.tsv] [--n 300]``. Messages are sent
one at a time through ``TextModel.estimate`` (the way the bot calls it); with ``--dev`` they are
the first rows of that file and the dev figures are printed too. The last line is JSON.
Targets on the 2-core machine: p50 <= 10 ms, p95 <= 25 ms, load <= 5 s, peak RSS <= 1 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from emotion.tflog import quiet_tensorflow

SAMPLES = (
    "I'm not happy at all",
    "this is the best day of my life!!!",
    "😭😭",
    "WHY WOULD ANYONE DO THIS",
    "ok",
    "I can't believe they cancelled the show, I was so looking forward to it and now "
    "I have nothing to watch on Friday nights, what a waste of a great story",
    "my cat died this morning and I don't know what to do",
    "That smell is disgusting, seriously gross",
    "im soooo nervous about the exam tomorow",
    "Das ist ein schöner Tag",
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    quiet_tensorflow()  # before the model imports TensorFlow
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: ours)")
    parser.add_argument("--dev", type=Path, default=None, help="TSV for messages + dev figures")
    parser.add_argument("--n", type=int, default=300, help="messages to time")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    import tensorflow  # noqa: F401  (timed apart from the model: the bot imports it anyway)

    import_s = time.perf_counter() - start
    from emotion.text.model import load_text_model

    start = time.perf_counter()
    model = load_text_model(args.model)
    load_s = time.perf_counter() - start

    texts: list[str] = list(SAMPLES)
    dataset = None
    if args.dev is not None:
        from emotion.text.data import read_tsv

        dataset = read_tsv(args.dev)
        texts = list(dataset.texts)
    messages = [texts[i % len(texts)] for i in range(args.n)]
    times: list[float] = []
    for message in messages:
        start = time.perf_counter()
        model.estimate(message)
        times.append(time.perf_counter() - start)
    times.sort()
    result: dict[str, object] = {
        "import_tensorflow_s": round(import_s, 2),
        "load_s": round(load_s, 2),
        "n": len(times),
        "p50_ms": round(1000 * times[len(times) // 2], 2),
        "p95_ms": round(1000 * times[int(len(times) * 0.95)], 2),
        "max_ms": round(1000 * times[-1], 2),
    }
    long_start = time.perf_counter()
    model.estimate("I am so angry about this. " * 4_000)  # 100,000 characters
    result["ms_100k_chars"] = round(1000 * (time.perf_counter() - long_start), 1)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    if dataset is not None:
        from emotion.text.metrics import score

        start = time.perf_counter()
        probabilities = model.predict_proba(dataset.texts)
        result["dev"] = score(probabilities, dataset.targets, model.thresholds).as_dict()
        result["batch_ms_per_text"] = round(1000 * (time.perf_counter() - start) / len(dataset), 2)
        result["peak_rss_mb_after_batch_dev"] = round(peak_rss_mb(), 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
