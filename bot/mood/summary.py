"""Summary arithmetic for /mood: per-day statistics in the user's time zone, pure numpy.

Entries are cut into local days at local midnight (per day, so DST is right), then counted
with ``bincount``. The average mood is the mean valence over entries; the trend compares it
with the same span just before. Nothing here touches the database or the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from bot.domain import MoodPoints
from bot.mood.timezones import day_starts, local_date, local_instant
from emotion.labels import LABELS, N_LABELS, Emotion

#: Emotions below this share of the period are not named as dominant (the top one always is).
DOMINANT_MIN_SHARE = 0.15
DOMINANT_MAX = 3


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"

    @property
    def days(self) -> int | None:
        return {Period.WEEK: 7, Period.MONTH: 30, Period.ALL: None}[self]


def parse_period(text: str) -> Period | None:
    """``""`` means a week; also accepts ``7``/``30``; None for anything else."""
    word = text.strip().lower()
    aliases = {"": Period.WEEK, "7": Period.WEEK, "30": Period.MONTH, "everything": Period.ALL}
    if word in aliases:
        return aliases[word]
    try:
        return Period(word)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Window:
    """The local days a summary covers, and the UTC span to query (previous span included)."""

    period: Period
    zone: ZoneInfo
    first_day: date
    last_day: date  # inclusive: today
    start: datetime  # UTC, local midnight of first_day
    end: datetime  # UTC, local midnight after last_day
    previous_start: datetime | None  # UTC, start of the span compared against

    @property
    def n_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def query_start(self) -> datetime:
        return self.previous_start or self.start


def window(period: Period, zone: ZoneInfo, now: datetime, first_entry: datetime | None) -> Window:
    today = local_date(now, zone)
    length = period.days
    if length is None:
        first = local_date(first_entry, zone) if first_entry is not None else today
        first = min(first, today)
        previous = None
    else:
        first = today - timedelta(days=length - 1)
        previous = local_instant(first - timedelta(days=length), time(0), zone)
    return Window(
        period=period,
        zone=zone,
        first_day=first,
        last_day=today,
        start=local_instant(first, time(0), zone),
        end=local_instant(today + timedelta(days=1), time(0), zone),
        previous_start=previous,
    )


@dataclass(frozen=True, slots=True, eq=False)
class Daily:
    """Per-day statistics, one slot per local day (days without entries: count 0, NaN)."""

    first_day: date
    counts: npt.NDArray[np.int64]
    sums: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    emotions: npt.NDArray[np.int64]  # (days, N_LABELS) counts

    @property
    def mean(self) -> npt.NDArray[np.float64]:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.counts > 0, self.sums / np.maximum(self.counts, 1), np.nan)

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(len(self.counts))]


@dataclass(frozen=True, slots=True)
class DayMood:
    day: date
    valence: float
    entries: int


@dataclass(frozen=True, slots=True)
class MoodSummary:
    window: Window
    daily: Daily
    entries: int
    dominant: tuple[tuple[Emotion, float], ...]  # (emotion, share of entries), largest first
    average: float | None
    previous_average: float | None
    best: DayMood | None
    hardest: DayMood | None
    days_checked_in: int

    @property
    def trend(self) -> float | None:
        if self.average is None or self.previous_average is None:
            return None
        return self.average - self.previous_average


def daily_stats(points: MoodPoints, first_day: date, n_days: int, zone: ZoneInfo) -> Daily:
    """Bucket entries into local days; entries outside the days are ignored."""
    fences = day_starts(first_day, n_days, zone)
    index = np.searchsorted(fences, points.times, side="right") - 1
    inside = (index >= 0) & (index < n_days)
    day, valence, label = index[inside], points.valence[inside], points.labels[inside]
    counts = np.bincount(day, minlength=n_days).astype(np.int64)
    sums = np.bincount(day, weights=valence, minlength=n_days)
    low = np.full(n_days, np.inf)
    high = np.full(n_days, -np.inf)
    np.minimum.at(low, day, valence)
    np.maximum.at(high, day, valence)
    empty = counts == 0
    low[empty] = np.nan
    high[empty] = np.nan
    emotions = np.bincount(day * N_LABELS + label, minlength=n_days * N_LABELS)
    return Daily(
        first_day=first_day,
        counts=counts,
        sums=sums.astype(np.float64),
        low=low,
        high=high,
        emotions=emotions.reshape(n_days, N_LABELS).astype(np.int64),
    )


def summarise(points: MoodPoints, win: Window) -> MoodSummary:
    start = win.start.timestamp()
    current = points.times >= start
    daily = daily_stats(points, win.first_day, win.n_days, win.zone)
    total = int(daily.counts.sum())
    previous_valence = points.valence[~current & (points.times >= win.query_start.timestamp())]
    average = float(daily.sums.sum() / total) if total else None
    previous = float(previous_valence.mean()) if previous_valence.size else None
    best, hardest = _extremes(daily)
    return MoodSummary(
        window=win,
        daily=daily,
        entries=total,
        dominant=_dominant(daily.emotions.sum(axis=0), total),
        average=average,
        previous_average=previous,
        best=best,
        hardest=hardest,
        days_checked_in=int((daily.counts > 0).sum()),
    )


def _dominant(counts: npt.NDArray[np.int64], total: int) -> tuple[tuple[Emotion, float], ...]:
    if total == 0:
        return ()
    order = sorted(range(N_LABELS), key=lambda i: (-int(counts[i]), i))
    shares = [(LABELS[i], int(counts[i]) / total) for i in order if counts[i] > 0]
    kept = [s for s in shares[:DOMINANT_MAX] if s[1] >= DOMINANT_MIN_SHARE]
    return tuple(kept or shares[:1])


def _extremes(daily: Daily) -> tuple[DayMood | None, DayMood | None]:
    mean = daily.mean
    present = np.flatnonzero(daily.counts > 0)
    if present.size == 0:
        return None, None
    # Ties go to the most recent day: it is the one the user remembers.
    best = int(present[::-1][np.argmax(mean[present][::-1])])
    worst = int(present[::-1][np.argmin(mean[present][::-1])])

    def day(i: int) -> DayMood:
        return DayMood(daily.first_day + timedelta(days=i), float(mean[i]), int(daily.counts[i]))

    return day(best), day(worst)
