"""Crisis screen bench: the rules, the learned risk classifier, and both together.

Run ``python bench/safety_bench.py [--heldout FILE] [--dialogues FILE] [--model DIR]``.
Reads the held-out test split (``tests/responses/data/risk_heldout.tsv``:
``labels<TAB>language<TAB>text``; ``risk_heldout_dialogues.tsv``:
``dialogue_id<TAB>turn<TAB>expected<TAB>language<TAB>text``) and prints, per screen:

* screens: the rules, the classifier's confident band (``flagged``: the crisis reply), both,
  and the same with the watch band added (``flagged`` or ``watch``: the crisis reply or the
  gentle check-in that asks directly);
* recall per category: ``any`` = the message was flagged at all (it gets the crisis reply),
  ``cat`` = that category itself was flagged (the rules count only when ``screen`` reports
  categories);
* recall per language, overall recall, and the false-alarm rate on the ``none`` lines;
* latency per message, p50/p95 in ms, one message at a time, English and other languages apart;
* dialogues: a turn counts as caught when some turn so far was flagged (risk is never lowered),
  benign dialogues count as false alarms when any turn was flagged. This is the per-message
  screen with a latch, not the conversation risk state (issue 13 item 4).

Targets (issue 13): recall >= 0.95 overall and >= 0.90 per category, false alarms <= 0.05,
added latency p50 <= 10 ms for English. The held-out files must never be used for tuning.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from responses.risk import RiskCategory

DATA = Path(__file__).resolve().parent.parent / "tests" / "responses" / "data"


@dataclass(frozen=True, slots=True)
class Row:
    labels: frozenset[RiskCategory]
    language: str
    text: str


Verdict = tuple[bool, frozenset[RiskCategory] | None]


def _labels(raw: str) -> frozenset[RiskCategory]:
    return frozenset(RiskCategory(x.strip()) for x in raw.split(",") if x.strip() != "none")


def read_messages(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        labels, language, text = line.split("\t", 2)
        rows.append(Row(_labels(labels), language, text))
    return rows


def read_dialogues(path: Path) -> dict[str, list[Row]]:
    dialogues: dict[str, list[Row]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        dialogue, _turn, expected, language, text = line.split("\t", 4)
        dialogues.setdefault(dialogue, []).append(Row(_labels(expected), language, text))
    return dialogues


def rules_screen() -> Callable[[str], Verdict]:
    from responses.safety import screen

    def run(text: str) -> Verdict:
        check = screen(text)
        categories = getattr(check, "categories", None)
        return bool(check.flagged), frozenset(categories) if categories is not None else None

    return run


def model_screen(model_dir: Path | None, watch: bool = False) -> Callable[[str], Verdict]:
    """The classifier's confident band (the crisis reply), or with ``watch`` both bands
    (the crisis reply or the gentle check-in)."""
    from responses.risk_model import load_risk_model

    model = load_risk_model(model_dir)

    def run(text: str) -> Verdict:
        prediction = model.predict([text])[0]
        hit = prediction.flagged | prediction.watch if watch else prediction.flagged
        return bool(hit), hit

    return run


def combined(a: Callable[[str], Verdict], b: Callable[[str], Verdict]) -> Callable[[str], Verdict]:
    def run(text: str) -> Verdict:
        (fa, ca), (fb, cb) = a(text), b(text)
        cats = None if ca is None and cb is None else (ca or frozenset()) | (cb or frozenset())
        return fa or fb, cats

    return run


def _rate(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 3) if hits else None


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def evaluate(run: Callable[[str], Verdict], rows: Sequence[Row]) -> dict[str, object]:
    verdicts: list[Verdict] = []
    seconds: list[float] = []
    for row in rows:
        start = time.perf_counter()
        verdicts.append(run(row.text))
        seconds.append(time.perf_counter() - start)
    per_category: dict[str, object] = {}
    for category in RiskCategory:
        members = [(r, v) for r, v in zip(rows, verdicts, strict=True) if category in r.labels]
        with_cats = [v[1] for _, v in members if v[1] is not None]
        per_category[category.value] = {
            "n": len(members),
            "any": _rate([v[0] for _, v in members]),
            "cat": _rate([category in c for c in with_cats]) if with_cats else None,
        }
    per_language: dict[str, object] = {}
    for language in sorted({r.language for r in rows}):
        pos = [
            v[0] for r, v in zip(rows, verdicts, strict=True) if r.language == language and r.labels
        ]
        neg = [
            v[0]
            for r, v in zip(rows, verdicts, strict=True)
            if r.language == language and not r.labels
        ]
        per_language[language] = {"recall": _rate(pos), "false_alarms": _rate(neg)}
    en = [s for r, s in zip(rows, seconds, strict=True) if r.language == "en"]
    other = [s for r, s in zip(rows, seconds, strict=True) if r.language != "en"]
    return {
        "recall": _rate([v[0] for r, v in zip(rows, verdicts, strict=True) if r.labels]),
        "false_alarms": _rate([v[0] for r, v in zip(rows, verdicts, strict=True) if not r.labels]),
        "per_category": per_category,
        "per_language": per_language,
        "latency_ms_en": {"p50": _pct(en, 0.5), "p95": _pct(en, 0.95)} if en else None,
        "latency_ms_other": {"p50": _pct(other, 0.5), "p95": _pct(other, 0.95)} if other else None,
    }


def evaluate_dialogues(
    run: Callable[[str], Verdict], dialogues: dict[str, list[Row]]
) -> dict[str, object]:
    caught: list[bool] = []
    benign_raised: list[bool] = []
    for dialogue_id, turns in dialogues.items():
        raised = False
        for row in turns:
            raised = raised or run(row.text)[0]
            if row.labels:
                caught.append(raised)
        if dialogue_id.startswith("b-"):
            benign_raised.append(raised)
    return {
        "turn_recall": _rate(caught),
        "n_risk_turns": len(caught),
        "benign_dialogues_raised": _rate(benign_raised),
        "n_benign_dialogues": len(benign_raised),
    }


def _print(name: str, result: dict[str, object]) -> None:
    print(f"== {name}: recall {result['recall']}  false alarms {result['false_alarms']}")
    for category, figures in result["per_category"].items():  # type: ignore[attr-defined]
        print(f"   {category:18s} n={figures['n']:<4} any={figures['any']}  cat={figures['cat']}")
    for language, figures in result["per_language"].items():  # type: ignore[attr-defined]
        print(f"   {language}: recall {figures['recall']}  false alarms {figures['false_alarms']}")
    print(f"   latency ms: en {result['latency_ms_en']}  other {result['latency_ms_other']}")
    if "dialogues" in result:
        print(f"   dialogues: {result['dialogues']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", type=Path, default=DATA / "risk_heldout.tsv")
    parser.add_argument("--dialogues", type=Path, default=DATA / "risk_heldout_dialogues.tsv")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()
    rows = read_messages(args.heldout)
    dialogues = read_dialogues(args.dialogues) if args.dialogues.is_file() else {}
    rules = rules_screen()
    start = time.perf_counter()
    model = model_screen(args.model)
    load_s = round(time.perf_counter() - start, 2)
    watch = model_screen(args.model, watch=True)
    screens = {
        "rules": rules,
        "model": model,
        "rules+model": combined(rules, model),
        "model watch band": watch,
        "rules+model watch band": combined(rules, watch),
    }
    out: dict[str, object] = {"n_messages": len(rows), "model_load_s": load_s}
    for name, run in screens.items():
        run("warm-up")  # the rules compile their patterns on first use; not a message's cost
        result = evaluate(run, rows)
        if dialogues:
            result["dialogues"] = evaluate_dialogues(run, dialogues)
        _print(name, result)
        out[name] = result
    print(json.dumps(out))


if __name__ == "__main__":
    main()
