"""The /mood picture: daily mood with its range, and each day's mix of emotions.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no display, no global
figure state), so it is safe in a worker thread: call ``render_chart_async`` from the event
loop. Long periods are drawn per week (or per month) so bars stay readable.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.mood.palette import EMOTION_COLOURS, GRID, MOOD_BAND, MOOD_LINE
from bot.mood.summary import Daily, MoodSummary, Period
from emotion.labels import LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 5.6, 100
MAX_TICKS = 8


@dataclass(frozen=True, slots=True, eq=False)
class Buckets:
    """Daily statistics regrouped into buckets of ``size`` days (1, 7 or 30)."""

    size: int
    starts: list[date]
    counts: npt.NDArray[np.int64]
    mean: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    shares: npt.NDArray[np.float64]  # (buckets, N_LABELS), rows sum to 1 where counts > 0


def bucket_size(n_days: int) -> int:
    return 1 if n_days <= 92 else 7 if n_days <= 730 else 30


def regroup(daily: Daily, size: int) -> Buckets:
    n = len(daily.counts)
    edges = np.arange(0, n, size)
    counts = np.add.reduceat(daily.counts, edges) if n else daily.counts
    sums = np.add.reduceat(daily.sums, edges) if n else daily.sums
    emotions = np.add.reduceat(daily.emotions, edges, axis=0) if n else daily.emotions
    low = np.fmin.reduceat(daily.low, edges) if n else daily.low
    high = np.fmax.reduceat(daily.high, edges) if n else daily.high
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        shares = emotions / np.maximum(counts, 1)[:, None]
    return Buckets(
        size=size,
        starts=[daily.first_day + timedelta(days=int(e)) for e in edges],
        counts=counts.astype(np.int64),
        mean=mean.astype(np.float64),
        low=low.astype(np.float64),
        high=high.astype(np.float64),
        shares=shares.astype(np.float64),
    )


def _title(summary: MoodSummary) -> str:
    period = summary.window.period
    span = {Period.WEEK: "the last 7 days", Period.MONTH: "the last 30 days"}.get(
        period, "all your check-ins"
    )
    return f"Your mood over {span}  ({summary.window.zone.key})"


def render_chart(summary: MoodSummary) -> bytes:
    """PNG bytes of the chart; an empty period gives a chart that says so."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    buckets = regroup(summary.daily, bucket_size(len(summary.daily.counts)))
    # Fixed margins, not a layout engine: constrained layout costs a second full draw.
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.12, right=0.965, top=0.87, bottom=0.14, hspace=0.12)
    mood_ax, mix_ax = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    fig.suptitle(_title(summary), fontsize=13, y=0.975)
    x = np.arange(len(buckets.starts), dtype=np.float64)
    present = buckets.counts > 0

    _draw_mood(mood_ax, x, buckets, present)
    _draw_mix(mix_ax, x, buckets)
    _draw_ticks(mix_ax, x, buckets)
    if not present.any():
        mood_ax.text(
            0.5,
            0.5,
            "No check-ins in this period yet",
            transform=mood_ax.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color=MOOD_LINE,
        )
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


async def render_chart_async(summary: MoodSummary) -> bytes:
    """Render in a worker thread: drawing takes a few hundred milliseconds of CPU."""
    return await asyncio.to_thread(render_chart, summary)


def _draw_mood(
    ax: Axes, x: npt.NDArray[np.float64], b: Buckets, present: npt.NDArray[np.bool_]
) -> None:
    unit = "day" if b.size == 1 else "week" if b.size == 7 else "month"
    ax.fill_between(
        x,
        b.low,
        b.high,
        where=present,
        color=MOOD_BAND,
        alpha=0.25,
        linewidth=0,
        label=f"range within the {unit}",
    )
    ax.vlines(x[present], b.low[present], b.high[present], color=MOOD_BAND, alpha=0.6, linewidth=2)
    ax.plot(
        x,
        b.mean,
        color=MOOD_LINE,
        linewidth=2,
        marker="o",
        markersize=4,
        label=f"average mood per {unit}",
    )
    ax.axhline(0.0, color=GRID, linewidth=1, zorder=0)
    ax.set_ylim(-1.05, 1.05)
    ax.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0], ["low", "", "neutral", "", "good"])
    ax.set_ylabel("mood")
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_xlim(-0.6, max(len(x) - 0.4, 0.6))
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=8, frameon=False, ncols=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def stacked_bars(
    x: npt.NDArray[np.float64], shares: npt.NDArray[np.float64], width: float
) -> list[npt.NDArray[np.float64]]:
    """Rectangle corners (n, 4, 2) per emotion for the stacked share bars.

    One polygon collection per emotion draws in a single call; ``Axes.bar`` makes one
    artist per rectangle, which is most of the drawing time on a month of data.
    """
    tops = np.cumsum(shares, axis=1) if len(x) else np.zeros((0, len(LABELS)))
    bottoms = tops - shares if len(x) else tops
    left, right = x - width / 2, x + width / 2
    return [
        np.stack(
            [
                np.column_stack([left, bottoms[:, i]]),
                np.column_stack([right, bottoms[:, i]]),
                np.column_stack([right, tops[:, i]]),
                np.column_stack([left, tops[:, i]]),
            ],
            axis=1,
        )[shares[:, i] > 0]
        for i in range(len(LABELS))
    ]


def _draw_mix(ax: Axes, x: npt.NDArray[np.float64], b: Buckets) -> None:
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    width = 0.8 if len(x) <= 92 else 1.0
    handles = []
    for emotion, boxes in zip(LABELS, stacked_bars(x, b.shares, width), strict=True):
        colour = EMOTION_COLOURS[emotion]
        ax.add_collection(PolyCollection(list(boxes), facecolors=colour, linewidths=0))
        handles.append(Patch(facecolor=colour, label=emotion.value))
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.5, 1.0], ["0%", "50%", "100%"])
    ax.set_ylabel("emotions")
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncols=len(LABELS),
        fontsize=8,
        frameon=False,
        handlelength=1.0,
        columnspacing=1.0,
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_ticks(ax: Axes, x: npt.NDArray[np.float64], b: Buckets) -> None:
    if not len(x):
        ax.set_xticks([])
        return
    step = max(1, int(np.ceil(len(x) / MAX_TICKS)))
    ticks = list(range(len(x) - 1, -1, -step))[::-1]  # always label the latest bucket
    fmt = "%b %Y" if b.size >= 30 else "%-d %b"
    labels = [b.starts[i].strftime(fmt) for i in ticks]
    if b.size == 1 and len(x) <= 7:
        labels = [b.starts[i].strftime("%a %-d %b") for i in ticks]
    ax.set_xticks([float(i) for i in ticks], labels, fontsize=9)
