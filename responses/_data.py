"""Loading the package's TOML data files.

The tables (crisis patterns, helplines, tones, replies, emotion words) are data so that people
who are not programmers can read and edit them; they ship inside the package and are read with
``importlib.resources`` so the library works from a wheel as well as from a checkout.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def load_toml(name: str) -> dict[str, Any]:
    """Parse ``responses/data/<name>`` once per process (the files never change while running)."""
    text = files("responses").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)
