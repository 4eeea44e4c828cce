"""The words of /mood: a few gentle lines a person can take in at a glance.

Valence numbers stay in the background; people read "a little brighter than the week
before", not "+0.12". The numbers appear in brackets for those who want them.
"""

from __future__ import annotations

from datetime import date

from bot.mood.summary import MoodSummary, Period

#: Trend smaller than this (in valence, -1..1) reads as "about the same".
STEADY = 0.1

NO_HISTORY = "There's no mood history yet — tell me how you are, and it starts here."


def mood_word(valence: float) -> str:
    if valence >= 0.5:
        return "bright"
    if valence >= 0.15:
        return "mostly good"
    if valence > -0.15:
        return "mixed"
    if valence > -0.5:
        return "on the low side"
    return "heavy"


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", "−")


def _day(day: date, today: date) -> str:
    year = f" {day.year}" if day.year != today.year else ""
    return f"{day:%a} {day.day} {day:%b}{year}"


def _span(period: Period) -> str:
    return {Period.WEEK: "the last 7 days", Period.MONTH: "the last 30 days"}.get(
        period, "all your check-ins"
    )


def _before(period: Period) -> str:
    return {Period.WEEK: "the week before", Period.MONTH: "the 30 days before"}.get(
        period, "before"
    )


def trend_phrase(trend: float | None, period: Period) -> str:
    if trend is None:
        return ""
    if trend >= STEADY:
        return f", brighter than {_before(period)} ({_signed(trend)})"
    if trend <= -STEADY:
        return f", heavier than {_before(period)} ({_signed(trend)})"
    return f", about the same as {_before(period)}"


def describe(summary: MoodSummary, *, zone_is_default: bool = False) -> str:
    """The /mood text; assumes the period has at least one entry."""
    win = summary.window
    zone = f"days in {win.zone.key}"
    lines = [f"Your mood over {_span(win.period)} ({zone}):"]
    if summary.dominant:
        mix = ", ".join(f"{emotion.value} {share:.0%}" for emotion, share in summary.dominant)
        lines.append(f"• Mostly: {mix}")
    if summary.average is not None:
        lines.append(
            f"• On average {mood_word(summary.average)} ({_signed(summary.average)})"
            + trend_phrase(summary.trend, win.period)
        )
    if summary.best and summary.hardest:
        if summary.best.day == summary.hardest.day:
            lines.append(f"• One day with check-ins: {_day(summary.best.day, win.last_day)}")
        else:
            lines.append(
                f"• Best day: {_day(summary.best.day, win.last_day)} "
                f"({_signed(summary.best.valence)}) · hardest day: "
                f"{_day(summary.hardest.day, win.last_day)} ({_signed(summary.hardest.valence)})"
            )
    entries = f"{summary.entries} entr{'y' if summary.entries == 1 else 'ies'}"
    lines.append(f"• You checked in on {summary.days_checked_in} of {win.n_days} days ({entries}).")
    if zone_is_default:
        lines.append(
            "Days here run on UTC; set yours with /timezone, e.g. /timezone Europe/Berlin."
        )
    return "\n".join(lines)


def empty_period(period: Period) -> str:
    return (
        f"No check-ins in {_span(period)}. /mood all shows everything since you started — "
        "or tell me how you are now."
    )
