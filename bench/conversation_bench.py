"""Conversation bench: do replies listen? Prints the figures asked for in issue 15.

Runs tests/responses/data/conversations.toml through the real Core (shipped text model, a
temporary SQLite database) and reports:

* topic share: of the turns that list words to name, the share whose reply names them all
  (target >= 0.8);
* celebrate after a heavy or sarcastic moment: replies in the celebrate tone to a turn marked
  gentle (target 0);
* the same topic share on tests/responses/data/reflections_heldout.toml, single messages
  written after the rules and never used to change them;
* act accuracy on tests/responses/data/acts_heldout.toml, a split written before the act
  rules and never used to tune them;
* added latency per message: the time ``responses.compose`` takes (acts, reading in context,
  reflection, bank), p50 and p95 over all turns, measured apart from the model and storage.

Usage: ``.venv/bin/python -m bench.conversation_bench [--lexicon]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.inference import load_text_estimator
from bot.storage import migrate
from emotion.fusion import fuse
from emotion.text import TextEstimator
from emotion.text.lexicon import LexiconEstimator
from responses.acts import classify_act
from responses.compose import ComposeInput, Turn, compose
from tests.responses.conversations import (
    load_conversations,
    load_heldout_acts,
    load_heldout_reflections,
    problems,
    run_conversations,
)


def _compose_latency(estimator: TextEstimator, texts: list[list[str]]) -> list[float]:
    """Milliseconds ``compose`` adds per message (the model's reading is computed before)."""
    rng = random.Random(0)
    now = datetime.now(UTC)
    warm = fuse(estimator.estimate("hello"), None, (), now=now, half_life=timedelta(hours=72))
    compose(ComposeInput(text="warm up, my day", fusion=warm), rng)  # loads VADER, tokenizer
    samples = []
    for conversation in texts:
        previous: list[Turn] = []
        for text in conversation:
            estimate = estimator.estimate(text)
            result = fuse(estimate, None, (), now=now, half_life=timedelta(hours=72))
            data = ComposeInput(text=text, fusion=result, name="Robin", previous=tuple(previous))
            start = time.perf_counter()
            composed = compose(data, rng)
            samples.append((time.perf_counter() - start) * 1000)
            previous.append(Turn(text, composed.fusion.estimate))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", action="store_true", help="read with the VADER lexicon")
    args = parser.parse_args()
    estimator: TextEstimator = LexiconEstimator() if args.lexicon else load_text_estimator(None)
    conversations = load_conversations()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        results = asyncio.run(run_conversations(url, estimator, conversations))
    turns = [turn for result in results for turn in result.turns]
    named = [t for t in turns if t.check.get("names")]
    named_ok = [t for t in named if not any("does not name" in p for p in problems(t))]
    gentle = [t for t in turns if t.check.get("gentle")]
    celebrated = [t for t in gentle if t.tone == "celebrate"]
    failing = [t for t in turns if problems(t)]
    reflections = [
        {
            "name": f"held-out reflection {i}",
            "turns": [{"text": item["text"], "names": item["names"]}],
        }
        for i, item in enumerate(load_heldout_reflections())
    ]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        held = asyncio.run(run_conversations(url, estimator, reflections))
    held_turns = [turn for result in held for turn in result.turns]
    held_ok = [t for t in held_turns if not problems(t)]
    heldout = load_heldout_acts()
    correct = sum(classify_act(item["text"]).act.value == item["act"] for item in heldout)
    latency = _compose_latency(
        estimator, [[str(t["text"]) for t in c["turns"]] for c in conversations]
    )
    quantiles = statistics.quantiles(latency, n=20)
    print(f"text reader: {type(estimator).__name__}")
    print(f"conversations: {len(conversations)}, turns: {len(turns)}")
    print(f"topic named: {len(named_ok)}/{len(named)} = {len(named_ok) / len(named):.2f}")
    print(
        f"topic named on the held-out reflection split: {len(held_ok)}/{len(held_turns)} "
        f"= {len(held_ok) / len(held_turns):.2f}"
    )
    print(f"celebrate after a heavy or sarcastic moment: {len(celebrated)} of {len(gentle)}")
    print(f"turns failing any written check: {len(failing)}")
    print(
        f"act accuracy on the untuned split: {correct}/{len(heldout)} "
        f"= {correct / len(heldout):.2f}"
    )
    print(
        f"compose latency per message: p50 {statistics.median(latency):.2f} ms, "
        f"p95 {quantiles[18]:.2f} ms"
    )


if __name__ == "__main__":
    main()
