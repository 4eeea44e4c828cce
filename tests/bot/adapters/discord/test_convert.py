"""The pure halves of the adapter: attachment choice, text splitting, mentions, buttons."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import discord

from bot.adapters.discord_convert import (
    MAX_MESSAGE_CHARS,
    looks_like_image,
    plan_attachments,
    skipped_line,
    strip_mentions,
)
from bot.adapters.discord_render import choice_view, parts, reply_files
from bot.adapters.discord_slash import _param_name, app_commands_for
from bot.adapters.text_split import split_text
from bot.commands import Command, CommandContext, CommandTable
from bot.domain import Attachment, Choice, Reply
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem

LIMIT = 1000


def attachment(filename: str, size: int, content_type: str | None) -> discord.Attachment:
    data: dict[str, Any] = {
        "id": "1",
        "filename": filename,
        "size": size,
        "url": f"https://cdn.invalid/{filename}",
        "proxy_url": f"https://cdn.invalid/{filename}",
    }
    if content_type is not None:
        data["content_type"] = content_type
    return discord.Attachment(data=cast(Any, data), state=cast(Any, SimpleNamespace(http=None)))


def test_first_declared_image_is_the_selfie_and_the_rest_are_named() -> None:
    plan = plan_attachments(
        [
            attachment("notes.pdf", 10, "application/pdf"),
            attachment("me.jpg", 500, "image/jpeg"),
            attachment("second.png", 500, "image/png"),
        ],
        LIMIT,
    )
    assert plan.photo is not None and plan.photo.filename == "me.jpg"
    assert plan.skipped == ("notes.pdf", "second.png")
    assert plan.photo_problem is None


def test_an_image_over_the_limit_is_refused_by_reported_size() -> None:
    plan = plan_attachments([attachment("huge.jpg", LIMIT + 1, "image/jpeg")], LIMIT)
    assert plan.photo is None
    assert plan.photo_problem is PhotoProblem.TOO_LARGE


def test_untyped_files_are_sniffed_and_images_without_type_go_by_extension() -> None:
    plan = plan_attachments(
        [attachment("blob", 10, None), attachment("x.bin", 10, "application/octet-stream")],
        LIMIT,
    )
    assert [a.filename for a in plan.sniff] == ["blob", "x.bin"]
    plan = plan_attachments([attachment("me.webp", 10, None)], LIMIT)
    assert plan.photo is not None


def test_one_medium_a_message_photo_then_video_then_recording() -> None:
    video, voice = attachment("clip.mp4", 10, "video/mp4"), attachment("v.ogg", 10, "audio/ogg")
    plan = plan_attachments([voice, video], LIMIT)
    assert plan.video is video and plan.voice is None and plan.skipped == ("v.ogg",)
    plan = plan_attachments([voice, attachment("me.jpg", 10, "image/jpeg")], LIMIT)
    assert plan.photo is not None and plan.voice is None and plan.skipped == ("v.ogg",)
    plan = plan_attachments([attachment("note.m4a", 10, None)], LIMIT)
    assert plan.voice is not None and plan.voice.filename == "note.m4a"
    plan = plan_attachments([attachment("big.mov", 10**9, "video/quicktime")], LIMIT)
    assert plan.video is None and plan.video_problem is VideoProblem.TOO_LARGE


def test_magic_bytes() -> None:
    assert looks_like_image(b"\xff\xd8\xff\xe0rest")
    assert looks_like_image(b"\x89PNG\r\n\x1a\nrest")
    assert looks_like_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    assert not looks_like_image(b"%PDF-1.7")
    assert not looks_like_image(b"")


def test_skipped_line_is_short() -> None:
    line = skipped_line([f"f{i}.txt" for i in range(6)])
    assert "f0.txt" in line and "3 more" in line and len(line) < 120


def test_split_text_keeps_every_character_within_the_limit() -> None:
    text = ("word " * 300 + "\n") * 3
    chunks = split_text(text, MAX_MESSAGE_CHARS)
    assert all(0 < len(c) <= MAX_MESSAGE_CHARS for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    assert split_text("x" * 4500, MAX_MESSAGE_CHARS) == ["x" * 2000, "x" * 2000, "x" * 500]
    assert split_text("   ", MAX_MESSAGE_CHARS) == []


def test_strip_mentions_only_removes_the_bot() -> None:
    assert strip_mentions("<@42> /history 3", 42) == "/history 3"
    assert strip_mentions("hi <@!42>, meet <@7>", 42) == "hi, meet <@7>"
    assert strip_mentions("<@&9> hello <@&8>", 42, [9]) == "hello <@&8>"


def test_reply_parts_put_files_and_buttons_on_the_last_message() -> None:
    reply = Reply(
        "a" * 2500,
        image_png=b"png",
        files=(Attachment("export.csv", b"x,y", "text/csv"),),
        choices=(Choice("Yes", "/forget confirm"), Choice("No", "/forget cancel")),
    )
    split = parts(reply.text)
    assert [p.last for p in split] == [False, True]
    assert [f.filename for f in reply_files(reply)] == ["attune.png", "export.csv"]
    view = choice_view(reply.choices)
    assert view is not None
    assert [getattr(item, "custom_id", None) for item in view.children] == [
        "/forget confirm",
        "/forget cancel",
    ]
    assert parts("") == [parts("")[0]] and parts("")[0].content is None


def test_slash_commands_come_from_the_table_with_an_option_where_there_is_usage() -> None:
    async def handler(ctx: CommandContext) -> Reply:
        return Reply("")

    table = CommandTable(
        [
            Command("mood", "your mood chart", handler, True, "[DAYS]"),
            Command("ping", "are you there", handler),
            Command("secret", "a button payload", handler, hidden=True),
        ]
    )

    async def run(interaction: discord.Interaction, name: str, argument: str | None) -> None:
        return None

    commands = {c.name: c for c in app_commands_for(table, run)}
    assert set(commands) == {"mood", "ping"}
    assert [p.display_name for p in commands["mood"].parameters] == ["days"]
    assert not commands["mood"].parameters[0].required
    assert commands["ping"].parameters == []
    assert _param_name("[N]") == "n" and _param_name("LABEL") == "label"
