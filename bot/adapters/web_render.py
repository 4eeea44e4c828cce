"""Pure rendering for the web demo: stored entries, readings and replies -> page values.

Nothing here imports Gradio, so it is testable alone and the Gradio objects stay in
``bot.adapters.web``. Pictures and downloads become ``data:`` URIs inside HTML: the browser
gets them straight from the response and nothing about the user is written to disk (Gradio
would save every output image and file into its cache folder).
"""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, tzinfo

from bot.domain import Attachment, MoodEntry, Reply
from bot.entry_text import entry_row, top_label
from emotion.labels import LABELS
from emotion.photo import PhotoReading

#: Longest side of the photo preview sent back to the page (the reading used the original).
PREVIEW_SIDE = 480
BOX_COLOUR = (255, 140, 0)

NAME_MAX_CHARS = 40

HISTORY_HEADERS = ["when", "message", "words", "face", "overall", "you said"]


def clean_name(raw: str | None) -> str:
    """The display name as the user key: trimmed, one line, at most ``NAME_MAX_CHARS``."""
    return " ".join((raw or "").split())[:NAME_MAX_CHARS]


def label_value(probs: dict[str, float] | None) -> dict[str, float] | None:
    """Probabilities in label order for a bar chart (``gr.Label``); None hides the chart."""
    if not probs:
        return None
    return {label.value: round(float(probs.get(label.value, 0.0)), 4) for label in LABELS}


def summary_markdown(entry: MoodEntry | None, explanation: str) -> str:
    """The verdict beside the charts: overall label, whether words and face disagreed, /why."""
    if entry is None:
        return (
            "_No reading for this message — it was a command or a correction, "
            "so nothing new was estimated._"
        )
    lines = [f"**Overall:** {entry.fused_label.value}"]
    if entry.face_count:
        faces = (
            "1 face" if entry.face_count == 1 else f"{entry.face_count} faces (read the largest)"
        )
        lines.append(f"**Photo:** {faces} found")
    if entry.text_probs and entry.face_probs:
        words, face = top_label(entry.text_probs), top_label(entry.face_probs)
        pair = f"words read as *{words}*, face as *{face}*"
        if entry.disagreement:
            lines.append(f"**⚠ Disagreement flag: yes** — {pair}.")
        else:
            lines.append(f"**Disagreement flag: no** — {pair}.")
    if explanation:
        lines.append("**Why (the /why command):** " + explanation)
    return "\n\n".join(lines)


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def photo_html(data: bytes | None, reading: PhotoReading | None) -> str:
    """The user's photo, downscaled, with the detected face boxes drawn on it.

    Drawn from the bytes already in memory; a photo that cannot be decoded (the core has
    already answered kindly) gives a short note instead of a picture.
    """
    if data is None:
        return ""
    from PIL import Image, ImageDraw, ImageOps

    faces = reading.faces if reading is not None else ()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except Exception:
        return '<p class="attune-photo-note">That file could not be shown as a picture.</p>'
    scale = min(1.0, PREVIEW_SIDE / max(image.size))
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    draw = ImageDraw.Draw(image)
    width = max(2, round(3 * scale) + 1)
    for index, box in enumerate(faces):
        x0, y0 = box.x * scale, box.y * scale
        x1, y1 = (box.x + box.width) * scale, (box.y + box.height) * scale
        draw.rectangle((x0, y0, x1, y1), outline=BOX_COLOUR, width=width if index == 0 else 1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    if faces:
        caption = (
            f"Your photo: {len(faces)} face{'s' if len(faces) > 1 else ''} found "
            "(orange box: the face attune read)"
        )
    elif reading is not None and reading.problem is not None:
        caption = f"No face read ({reading.problem.value.replace('_', ' ')})"
    else:
        caption = "No face read"
    return (
        f'<figure class="attune-photo" data-faces="{len(faces)}">'
        f'<img alt="your photo" src="{_data_uri(buffer.getvalue(), "image/png")}" '
        'style="max-width:100%;height:auto"/>'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def chart_html(reply: Reply) -> str:
    """The /mood chart as an inline picture (empty when the reply has none)."""
    if reply.image_png is None:
        return ""
    return (
        f'<img class="attune-chart" alt="your mood chart" '
        f'src="{_data_uri(reply.image_png, "image/png")}" style="max-width:100%;height:auto"/>'
    )


def downloads_html(files: tuple[Attachment, ...]) -> str:
    """Download links for /export's files, carried in the page (never saved on the server)."""
    if not files:
        return ""
    links = [
        f'<li><a class="attune-download" download="{html.escape(f.filename)}" '
        f'href="{_data_uri(f.data, f.mime_type)}">{html.escape(f.filename)}</a> '
        f"({len(f.data):,} bytes)</li>"
        for f in files
    ]
    return "<ul>" + "".join(links) + "</ul>"


def history_rows(entries: list[MoodEntry], zone: tzinfo = UTC) -> list[list[str]]:
    """Stored entries as table rows (newest first), times in the user's zone."""
    rows = (entry_row(e, zone) for e in entries)
    return [[r.when, r.text, r.words, r.face, r.overall, r.correction] for r in rows]
