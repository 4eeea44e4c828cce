"""TensorFlow's own log level, set in one place for every entry point (bot, CLIs, benches, tests).

TensorFlow's C++ core prints INFO and WARNING lines on import and on first use (CPU features,
oneDNN notices, XLA compilation), which drown the bot's log and the CLIs' progress lines. Level
2 keeps its errors. TensorFlow reads ``TF_CPP_MIN_LOG_LEVEL`` once, when it is first imported, so
entry points call ``quiet_tensorflow()`` before anything imports it; a value already in the
environment wins (``TF_CPP_MIN_LOG_LEVEL=0`` brings the lines back for debugging). Library
modules never call this: setting the process environment is the entry point's business.
"""

from __future__ import annotations

import os

#: 0 all, 1 no INFO, 2 errors only, 3 nothing (TensorFlow's ``TF_CPP_MIN_LOG_LEVEL``).
TF_LOG_LEVEL = "2"


def quiet_tensorflow() -> None:
    """Set ``TF_CPP_MIN_LOG_LEVEL`` to ``TF_LOG_LEVEL`` unless the environment already sets it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", TF_LOG_LEVEL)
