"""The chart is a real PNG of the expected size, also with one day and with no data."""

from __future__ import annotations

import asyncio
import struct
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from bot.domain import MoodPoints
from bot.mood.chart import (
    DPI,
    HEIGHT_IN,
    WIDTH_IN,
    bucket_size,
    regroup,
    render_chart,
    render_chart_async,
)
from bot.mood.palette import EMOTION_COLOURS
from bot.mood.summary import Period, summarise, window
from emotion.labels import LABELS, Emotion
from tests.bot.mood.conftest import points

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_chart_with_no_data_is_a_png() -> None:
    png = render_chart(summarise(MoodPoints.empty(), window(Period.WEEK, UTC_ZONE, NOW, None)))
    assert _png_size(png) == (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))


def test_chart_with_one_day() -> None:
    summary = summarise(
        points((NOW - timedelta(hours=1), Emotion.HAPPY, 0.9), (NOW, Emotion.SAD, -0.8)),
        window(Period.WEEK, UTC_ZONE, NOW, None),
    )
    png = render_chart(summary)
    assert _png_size(png) == (800, 560)
    assert len(png) > 5_000


def test_long_periods_are_drawn_per_week() -> None:
    first = NOW - timedelta(days=400)
    rng = np.random.default_rng(1)
    times = np.sort(rng.uniform(first.timestamp(), NOW.timestamp(), 500))
    pts = MoodPoints(times, rng.integers(0, 7, 500), rng.uniform(-1, 1, 500))
    summary = summarise(pts, window(Period.ALL, UTC_ZONE, NOW, first))
    assert bucket_size(len(summary.daily.counts)) == 7
    buckets = regroup(summary.daily, 7)
    assert int(buckets.counts.sum()) == 500
    filled = buckets.counts > 0
    assert np.allclose(buckets.shares[filled].sum(axis=1), 1.0)
    assert _png_size(render_chart(summary)) == (800, 560)


def test_every_emotion_has_its_own_colour() -> None:
    assert set(EMOTION_COLOURS) == set(LABELS)
    assert len(set(EMOTION_COLOURS.values())) == len(LABELS)


async def test_rendering_leaves_the_event_loop_free() -> None:
    summary = summarise(
        points((NOW, Emotion.HAPPY, 0.9)), window(Period.MONTH, UTC_ZONE, NOW, None)
    )
    task = asyncio.ensure_future(render_chart_async(summary))
    turns = 0
    while not task.done():
        turns += 1
        await asyncio.sleep(0)
    assert (await task).startswith(b"\x89PNG")
    assert turns > 10  # the loop kept running while the chart was drawn
