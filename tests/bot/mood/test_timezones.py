"""Time zone names: IANA only, any letter case, friendly suggestions, no path tricks."""

from __future__ import annotations

import pytest

from bot.mood.timezones import UnknownZone, resolve_zone, zone_or_utc


def test_known_names_in_any_case() -> None:
    assert resolve_zone("Europe/Berlin").key == "Europe/Berlin"
    assert resolve_zone(" america/new york ").key == "America/New_York"
    assert resolve_zone("UTC").key == "UTC"


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("Berlin", "Europe/Berlin"), ("Europe/Berln", "Europe/Berlin"), ("tokyo", "Asia/Tokyo")],
)
def test_unknown_names_get_suggestions(name: str, suggestion: str) -> None:
    with pytest.raises(UnknownZone) as caught:
        resolve_zone(name)
    assert suggestion in caught.value.suggestions


@pytest.mark.parametrize("name", ["../../etc/passwd", "Mars/Olympus", "", "x" * 500])
def test_nonsense_is_refused(name: str) -> None:
    with pytest.raises(UnknownZone):
        resolve_zone(name)


def test_unset_or_stale_zone_falls_back_to_utc() -> None:
    assert zone_or_utc(None).key == "UTC"
    assert zone_or_utc("Nowhere/Land").key == "UTC"
