"""The adapter's pure parts, without a server: rendering, the upload reader, the reading tap."""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.adapters.web_render import (
    clean_name,
    downloads_html,
    history_rows,
    label_value,
    photo_html,
    summary_markdown,
)
from bot.adapters.web_turns import read_upload, user_ref
from bot.core import Core
from bot.domain import Attachment, Message, MoodEntry
from bot.inference import EmotionService
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.labels import LABELS, Emotion, EmotionEstimate, Source
from emotion.photo import FaceBox, PhotoProblem, PhotoReading
from emotion.text.lexicon import LexiconEstimator


def _png(size: tuple[int, int] = (200, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _entry(**changes: object) -> MoodEntry:
    base: dict[str, object] = dict(
        id=1,
        user_id=1,
        created_at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        text="long day",
        text_probs={"sad": 0.7, "neutral": 0.3},
        face_probs={"happy": 0.8, "neutral": 0.2},
        fused_probs={"sad": 0.5, "happy": 0.3, "neutral": 0.2},
        history_probs=None,
        weights={"text": 0.5, "face": 0.5},
        fused_label=Emotion.SAD,
        valence=-0.2,
        dominant=Source.TEXT,
        disagreement=True,
        crisis=False,
        face_count=1,
        correction=None,
        tone="gentle",
        reply_id="r1",
    )
    base.update(changes)
    return MoodEntry(**base)  # type: ignore[arg-type]


def test_names_are_trimmed_single_line_and_case_insensitive_keys() -> None:
    assert clean_name("  Ada \n Lovelace ") == "Ada Lovelace"
    assert len(clean_name("x" * 100)) == 40
    assert user_ref("Ada").user_id == user_ref("ADA").user_id == "ada"
    assert user_ref("Ada").display_name == "Ada"


def test_bars_list_every_label_in_order() -> None:
    value = label_value({"sad": 0.7, "neutral": 0.3})
    assert value is not None and list(value) == [label.value for label in LABELS]
    assert value["sad"] == 0.7 and value["happy"] == 0.0
    assert label_value(None) is None


def test_the_verdict_shows_the_disagreement_flag_and_why() -> None:
    text = summary_markdown(_entry(), "Your words suggested sadness.")
    assert "Disagreement flag: yes" in text and "*sad*" in text and "*happy*" in text
    assert "Your words suggested sadness." in text
    assert "Disagreement flag: no" in summary_markdown(_entry(disagreement=False), "")
    assert "Disagreement" not in summary_markdown(_entry(face_probs=None, face_count=0), "")
    assert "No reading" in summary_markdown(None, "")


def test_the_photo_comes_back_inline_with_its_face_boxes() -> None:
    reading = PhotoReading(faces=(FaceBox(10, 10, 50, 50, 0.9),), image_size=(200, 100))
    html = photo_html(_png(), reading)
    assert 'data-faces="1"' in html and "1 face found" in html
    data = base64.b64decode(html.split("base64,", 1)[1].split('"', 1)[0])
    with Image.open(io.BytesIO(data)) as shown:
        assert shown.getpixel((10, 30)) == (255, 140, 0)  # the box's left edge
    big = photo_html(_png((2000, 1000)), None)
    with Image.open(io.BytesIO(base64.b64decode(big.split("base64,")[1].split('"')[0]))) as im:
        assert max(im.size) == 480
    assert "could not be shown" in photo_html(b"not an image", None)
    no_face = photo_html(_png(), PhotoReading(problem=PhotoProblem.NO_FACE))
    assert 'data-faces="0"' in no_face and "no face" in no_face
    assert photo_html(None, None) == ""


def test_downloads_and_history_rows() -> None:
    html = downloads_html((Attachment("a.csv", b"x,y\n1,2\n", "text/csv"),))
    assert 'download="a.csv"' in html and base64.b64encode(b"x,y\n1,2\n").decode() in html
    assert downloads_html(()) == ""
    rows = history_rows([_entry(correction=Emotion.FEAR)])
    assert rows == [["2026-11-26 09:30", "long day", "sad", "happy", "sad", "fear"]]


def test_an_upload_is_read_into_memory_and_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "abc123"
    folder.mkdir()
    photo = folder / "me.png"
    photo.write_bytes(_png())
    read = read_upload(str(photo), 10_000)
    assert read.data == _png() and read.problem is None
    assert not photo.exists() and not folder.exists()
    at_root = tmp_path / "snapshot.png"
    at_root.write_bytes(_png())
    assert read_upload(str(at_root), 10_000, root=str(tmp_path)).data == _png()
    assert not at_root.exists() and tmp_path.is_dir()
    large = tmp_path / "large.png"
    large.write_bytes(b"\0" * 101)
    assert read_upload(str(large), 100).problem is PhotoProblem.TOO_LARGE
    assert not large.exists()
    assert read_upload(None, 100).data is None
    assert read_upload(str(tmp_path / "gone.png"), 100).problem is PhotoProblem.NOT_AN_IMAGE


class _WidthFaces:
    """Reads a 'face' whose box width is the photo's first byte: each reading is traceable."""

    def read(self, data: bytes) -> PhotoReading:
        estimate = EmotionEstimate.from_mapping({Emotion.HAPPY: 1.0}, Source.FACE, confidence=0.9)
        box = FaceBox(0, 0, data[0], data[0], 0.9)
        return PhotoReading(estimate=estimate, faces=(box,), image_size=(255, 255))


@pytest.fixture()
async def reading_core(db_url: str) -> AsyncIterator[Core]:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), _WidthFaces())
    yield Core(Repository(session_factory(engine)), service)
    service.close()
    await engine.dispose()


async def test_each_turn_reports_its_own_reading_and_entry(reading_core: Core) -> None:
    """The web demo's charts and face boxes come from ``Core.handle_turn``'s report: each
    call gets its own photo reading and stored entry, concurrent calls included."""

    def message(name: str, width: int) -> Message:
        ref = user_ref(name)
        return Message(user=ref, chat_id=f"web:{ref.user_id}", text="hi", photo=bytes([width]))

    answers = await asyncio.gather(
        *(reading_core.handle_turn(message(f"u{w}", w)) for w in (60, 70, 80))
    )
    widths = [a.report.photo.faces[0].width for a in answers if a.report.photo is not None]
    assert widths == [60, 70, 80]
    for answer, name in zip(answers, ("u60", "u70", "u80"), strict=True):
        user = await reading_core.repository.find_user(user_ref(name))
        assert user is not None and answer.report.entry is not None
        assert [answer.report.entry] == await reading_core.repository.recent_entries(user.id, 1)
        assert answer.report.fusion is not None
        assert answer.report.entry.fused_probs == answer.report.fusion.estimate.as_dict()
    plain = Message(user=user_ref("u1"), chat_id="web:u1", text="no photo here")
    answer = await reading_core.handle_turn(plain)
    assert answer.reply.text and answer.report.photo is None and answer.report.entry is not None
    command = await reading_core.handle_turn(
        Message(user=user_ref("u1"), chat_id="web:u1", text="/why")
    )
    assert command.reply.text and command.report.entry is None
