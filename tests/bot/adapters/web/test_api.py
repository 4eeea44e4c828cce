"""The demo through ``gradio_client``, as any program on this computer could drive it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file  # type: ignore[import-untyped]

from bot.adapters.web_handlers import NEED_NAME
from bot.adapters.web_render import HISTORY_HEADERS
from bot.phrases import photo_note
from emotion.photo import PhotoProblem
from tests.bot.adapters.web.conftest import Demo, grace_hopper_path

# Gradio's queue uses pandas APIs that pandas 3 deprecates; not ours to fix.
pytestmark = [
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting'"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

# /send's outputs, in order (gr.State outputs are not returned to clients).
CHAT, TEXT, UPLOAD, WEBCAM, WORDS, FACE, FUSED, VERDICT, PHOTO = range(9)
LABELS = {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}


@pytest.fixture(scope="module")
def client(demo: Demo) -> Client:
    return Client(demo.url, verbose=False, download_files=False)


def fresh(demo: Demo) -> Client:
    """A second browser session: its own session hash, so its own gr.State."""
    return Client(demo.url, verbose=False, download_files=False)


def send(client: Client, name: str, text: str, photo: Path | None = None) -> tuple[Any, ...]:
    upload = handle_file(str(photo)) if photo is not None else None
    result: tuple[Any, ...] = client.predict(name, text, upload, None, [], api_name="/send")
    return result


def last_reply(result: tuple[Any, ...]) -> str:
    message = result[CHAT][-1]
    assert message["role"] == "assistant"
    content = message["content"]
    return " ".join(part["text"] for part in content) if isinstance(content, list) else content


def probabilities(label: dict[str, Any] | None) -> dict[str, float]:
    return {c["label"]: c["confidence"] for c in (label or {}).get("confidences") or []}


def test_a_text_message_gets_a_reply_and_an_estimate(client: Client, demo: Demo) -> None:
    result = send(client, "Ada", "I'm so happy, I got the job!")
    assert last_reply(result)
    words, fused = probabilities(result[WORDS]), probabilities(result[FUSED])
    assert set(words) == LABELS and set(fused) == LABELS
    assert result[FUSED]["label"] == "happy"
    assert abs(sum(fused.values()) - 1) < 0.01
    assert not probabilities(result[FACE]), "no photo, so no face chart"
    assert "Why" in result[VERDICT] and "happy" in result[VERDICT]
    stored = demo.entries("Ada")
    assert stored[0].text == "I'm so happy, I got the job!"


def test_a_face_photo_gets_a_face_estimate_and_a_box(client: Client, demo: Demo) -> None:
    assert demo.reads_photos, demo.no_photo_reason  # the committed model must load
    result = send(client, "Ada", "first day at the new lab", grace_hopper_path())
    assert last_reply(result)
    face = probabilities(result[FACE])
    assert set(face) == LABELS and abs(sum(face.values()) - 1) < 0.01
    assert 'data-faces="1"' in result[PHOTO] and "data:image/png;base64," in result[PHOTO]
    assert "1 face found" in result[VERDICT]
    entry = demo.entries("Ada")[0]
    assert entry.face_count == 1 and entry.face_probs is not None


def test_a_corrupt_image_gets_a_kind_message(client: Client, demo: Demo, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF and then nothing")
    result = send(client, "Cy", "is this me?", broken)
    reply = last_reply(result)
    limit = demo.app.settings.max_image_bytes
    assert any(reply.startswith(photo_note(p, limit)) for p in PhotoProblem), reply
    assert not probabilities(result[FACE])
    entry = demo.entries("Cy")[0]
    assert entry.face_probs is None and entry.face_count == 0


def test_uploads_are_deleted_once_read(client: Client, demo: Demo) -> None:
    send(client, "Dee", "a picture", grace_hopper_path())
    folder = Path(demo.adapter.upload_dir or "")
    assert folder.is_dir()
    kept = [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size > 0]
    assert kept == [], f"uploads left on disk: {kept}"


def test_no_name_no_message(demo: Demo) -> None:
    result = send(fresh(demo), "  ", "hello?")
    assert last_reply(result) == NEED_NAME


def test_a_session_sees_only_its_own_mood(demo: Demo) -> None:
    eve, fay = fresh(demo), fresh(demo)
    send(eve, "Eve", "What a lovely calm morning")
    assert fay.predict("week", api_name="/mood")[0] == NEED_NAME  # no name in this session yet
    send(fay, "Fay", "Ugh, I am furious about the delay")
    text, chart, table = fay.predict("week", api_name="/mood")
    assert "Mostly" in text and "data:image/png;base64," in chart
    assert table["headers"] == HISTORY_HEADERS
    assert [row[1] for row in table["data"]] == ["Ugh, I am furious about the delay"]
    _, _, eve_table = eve.predict("all", api_name="/mood")
    assert [row[1] for row in eve_table["data"]] == ["What a lovely calm morning"]


def _downloads(html: str) -> Iterator[tuple[str, bytes]]:
    for name, data in re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html):
        yield name, base64.b64decode(data)


def test_export_then_erase_with_confirmation(demo: Demo) -> None:
    gus = fresh(demo)
    send(gus, "Gus", "Nervous about tomorrow's exam")
    text, links = gus.predict(api_name="/export")
    files = dict(_downloads(links))
    assert "attune-export.json" in files and any(n.endswith(".csv") for n in files), text
    exported = json.loads(files["attune-export.json"])
    assert "Nervous about tomorrow's exam" in json.dumps(exported)

    question = gus.predict(api_name="/forget")[0]
    assert "Are you sure" in question
    assert gus.predict(api_name="/forget_cancel")[0] == "Okay, nothing was deleted."
    assert demo.entries("Gus")

    gus.predict(api_name="/forget")
    done = gus.predict(api_name="/forget_confirm")
    assert done[0].startswith("Done.")
    assert done[-1]["data"] == [] and demo.entries("Gus") == []


def test_oversized_and_wrong_type_uploads_are_refused_before_the_core(
    client: Client, demo: Demo, tmp_path: Path
) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8" + b"\0" * demo.app.settings.max_image_bytes)
    gif = tmp_path / "moving.gif"
    gif.write_bytes(b"GIF89a" + b"\0" * 64)
    before = len(demo.entries("Hal"))
    for path in (big, gif):
        with pytest.raises(Exception) as refused:
            send(client, "Hal", "look", path)
        assert "size" in str(refused.value).lower() or "type" in str(refused.value).lower()
    assert len(demo.entries("Hal")) == before
