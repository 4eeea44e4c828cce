"""Choosing the tone of a reply from the fused estimate.

The mapping is data (``responses/data/tones.toml``): rows of conditions -> tone, first match
wins, so a non-programmer can read and change how attune answers without touching code. This
module only evaluates the rows; it checks the table when it loads so that a typo in a
condition fails loudly at start-up rather than silently never matching.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from emotion.labels import Emotion, EmotionEstimate
from responses._data import load_toml


class Tone(StrEnum):
    COMFORT = "comfort"
    CALM = "calm"
    CELEBRATE = "celebrate"
    ENCOURAGE = "encourage"
    CHECK_IN = "check_in"
    CURIOUS = "curious"


class Trend(StrEnum):
    """Today's mood compared with the user's last days."""

    BETTER = "better"
    WORSE = "worse"
    STEADY = "steady"
    UNKNOWN = "unknown"


def trend_of(today: float, previous: Sequence[float], *, margin: float = 0.2) -> Trend:
    """Compare today's valence (-1..1) with the mean of the last days' valences.

    ``margin`` keeps small wobbles "steady": rough valence values move by noise alone.
    """
    if not previous:
        return Trend.UNKNOWN
    baseline = sum(previous) / len(previous)
    if today > baseline + margin:
        return Trend.BETTER
    if today < baseline - margin:
        return Trend.WORSE
    return Trend.STEADY


@dataclass(frozen=True, slots=True)
class ToneRule:
    """One row of the table. ``None`` / empty means "any"."""

    name: str
    tone: Tone
    emotions: frozenset[Emotion] = frozenset()
    min_intensity: float | None = None
    max_intensity: float | None = None
    min_valence: float | None = None
    max_valence: float | None = None
    disagreement: bool | None = None
    trends: frozenset[Trend] = frozenset()

    def matches(
        self, estimate: EmotionEstimate, intensity: float, disagreement: bool, trend: Trend
    ) -> bool:
        valence = estimate.valence
        checks = (
            not self.emotions or estimate.top in self.emotions,
            self.min_intensity is None or intensity >= self.min_intensity,
            self.max_intensity is None or intensity <= self.max_intensity,
            self.min_valence is None or valence >= self.min_valence,
            self.max_valence is None or valence <= self.max_valence,
            self.disagreement is None or disagreement == self.disagreement,
            not self.trends or trend in self.trends,
        )
        return all(checks)

    @property
    def unconditional(self) -> bool:
        return self == ToneRule(self.name, self.tone)


_KEYS = {
    "name",
    "tone",
    "emotion",
    "min_intensity",
    "max_intensity",
    "min_valence",
    "max_valence",
    "disagreement",
    "trend",
}


def _optional_float(row: Mapping[str, Any], key: str) -> float | None:
    return None if key not in row else float(row[key])


def parse_rules(rows: Sequence[Mapping[str, Any]]) -> tuple[ToneRule, ...]:
    """Build and check rules from table rows (ValueError names the bad row)."""
    rules = []
    for i, row in enumerate(rows):
        label = f"tone rule {i + 1} ({row.get('name', 'unnamed')})"
        unknown = set(row) - _KEYS
        if unknown:
            raise ValueError(f"{label}: unknown condition(s) {sorted(unknown)}")
        try:
            disagreement = row.get("disagreement")
            rules.append(
                ToneRule(
                    name=str(row.get("name", f"rule {i + 1}")),
                    tone=Tone(row["tone"]),
                    emotions=frozenset(Emotion(e) for e in row.get("emotion", ())),
                    min_intensity=_optional_float(row, "min_intensity"),
                    max_intensity=_optional_float(row, "max_intensity"),
                    min_valence=_optional_float(row, "min_valence"),
                    max_valence=_optional_float(row, "max_valence"),
                    disagreement=None if disagreement is None else bool(disagreement),
                    trends=frozenset(Trend(t) for t in row.get("trend", ())),
                )
            )
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{label}: {exc}") from exc
    if not rules or not rules[-1].unconditional:
        raise ValueError("the last tone rule must have no conditions (the default)")
    return tuple(rules)


@cache
def default_rules() -> tuple[ToneRule, ...]:
    return parse_rules(load_toml("tones.toml")["rule"])


def intensity_of(estimate: EmotionEstimate) -> float:
    """How strongly the top feeling showed: its probability (0..1)."""
    return estimate.top_probability


def choose_rule(
    estimate: EmotionEstimate,
    *,
    disagreement: bool = False,
    trend: Trend = Trend.UNKNOWN,
    intensity: float | None = None,
    rules: Sequence[ToneRule] | None = None,
) -> ToneRule:
    """The first rule that matches (the table guarantees one always does)."""
    level = intensity_of(estimate) if intensity is None else intensity
    table = default_rules() if rules is None else rules
    for rule in table:
        if rule.matches(estimate, level, disagreement, trend):
            return rule
    return table[-1]


def choose_tone(
    estimate: EmotionEstimate,
    *,
    disagreement: bool = False,
    trend: Trend = Trend.UNKNOWN,
    intensity: float | None = None,
) -> Tone:
    """The tone for a reply to this (fused) estimate."""
    return choose_rule(estimate, disagreement=disagreement, trend=trend, intensity=intensity).tone
