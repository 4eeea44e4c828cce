"""Summary and trend arithmetic on hand-made points, with days cut at local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from bot.domain import MoodPoints
from bot.mood.report import describe, mood_word
from bot.mood.summary import Period, parse_period, summarise, window
from emotion.labels import Emotion
from tests.bot.mood.conftest import points

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_parse_period() -> None:
    assert parse_period("") is Period.WEEK
    assert parse_period(" Month ") is Period.MONTH
    assert parse_period("all") is Period.ALL
    assert parse_period("30") is Period.MONTH
    assert parse_period("year") is None


def test_window_is_local_days_ending_today() -> None:
    now = at(2026, 11, 21, 3, 0)  # still Nov 20 in New York (UTC-5)
    win = window(Period.WEEK, NEW_YORK, now, None)
    assert (win.first_day, win.last_day, win.n_days) == (date(2026, 11, 14), date(2026, 11, 20), 7)
    assert win.start == at(2026, 11, 14, 5, 0)  # local midnight
    assert win.end == at(2026, 11, 21, 5, 0)
    assert win.previous_start == at(2026, 11, 7, 5, 0)


def test_entries_either_side_of_local_midnight_land_on_their_local_day() -> None:
    now = at(2026, 11, 21, 12, 0)
    win = window(Period.WEEK, NEW_YORK, now, None)  # Nov 15 .. Nov 21 local
    summary = summarise(
        points(
            (at(2026, 11, 20, 4, 30), Emotion.SAD, -0.8),  # 23:30 on Nov 19 in New York
            (at(2026, 11, 20, 5, 30), Emotion.HAPPY, 0.9),  # 00:30 on Nov 20
        ),
        win,
    )
    assert summary.daily.counts.tolist() == [0, 0, 0, 0, 1, 1, 0]
    assert summary.hardest is not None and summary.hardest.day == date(2026, 11, 19)
    assert summary.best is not None and summary.best.day == date(2026, 11, 20)
    assert summary.days_checked_in == 2
    assert summary.average == pytest.approx(0.05)
    # In UTC both would be Nov 20: the zone decides.
    utc = summarise(
        points(
            (at(2026, 11, 20, 4, 30), Emotion.SAD, -0.8),
            (at(2026, 11, 20, 5, 30), Emotion.HAPPY, 0.9),
        ),
        window(Period.WEEK, ZoneInfo("UTC"), now, None),
    )
    assert utc.days_checked_in == 1


def test_daily_mean_range_and_emotion_counts() -> None:
    now = at(2026, 11, 21, 20, 0)
    win = window(Period.WEEK, ZoneInfo("UTC"), now, None)
    summary = summarise(
        points(
            (at(2026, 11, 21, 8), Emotion.HAPPY, 0.9),
            (at(2026, 11, 21, 12), Emotion.SAD, -0.8),
            (at(2026, 11, 21, 18), Emotion.NEUTRAL, 0.0),
            (at(2026, 11, 19, 9), Emotion.HAPPY, 0.6),
        ),
        win,
    )
    last = -1
    assert summary.daily.mean[last] == pytest.approx(0.1 / 3)
    assert (summary.daily.low[last], summary.daily.high[last]) == (-0.8, 0.9)
    assert summary.daily.emotions[last].tolist() == [0, 0, 0, 1, 1, 0, 1]
    assert np.isnan(summary.daily.mean[0])
    assert summary.dominant == ((Emotion.HAPPY, 0.5), (Emotion.SAD, 0.25), (Emotion.NEUTRAL, 0.25))
    assert summary.best is not None and summary.best.day == date(2026, 11, 19)


def test_trend_compares_with_the_span_just_before() -> None:
    now = at(2026, 11, 21, 12)
    win = window(Period.WEEK, ZoneInfo("UTC"), now, None)  # Nov 15..21, previous Nov 8..14
    summary = summarise(
        points(
            (at(2026, 11, 1), Emotion.HAPPY, 0.9),  # before both spans: ignored
            (at(2026, 11, 9), Emotion.SAD, -0.8),
            (at(2026, 11, 14, 23, 59), Emotion.FEAR, -0.2),
            (at(2026, 11, 15, 0, 0), Emotion.HAPPY, 0.5),
            (at(2026, 11, 20), Emotion.HAPPY, 0.5),
        ),
        win,
    )
    assert summary.entries == 2
    assert summary.previous_average == pytest.approx(-0.5)
    assert summary.average == pytest.approx(0.5)
    assert summary.trend == pytest.approx(1.0)
    assert "brighter than the week before (+1.00)" in describe(summary)


def test_no_previous_entries_means_no_trend() -> None:
    now = at(2026, 11, 21, 12)
    summary = summarise(
        points((at(2026, 11, 20), Emotion.SAD, -0.8)),
        window(Period.MONTH, ZoneInfo("UTC"), now, None),
    )
    assert summary.trend is None
    text = describe(summary)
    assert "One day with check-ins: Fri 20 Nov" in text
    assert "checked in on 1 of 30 days (1 entry)" in text


def test_all_starts_at_the_first_local_day_and_has_no_trend() -> None:
    now = at(2026, 11, 21, 12)
    first = at(2026, 11, 2, 23, 30)  # Nov 3 in Berlin
    win = window(Period.ALL, BERLIN, now, first)
    assert win.first_day == date(2026, 11, 3)
    assert win.previous_start is None
    summary = summarise(points((first, Emotion.HAPPY, 0.9)), win)
    assert summary.daily.counts[0] == 1
    assert summary.trend is None


def test_dst_day_has_25_hours() -> None:
    # Berlin leaves summer time on 25 Oct 2026: that local day runs 22:00Z .. 23:00Z next day.
    now = at(2026, 10, 27, 12)
    win = window(Period.WEEK, BERLIN, now, None)  # Oct 21 .. Oct 27
    summary = summarise(
        points(
            (at(2026, 10, 24, 22, 30), Emotion.HAPPY, 0.9),  # 00:30 CEST Oct 25
            (at(2026, 10, 25, 22, 30), Emotion.SAD, -0.8),  # 23:30 CET Oct 25
            (at(2026, 10, 25, 23, 30), Emotion.FEAR, -0.7),  # 00:30 CET Oct 26
        ),
        win,
    )
    assert summary.daily.counts.tolist() == [0, 0, 0, 0, 2, 1, 0]


def test_empty_points() -> None:
    win = window(Period.WEEK, ZoneInfo("UTC"), at(2026, 11, 21), None)
    summary = summarise(MoodPoints.empty(), win)
    assert summary.entries == 0
    assert summary.average is None and summary.best is None and summary.dominant == ()


def test_mood_words() -> None:
    assert mood_word(0.7) == "bright"
    assert mood_word(0.0) == "mixed"
    assert mood_word(-0.7) == "heavy"


def test_days_in_another_year_carry_the_year() -> None:
    now = at(2026, 11, 21, 12)
    first = at(2025, 3, 1, 12)
    summary = summarise(
        points((first, Emotion.HAPPY, 0.9), (at(2026, 11, 20), Emotion.SAD, -0.8)),
        window(Period.ALL, ZoneInfo("UTC"), now, first),
    )
    assert "Best day: Sat 1 Mar 2025 (+0.90) · hardest day: Fri 20 Nov (−0.80)" in describe(summary)
