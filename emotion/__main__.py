"""``python -m emotion train|evaluate text|face …``: train and evaluate the models in this repo.

Each model family owns its command-line in ``emotion/<family>/cli.py`` (``train_main`` and
``evaluate_main`` taking ``argv``); this module only dispatches, importing lazily so that
``evaluate text`` never pays for loading the face stack and vice versa.
"""

from __future__ import annotations

import importlib
import sys

from emotion.tflog import quiet_tensorflow

USAGE = "usage: python -m emotion {train|evaluate} {text|face} [options]  (-h for options)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] not in {"train", "evaluate"} or args[1] not in {"text", "face"}:
        print(USAGE, file=sys.stderr)
        return 2
    action, family, rest = args[0], args[1], args[2:]
    quiet_tensorflow()
    cli = importlib.import_module(f"emotion.{family}.cli")
    entry = getattr(cli, f"{action}_main")
    return int(entry(rest))


if __name__ == "__main__":
    raise SystemExit(main())
