"""/export: everything held about one user, as one JSON file and three CSV files.

The JSON (schema in docs/export.md, ``"schema": "attune-export", "version": 1``) is complete
and lossless: ``entries_from_json`` reads its entries back into ``MoodEntry``. The CSV files
are for spreadsheets: free text that starts like a formula gets a leading apostrophe so a
spreadsheet shows it instead of running it. Building is CPU work: call ``build_export_async``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.domain import Attachment, MediaKind, MoodEntry, TimelinePoint, UserRecord, UserSettings
from bot.entry_text import top_label
from emotion.labels import LABELS, VALENCE, Emotion, Source

SCHEMA = "attune-export"
VERSION = 1
JSON_NAME = "attune-export.json"
ENTRIES_CSV = "attune-entries.csv"
CORRECTIONS_CSV = "attune-corrections.csv"
SETTINGS_CSV = "attune-settings.csv"
CSV_MIME = "text/csv"
JSON_MIME = "application/json"
DATA_NOTICE = (
    "attune keeps your messages, the emotions read from them and from your photos (photos "
    "themselves are never stored), the replies chosen and your corrections, to show you your "
    "mood history. /forget erases all of it."
)

ENTRY_COLUMNS = (
    "id",
    "created_at_utc",
    "local_time",
    "text",
    "read_as",
    "corrected_to",
    "label",
    "valence",
    "mood",
    "dominant_source",
    *(f"p_{label.value}" for label in LABELS),
    "text_top",
    "face_top",
    "disagreement",
    "crisis",
    "face_count",
    "tone",
    "reply_id",
    "media_kind",
    "media_summary",
)


@dataclass(frozen=True, slots=True)
class ExportData:
    user: UserRecord
    settings: UserSettings | None
    entries: Sequence[MoodEntry]  # oldest first
    exported_at: datetime
    zone: tzinfo | None = None  # the user's zone, for local times; None when unset

    @property
    def is_empty(self) -> bool:
        return not self.entries and not _has_settings(self.settings)


def _has_settings(settings: UserSettings | None) -> bool:
    return settings is not None and (
        settings.timezone is not None or settings.remind_at is not None
    )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def mood(entry: MoodEntry) -> float:
    """The valence charts use: a corrected entry takes its corrected label's valence."""
    return VALENCE[entry.correction] if entry.correction is not None else entry.valence


#: An entry's time as exported: UTC ISO 8601, and local ISO 8601 when the user set a zone.
Stamp = tuple[str, str | None]


def stamps(entries: Iterable[MoodEntry], zone: tzinfo | None) -> dict[int, Stamp]:
    """Each entry's times formatted once (``isoformat`` on zoned times is the slow part)."""
    return {
        e.id: (
            e.created_at.astimezone(UTC).isoformat(),
            e.created_at.astimezone(zone).isoformat() if zone else None,
        )
        for e in entries
    }


def entry_json(entry: MoodEntry, stamp: Stamp) -> dict[str, Any]:
    return {
        "id": entry.id,
        "created_at": stamp[0],
        "local_time": stamp[1],
        "text": entry.text,
        "fused_label": entry.fused_label.value,
        "fused_confidence": entry.fused_confidence,
        "correction": entry.correction.value if entry.correction else None,
        "label": entry.label.value,
        "valence": entry.valence,
        "mood": mood(entry),
        "dominant": entry.dominant.value,
        "fused_probs": entry.fused_probs,
        "text_probs": entry.text_probs,
        "face_probs": entry.face_probs,
        "history_probs": entry.history_probs,
        "weights": entry.weights,
        "disagreement": entry.disagreement,
        "crisis": entry.crisis,
        "face_count": entry.face_count,
        "tone": entry.tone,
        "reply_id": entry.reply_id,
        "media_kind": entry.media_kind.value if entry.media_kind else None,
        "heard_from": entry.heard_from,
        "media_summary": entry.media_summary,
        "media_timeline": _timeline_json(entry.media_timeline),
    }


def _timeline_json(points: Sequence[TimelinePoint] | None) -> list[dict[str, Any]] | None:
    if points is None:
        return None
    return [
        {"at_s": p.at_s, "label": p.label.value if p.label else None, "confidence": p.confidence}
        for p in points
    ]


def _timeline_from_json(
    items: Sequence[Mapping[str, Any]] | None,
) -> tuple[TimelinePoint, ...] | None:
    if items is None:
        return None
    return tuple(
        TimelinePoint(
            float(i["at_s"]), Emotion(i["label"]) if i["label"] else None, float(i["confidence"])
        )
        for i in items
    )


def entry_from_json(item: Mapping[str, Any], user_id: int) -> MoodEntry:
    """Read one exported entry back (the inverse of ``entry_json``)."""
    return MoodEntry(
        id=int(item["id"]),
        user_id=user_id,
        created_at=datetime.fromisoformat(item["created_at"]),
        text=item["text"],
        text_probs=item["text_probs"],
        face_probs=item["face_probs"],
        fused_probs=item["fused_probs"],
        history_probs=item["history_probs"],
        weights=item["weights"],
        fused_label=Emotion(item["fused_label"]),
        valence=float(item["valence"]),
        dominant=Source(item["dominant"]),
        disagreement=bool(item["disagreement"]),
        crisis=bool(item["crisis"]),
        face_count=int(item["face_count"]),
        correction=Emotion(item["correction"]) if item["correction"] else None,
        tone=item["tone"],
        reply_id=item["reply_id"],
        fused_confidence=item.get("fused_confidence"),
        # Exports from before these keys were added read back as typed entries.
        media_kind=MediaKind(item["media_kind"]) if item.get("media_kind") else None,
        heard_from=item.get("heard_from"),
        media_summary=item.get("media_summary"),
        media_timeline=_timeline_from_json(item.get("media_timeline")),
    )


