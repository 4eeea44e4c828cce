"""Long messages: does reading a message window by window find the risk said in its middle?

Run ``python -m bench.risk_windows_bench [--n 300] [--seed 7]``.

Built from dev data only (never the held-out splits): each long message is ordinary-chat
sentences (the held-apart GoEmotions dev comments the cuts were chosen on, never trained on)
around one line of the risk trainers' dev split (``responses.risk_train.split``, the 15 %
the committed readers were not fitted on): a risk line makes a risk message, a hard
negative a look-alike, and chat alone an ordinary long message. Each is scored by the
ensemble reading the whole text only and reading it window by window
(``responses.risk_windows``) with each margin in ``MARGINS`` taken off the windows' scores,
and the bench prints, per kind and reading, how many reach the watch band (check-in) and the
decisive band (crisis reply; all these messages are long enough for it). The filler is
English chat, so the figures are for English rambles and, for other languages, for a line
in another language inside English chat. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

from emotion.tflog import quiet_tensorflow

quiet_tensorflow()

from responses.risk_chat import CHAT_DEV, first_comments  # noqa: E402
from responses.risk_ensemble import RiskEnsemble, load_risk_ensemble  # noqa: E402
from responses.risk_train import TrainOptions, read_examples, read_hand_chat, split  # noqa: E402

#: Margins tried for a window's scores (``responses.risk_ensemble.WINDOW_MARGIN``).
MARGINS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)


def compose(line: str, filler: list[str], rng: random.Random) -> str:
    """``line`` between 2-4 chat sentences before and 1-3 after (at least 45 words in all)."""
    before = rng.sample(filler, rng.randint(2, 4))
    after = rng.sample(filler, rng.randint(1, 3))
    parts = [*before, line, *after]
    while len(" ".join(parts).split()) < 45:
        parts.insert(0, rng.choice(filler))
    return " ".join(p if p.rstrip()[-1:] in ".!?" else p + "." for p in parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=300, help="messages of each kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--model-dir", type=Path, default=None, help="USE classifier to read")
    parser.add_argument("--encoder-dir", type=Path, default=None, help="MiniLM reader to read")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    examples = read_examples() + read_hand_chat()
    options = TrainOptions()
    _train, dev = split(examples, options.dev_fraction, options.seed)
    risk = [examples[i].text for i in dev if examples[i].labels]
    look_alike = [examples[i].text for i in dev if not examples[i].labels]
    filler = [c for c in first_comments(CHAT_DEV, options.chat_dev) if 4 <= len(c.split()) <= 25]
    kinds = {
        "risk": [compose(x, filler, rng) for x in rng.sample(risk, min(args.n, len(risk)))],
        "look_alike": [
            compose(x, filler, rng) for x in rng.sample(look_alike, min(args.n, len(look_alike)))
        ],
        "ordinary": [compose(rng.choice(filler), filler, rng) for _ in range(args.n)],
    }
    ensemble = load_risk_ensemble(args.model_dir, args.encoder_dir)
    if not isinstance(ensemble, RiskEnsemble):
        raise SystemExit("the MiniLM reader did not load: nothing to compare")
    ensemble.window_margin = 0.0  # read every window the smallest margin needs
    result: dict[str, dict[str, dict[str, float]]] = {}
    for kind, texts in kinds.items():
        started = time.perf_counter()
        readings = ensemble.read(texts)
        ms = (time.perf_counter() - started) * 1000 / len(texts)
        print(f"{kind}: {len(texts)} messages, {ms:.0f} ms each read whole and by windows")
        for margin in (None, *MARGINS):
            helped = crisis = 0
            for reading in readings:
                row = reading.whole
                if margin is not None and reading.windows is not None:
                    row = np.maximum(row, reading.windows - margin)
                cuts = ensemble.bands.get(reading.language, ensemble.bands["en"])
                top = float(row.max())
                helped += top >= cuts.watch
                crisis += cuts.decisive is not None and top >= cuts.decisive
            name = "whole" if margin is None else f"margin {margin:.2f}"
            result.setdefault(kind, {})[name] = {
                "help": round(helped / len(texts), 3),
                "crisis": round(crisis / len(texts), 3),
            }
            print(
                f"  {name:12s} check-in or crisis {helped / len(texts):6.1%}"
                f"  crisis reply {crisis / len(texts):6.1%}"
            )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
