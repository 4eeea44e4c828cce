"""The pure Telegram -> core conversion, without any network."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery
from telegram import Message as TgMessage

from bot.adapters.telegram_albums import merge_album
from bot.adapters.telegram_inbound import (
    BotIdentity,
    Inbound,
    PhotoRef,
    callback_to_message,
    pick_photo_size,
    to_message,
)
from bot.domain import Platform
from emotion.photo import PhotoProblem
from emotion.video import VideoProblem
from emotion.voice import VoiceProblem

ME = BotIdentity(7001, "attune_test_bot")
ADA = {"id": 11, "is_bot": False, "first_name": "Ada", "last_name": "L"}
PRIVATE = {"id": 11, "type": "private", "first_name": "Ada"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Friends"}
LIMITS = {"max_image_bytes": 1_000_000, "max_image_pixels": 4_000_000}


def tg(chat: dict[str, Any] = PRIVATE, **fields: Any) -> TgMessage:
    data = {"message_id": 5, "date": 1_700_000_000, "chat": chat, "from": ADA, **fields}
    message = TgMessage.de_json(data, None)
    assert message is not None
    return message


def convert(message: TgMessage) -> Inbound:
    inbound = to_message(message, ME, **LIMITS)
    assert inbound is not None
    return inbound


def size(file_id: str, width: int, height: int, file_size: int | None) -> dict[str, Any]:
    return {
        "file_id": file_id,
        "file_unique_id": "u" + file_id,
        "width": width,
        "height": height,
        "file_size": file_size,
    }


def test_private_text_becomes_a_core_message() -> None:
    inbound = convert(tg(text="I had a long day"))
    m = inbound.message
    assert (m.user.platform, m.user.user_id, m.user.display_name) == (
        Platform.TELEGRAM,
        "11",
        "Ada L",
    )
    assert (m.chat_id, m.message_id, m.text, m.is_private_chat) == (
        "11",
        "5",
        "I had a long day",
        True,
    )
    assert inbound.addressed and inbound.photo is None and inbound.unsupported is None


def test_group_messages_are_addressed_only_by_mention_reply_or_command() -> None:
    plain = convert(tg(GROUP, text="lunch anyone?"))
    assert not plain.addressed
    mention = convert(
        tg(
            GROUP,
            text="@Attune_Test_Bot I'm nervous",
            entities=[{"type": "mention", "offset": 0, "length": 16}],
        )
    )
    assert mention.addressed and mention.message.text == "I'm nervous"
    assert not mention.message.is_private_chat
    other = convert(
        tg(
            GROUP,
            text="@someone_else hi",
            entities=[{"type": "mention", "offset": 0, "length": 13}],
        )
    )
    assert not other.addressed
    bot_message = {
        "message_id": 4,
        "date": 1,
        "chat": GROUP,
        "from": {"id": 7001, "is_bot": True, "first_name": "a"},
    }
    assert convert(tg(GROUP, text="thanks", reply_to_message=bot_message)).addressed
    for text, expected in (
        ("/help", True),
        ("/help@attune_test_bot", True),
        ("/help@other_bot", False),
    ):
        entities = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        assert convert(tg(GROUP, text=text, entities=entities)).addressed is expected, text


def test_largest_photo_within_limits_is_chosen_and_too_large_is_refused_before_download() -> None:
    sizes = [
        size("s", 90, 90, 1_000),
        size("m", 800, 600, 90_000),
        size("l", 2560, 1920, 2_000_000),
    ]
    inbound = convert(tg(photo=sizes, caption="me today"))
    assert inbound.photo == PhotoRef("m", 90_000)
    assert inbound.message.text == "me today"
    only_big = convert(tg(photo=[size("l", 2560, 1920, 2_000_000)]))
    assert only_big.photo is None and only_big.message.photo_problem is PhotoProblem.TOO_LARGE
    assert pick_photo_size([], 1, 1) is PhotoProblem.EMPTY


def test_image_documents_are_photos_other_documents_and_stickers_are_unsupported() -> None:
    image = {"file_id": "d1", "file_unique_id": "ud1", "mime_type": "image/png", "file_size": 5000}
    assert convert(tg(document=image)).photo == PhotoRef("d1", 5000)
    pdf = {"file_id": "d2", "file_unique_id": "ud2", "mime_type": "application/pdf"}
    assert convert(tg(document=pdf)).unsupported == "files of this kind"
    sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
               "is_animated": False, "is_video": False}  # fmt: skip
    assert convert(tg(sticker=sticker)).unsupported == "stickers"
    voice = {"file_id": "v", "file_unique_id": "v", "duration": 3}
    heard = convert(tg(voice=voice))
    assert heard.unsupported is None and heard.voice == PhotoRef("v", None)


def test_voice_audio_and_audio_documents_are_fetched_unless_too_large() -> None:
    audio = {"file_id": "a", "file_unique_id": "a", "duration": 9, "file_size": 4000}
    assert convert(tg(audio=audio, caption="my day")).voice == PhotoRef("a", 4000)
    doc = {"file_id": "d", "file_unique_id": "d", "mime_type": "audio/mpeg", "file_size": 10}
    assert convert(tg(document=doc)).voice == PhotoRef("d", 10)
    big = {"file_id": "b", "file_unique_id": "b", "duration": 3, "file_size": 30 * 1024 * 1024}
    refused = convert(tg(voice=big))
    assert refused.voice is None and refused.message.voice_problem is VoiceProblem.TOO_LARGE
    hour = {"file_id": "h", "file_unique_id": "h", "duration": 3600, "file_size": 10}
    too_long = convert(tg(voice=hour))
    assert too_long.voice is None and too_long.message.voice_problem is VoiceProblem.TOO_LONG
    long_video = convert(tg(video_note=dict(hour, length=240)))
    assert long_video.video is None and long_video.message.video_problem is VideoProblem.TOO_LONG


def test_video_notes_videos_and_animations_are_fetched_with_their_caption() -> None:
    note = {"file_id": "n", "file_unique_id": "n", "length": 320, "duration": 5, "file_size": 9}
    assert convert(tg(video_note=note)).video == PhotoRef("n", 9)
    video = {"file_id": "v", "file_unique_id": "v", "width": 1, "height": 1, "duration": 2}
    captioned = convert(tg(video=video, caption="me today"))
    assert captioned.video == PhotoRef("v", None) and captioned.message.text == "me today"
    gif = {"file_id": "g", "file_unique_id": "g", "width": 1, "height": 1, "duration": 1}
    assert convert(tg(animation=gif)).video == PhotoRef("g", None)
    big = dict(note, file_size=21 * 1024 * 1024)
    refused = convert(tg(video_note=big))
    assert refused.video is None and refused.message.video_problem is VideoProblem.TOO_LARGE


def test_service_messages_and_bots_are_ignored() -> None:
    assert to_message(tg(new_chat_members=[ADA]), ME, **LIMITS) is None
    bot = {"id": 99, "is_bot": True, "first_name": "other"}
    assert to_message(tg(text="hi", **{"from": bot}), ME, **LIMITS) is None


def test_album_is_one_input_with_merged_captions_and_the_first_photo() -> None:
    extras: list[dict[str, Any]] = [{"caption": "beach day"}, {}, {"caption": "with Sam"}]
    parts = [
        convert(
            tg(
                message_id=20 + i,
                media_group_id="g1",
                photo=[size(f"p{i}", 640, 480, 9_000)],
                **extra,
            )
        )
        for i, extra in enumerate(extras)
    ]
    merged = merge_album(parts)
    assert merged.message.text == "beach day\nwith Sam"
    assert merged.photo == PhotoRef("p0", 9_000)
    assert merged.message.message_id == "20"


def test_a_button_press_is_the_users_own_command() -> None:
    prompt = {
        "message_id": 9,
        "date": 1,
        "chat": PRIVATE,
        "from": {"id": 7001, "is_bot": True, "first_name": "a"},
    }
    query = CallbackQuery.de_json(
        {
            "id": "cq1",
            "from": ADA,
            "chat_instance": "c",
            "message": prompt,
            "data": "/forget confirm",
        },
        None,
    )
    assert query is not None
    message = callback_to_message(query)
    assert message is not None
    assert (message.text, message.user.user_id, message.chat_id) == ("/forget confirm", "11", "11")
    assert message.message_id == "callback:cq1"