def entries_from_json(document: Mapping[str, Any], user_id: int) -> list[MoodEntry]:
    if document.get("schema") != SCHEMA or document.get("version") != VERSION:
        raise ValueError("not an attune export (version 1)")
    return [entry_from_json(item, user_id) for item in document["entries"]]


def settings_json(settings: UserSettings | None) -> dict[str, Any]:
    s = settings
    reminder = None
    if s is not None and s.remind_at is not None:
        reminder = {
            "time": s.remind_at.strftime("%H:%M"),
            "platform": s.remind_platform.value if s.remind_platform else None,
            "chat_id": s.remind_chat_id,
            "next_at": _iso(s.reminder_next_at),
            "last_sent_on": s.reminder_last_sent_on.isoformat()
            if s.reminder_last_sent_on
            else None,
        }
    return {"timezone": s.timezone if s else None, "reminder": reminder}


def consent_json(settings: UserSettings | None) -> dict[str, Any]:
    opted_in = settings.reminders_opted_in_at if settings else None
    return {
        "data_notice": DATA_NOTICE,
        "reminders": {"opted_in": opted_in is not None, "opted_in_at": _iso(opted_in)},
    }


def corrections(entries: Iterable[MoodEntry], times: Mapping[int, Stamp]) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": e.id,
            "created_at": times[e.id][0],
            "read_as": e.fused_label.value,
            "corrected_to": e.correction.value,
        }
        for e in entries
        if e.correction is not None
    ]


def export_document(data: ExportData, times: Mapping[int, Stamp] | None = None) -> dict[str, Any]:
    times = times if times is not None else stamps(data.entries, data.zone)
    user = data.user
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "exported_at": _iso(data.exported_at),
        "user": {
            "platform": user.platform.value,
            "platform_user_id": user.platform_user_id,
            "display_name": user.display_name,
            "created_at": _iso(user.created_at),
        },
        "settings": settings_json(data.settings),
        "consent": consent_json(data.settings),
        "entries": [entry_json(e, times[e.id]) for e in data.entries],
        "corrections": corrections(data.entries, times),
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str | None) -> str:
    """Free text for a spreadsheet cell: never starts like a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheets detect UTF-8


def entries_csv(entries: Iterable[MoodEntry], times: Mapping[int, Stamp]) -> bytes:
    rows = (
        (
            e.id,
            times[e.id][0],
            times[e.id][1] or "",
            safe_cell(e.text),
            e.fused_label.value,
            e.correction.value if e.correction else "",
            e.label.value,
            f"{e.valence:.4f}",
            f"{mood(e):.4f}",
            e.dominant.value,
            *(f"{e.fused_probs.get(label.value, 0.0):.4f}" for label in LABELS),
            top_label(e.text_probs),
            top_label(e.face_probs),
            int(e.disagreement),
            int(e.crisis),
            e.face_count,
            e.tone or "",
            e.reply_id or "",
            e.media_kind.value if e.media_kind else "",
            e.media_summary or "",
        )
        for e in entries
    )
    return _csv(ENTRY_COLUMNS, rows)


def corrections_csv(entries: Iterable[MoodEntry], times: Mapping[int, Stamp]) -> bytes:
    rows = (
        (c["entry_id"], c["created_at"], c["read_as"], c["corrected_to"])
        for c in corrections(entries, times)
    )
    return _csv(("entry_id", "created_at_utc", "read_as", "corrected_to"), rows)


def settings_csv(data: ExportData) -> bytes:
    s = settings_json(data.settings)
    consent = consent_json(data.settings)["reminders"]
    reminder = s["reminder"] or {}
    rows = [
        ("platform", data.user.platform.value),
        ("platform_user_id", safe_cell(data.user.platform_user_id)),
        ("display_name", safe_cell(data.user.display_name)),
        ("first_seen_utc", _iso(data.user.created_at)),
        ("timezone", s["timezone"] or ""),
        ("reminder_time", reminder.get("time") or ""),
        ("reminder_platform", reminder.get("platform") or ""),
        ("reminder_chat_id", safe_cell(reminder.get("chat_id"))),
        ("reminder_last_sent_on", reminder.get("last_sent_on") or ""),
        ("reminders_opted_in_at_utc", consent["opted_in_at"] or ""),
        ("exported_at_utc", _iso(data.exported_at)),
    ]
    return _csv(("key", "value"), rows)


def dump_json(document: Mapping[str, Any]) -> str:
    """Readable JSON with one entry per line, written by the C encoder.

    ``json.dumps(indent=...)`` falls back to the pure-Python encoder (about 3x slower on a
    10,000-entry history); dumping each top-level value compactly keeps the fast path.
    """
    parts = []
    for key, value in document.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in value)
            body = f"[\n  {items}\n ]"
        else:
            body = json.dumps(value, ensure_ascii=False)
        parts.append(f" {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def build_export(data: ExportData) -> tuple[Attachment, ...]:
    """The four files, or none when nothing is held about the user."""
    if data.is_empty:
        return ()
    times = stamps(data.entries, data.zone)
    document = dump_json(export_document(data, times))
    return (
        Attachment(JSON_NAME, document.encode("utf-8"), JSON_MIME),
        Attachment(ENTRIES_CSV, entries_csv(data.entries, times), CSV_MIME),
        Attachment(CORRECTIONS_CSV, corrections_csv(data.entries, times), CSV_MIME),
        Attachment(SETTINGS_CSV, settings_csv(data), CSV_MIME),
    )


async def build_export_async(data: ExportData) -> tuple[Attachment, ...]:
    """Off the event loop: a two-year history is megabytes of JSON and CSV."""
    return await asyncio.to_thread(build_export, data)
