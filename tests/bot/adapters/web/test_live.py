"""The live tab's per-session state, without a browser (the stream itself: test_live_browser)."""

from __future__ import annotations

from bot.adapters.web_live import CHART_EVERY_S, LiveReader, LiveSession


def test_the_chart_is_redrawn_twice_a_second_not_every_frame() -> None:
    session = LiveSession()
    assert session.chart_due(100.0)  # the first frame draws it
    session.chart_stale = True  # a reading came in
    assert not session.chart_due(100.0 + CHART_EVERY_S / 2)
    assert session.chart_due(100.0 + CHART_EVERY_S)
    session.chart_stale = True
    assert not session.chart_due(100.0 + CHART_EVERY_S + 0.01)


def test_without_new_readings_the_chart_is_not_sent_again() -> None:
    session = LiveSession()
    assert session.chart_due(100.0)
    assert not session.chart_due(100.0 + 10 * CHART_EVERY_S)  # no face since: same picture


def test_without_a_frame_the_empty_chart_is_shown() -> None:
    drawn, chart, session = LiveReader().frame(None, None)
    assert drawn is None and chart is not None and chart.shape == (160, 640, 3)
    assert session.timeline is not None and len(session.timeline) == 0
