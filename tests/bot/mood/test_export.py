"""Export content: the JSON reads back into the same entries; the CSVs hold the same rows."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain import MediaKind, MoodEntry, Platform, TimelinePoint, UserRecord, UserSettings
from bot.mood.export import (
    CORRECTIONS_CSV,
    ENTRIES_CSV,
    JSON_NAME,
    SETTINGS_CSV,
    ExportData,
    build_export,
    entries_from_json,
)
from emotion.labels import Emotion, Source
from tests.backends import BACKENDS

pytestmark = pytest.mark.backends(*BACKENDS)

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
USER = UserRecord(1, Platform.TELEGRAM, "42", "Ann", datetime(2026, 1, 1, tzinfo=UTC))
SETTINGS = UserSettings(
    user_id=1,
    timezone="Europe/Berlin",
    remind_at=time(20, 30),
    remind_platform=Platform.TELEGRAM,
    remind_chat_id="42",
    reminder_next_at=datetime(2026, 11, 21, 19, 30, tzinfo=UTC),
    reminder_last_sent_on=date(2026, 11, 20),
    reminders_opted_in_at=datetime(2026, 11, 1, 8, tzinfo=UTC),
)


def _entry(i: int, text: str, label: Emotion, correction: Emotion | None = None) -> MoodEntry:
    probs = {e.value: (0.7 if e == label else 0.05) for e in Emotion}
    return MoodEntry(
        id=i,
        user_id=1,
        created_at=datetime(2026, 11, 20, 22, 30 + i, tzinfo=UTC),
        text=text,
        text_probs=probs,
        face_probs={"happy": 1.0} if i == 2 else None,
        fused_probs=probs,
        history_probs=None,
        weights={"text": 0.8, "history": 0.2},
        fused_label=label,
        valence=0.55,
        dominant=Source.TEXT,
        disagreement=i == 2,
        crisis=False,
        face_count=1 if i == 2 else 0,
        correction=correction,
        tone="warm",
        reply_id=f"warm-{i}",
    )


ENTRIES = [
    _entry(1, "a good day, “really”", Emotion.HAPPY),
    _entry(2, '=HYPERLINK("http://x")\nsecond line', Emotion.HAPPY, Emotion.SAD),
]


def _files(data: ExportData) -> dict[str, bytes]:
    return {a.filename: a.data for a in build_export(data)}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_json_round_trip_and_sections() -> None:
    files = _files(ExportData(USER, SETTINGS, ENTRIES, NOW, ZoneInfo("Europe/Berlin")))
    assert set(files) == {JSON_NAME, ENTRIES_CSV, CORRECTIONS_CSV, SETTINGS_CSV}
    document = json.loads(files[JSON_NAME])
    assert entries_from_json(document, user_id=1) == ENTRIES
    assert document["user"]["platform_user_id"] == "42"
    assert document["settings"]["timezone"] == "Europe/Berlin"
    assert document["settings"]["reminder"]["time"] == "20:30"
    assert document["consent"]["reminders"] == {
        "opted_in": True,
        "opted_in_at": "2026-11-01T08:00:00+00:00",
    }
    first, second = document["entries"]
    assert first["local_time"] == "2026-11-20T23:31:00+01:00"
    assert second["label"] == "sad" and second["mood"] == -0.8 and second["valence"] == 0.55
    assert document["corrections"] == [
        {
            "entry_id": 2,
            "created_at": "2026-11-20T22:32:00+00:00",
            "read_as": "happy",
            "corrected_to": "sad",
        }
    ]


def test_csv_rows_match_entries_and_formulas_are_defused() -> None:
    files = _files(ExportData(USER, SETTINGS, ENTRIES, NOW, None))
    rows = _rows(files[ENTRIES_CSV])
    assert [int(r["id"]) for r in rows] == [1, 2]
    assert rows[0]["text"] == "a good day, “really”"
    assert rows[1]["text"] == '\'=HYPERLINK("http://x")\nsecond line'
    assert rows[1]["corrected_to"] == "sad" and rows[1]["label"] == "sad"
    assert float(rows[1]["mood"]) == -0.8 and float(rows[0]["p_happy"]) == 0.7
    assert rows[1]["face_top"] == "happy" and rows[0]["local_time"] == ""
    corrections = _rows(files[CORRECTIONS_CSV])
    assert [(c["entry_id"], c["read_as"], c["corrected_to"]) for c in corrections] == [
        ("2", "happy", "sad")
    ]
    settings = {r["key"]: r["value"] for r in _rows(files[SETTINGS_CSV])}
    assert settings["timezone"] == "Europe/Berlin"
    assert settings["reminder_time"] == "20:30"
    assert settings["reminders_opted_in_at_utc"] == "2026-11-01T08:00:00+00:00"


def test_nothing_held_means_no_files() -> None:
    assert build_export(ExportData(USER, None, [], NOW)) == ()
    assert build_export(ExportData(USER, UserSettings(user_id=1), [], NOW)) == ()
    only_zone = UserSettings(user_id=1, timezone="Asia/Tokyo")
    assert len(build_export(ExportData(USER, only_zone, [], NOW))) == 4


def test_a_video_entry_exports_its_summary_and_timeline_and_reads_back() -> None:
    said = replace(
        _entry(3, "news!\nI got the job", Emotion.HAPPY),
        media_kind=MediaKind.VIDEO,
        heard_from=6,
        media_summary="Over the 8-second video your face went from neutral to happy.",
        media_timeline=(
            TimelinePoint(0.0, Emotion.NEUTRAL, 0.6),
            TimelinePoint(0.25, None, 0.0),
            TimelinePoint(7.5, Emotion.HAPPY, 0.9),
        ),
    )
    files = _files(ExportData(USER, None, [*ENTRIES, said], NOW))
    document = json.loads(files[JSON_NAME])
    assert entries_from_json(document, user_id=1) == [*ENTRIES, said]
    item = document["entries"][-1]
    assert item["media_kind"] == "video" and item["media_timeline"][1] == {
        "at_s": 0.25,
        "label": None,
        "confidence": 0.0,
    }
    row = _rows(files[ENTRIES_CSV])[-1]
    assert row["media_kind"] == "video" and row["media_summary"].startswith("Over the 8-second")
    assert _rows(files[ENTRIES_CSV])[0]["media_kind"] == ""
