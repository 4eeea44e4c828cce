"""Conversations through the real PTB Application and the real core, against the fake server."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.telegram_render import OPEN_PRIVATE_CHAT_LINE, SENT_PRIVATELY_LINE
from bot.logs import NOISY_LOGGERS
from tests.bot.adapters.telegram.conftest import TOKEN, Harness
from tests.bot.adapters.telegram.fake_api import BOT_USERNAME, FakeUser

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    # PTB 22 warns about int vs timedelta whenever it builds a RetryAfter (the 429 tests)
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


def texts(harness: Harness, user: FakeUser) -> list[str]:
    return [s.text for s in harness.fake.sent_to(user.id)]


async def test_commands_are_registered_from_the_core_table(harness: Harness) -> None:
    names = [c["command"] for c in harness.fake.commands]
    assert names == [c.name for c in harness.app.core.commands.visible()]
    assert {"start", "help", "history", "forget", "privacy"} <= set(names)
    assert all(c["description"] for c in harness.fake.commands)


async def test_a_text_conversation_keeps_order(harness: Harness) -> None:
    fake, ada = harness.fake, harness.user()
    await fake.push_text(ada, "/start")
    sent = await fake.wait_count(ada.id, 1)
    assert "I'm attune" in sent[0].text
    for line in ("I had a wonderful day at the beach!", "but now I'm a bit tired", "/privacy"):
        await fake.push_text(ada, line)
    sent = await fake.wait_count(ada.id, 4)
    assert all(s.method == "sendMessage" and s.text for s in sent)
    assert sent[-1].text.startswith("What I keep")  # answers come in the order asked
    await harness.quiet()
    assert len(fake.sent_to(ada.id)) == 4


async def test_the_same_update_twice_is_answered_once(harness: Harness) -> None:
    fake, bob = harness.fake, harness.user("Bob")
    update = await fake.push_text(bob, "I'm worried about my exam tomorrow")
    await fake.wait_count(bob.id, 1)
    await fake.redeliver(update)
    await harness.quiet(1.2)
    assert len(fake.sent_to(bob.id)) == 1


async def test_edited_messages_are_not_answered_again(harness: Harness) -> None:
    fake, eve = harness.fake, harness.user("Eve")
    update = await fake.push_text(eve, "I am so angry")
    await fake.wait_count(eve.id, 1)
    edited = dict(update["message"], text="I am so angry!!", edit_date=1)
    await fake.push({"edited_message": edited})
    await harness.quiet(1.2)
    assert len(fake.sent_to(eve.id)) == 1


async def test_an_edit_into_crisis_language_gets_help_once(harness: Harness) -> None:
    fake, fay = harness.fake, harness.user("Fay")
    update = await fake.push_text(fay, "I'm fine")
    await fake.wait_count(fay.id, 1)
    edited = dict(update["message"], text="I want to end my life", edit_date=2)
    await fake.push({"edited_message": edited})
    sent = await fake.wait_count(fay.id, 2)
    assert "findahelpline" in sent[-1].text or "988" in sent[-1].text
    again = dict(update["message"], text="I want to end my life tonight", edit_date=3)
    await fake.push({"edited_message": again})
    await harness.quiet(1.2)
    assert len(fake.sent_to(fay.id)) == 2  # one crisis reply per edited message


async def test_two_users_histories_never_mix(harness: Harness) -> None:
    fake, ann, ben = harness.fake, harness.user("Ann"), harness.user("Ben")
    await fake.push_text(ann, "Ann's happy garden day")
    await fake.push_text(ben, "Ben's gloomy office day")
    await fake.wait_count(ann.id, 1)
    await fake.wait_count(ben.id, 1)
    await fake.push_text(ann, "/history")
    await fake.push_text(ben, "/history")
    ann_history = (await fake.wait_count(ann.id, 2))[-1].text
    ben_history = (await fake.wait_count(ben.id, 2))[-1].text
    assert "garden" in ann_history and "office" not in ann_history
    assert "office" in ben_history and "garden" not in ben_history


async def test_a_corrupt_photo_is_answered_and_typing_is_shown(harness: Harness) -> None:
    fake, cam = harness.fake, harness.user("Cam")
    fake.inject("502", "download")  # the first download fails; the retry fetches it
    await fake.push_photo(cam, b"\xff\xd8\xff\xe0 not really a jpeg", caption="me")
    sent = await fake.wait_count(cam.id, 1)
    assert sent[0].text
    assert (cam.id, "typing") in fake.actions
    await harness.quiet()
    assert len(fake.sent_to(cam.id)) == 1


async def test_a_photo_too_large_is_refused_without_downloading(harness: Harness) -> None:
    fake, dan = harness.fake, harness.user("Dan")
    too_big = harness.settings.max_image_bytes + 1
    update = await fake.push_photo(dan, b"\xff\xd8tiny", reported_size=too_big, file_id="huge1")
    sent = await fake.wait_count(dan.id, 1)
    assert sent[0].text
    fetched = [p["file_id"] for m, p in fake.calls if m == "getFile"]
    assert "huge1" not in fetched, update


async def test_an_album_is_one_input_with_one_reply(harness: Harness) -> None:
    fake, fay = harness.fake, harness.user("Fay")
    before = len([1 for m, _ in fake.calls if m == "getFile"])
    for index, caption in enumerate(["holiday pics", None, "we loved it"]):
        await fake.push_photo(fay, b"\xff\xd8 fake %d" % index, caption, media_group_id="al1")
    sent = await fake.wait_count(fay.id, 1)
    await harness.quiet(1.0)
    assert len(fake.sent_to(fay.id)) == 1, sent
    assert len([1 for m, _ in fake.calls if m == "getFile"]) - before == 1  # first photo only


async def test_an_image_sent_as_a_file_is_read_and_other_files_are_not(harness: Harness) -> None:
    fake, ida = harness.fake, harness.user("Ida")
    update = await fake.push_document(ida, b"\x89PNG\r\n\x1a\n not really", "image/png", "me")
    await fake.wait_count(ida.id, 1)
    fetched = [p["file_id"] for m, p in fake.calls if m == "getFile"]
    assert update["message"]["document"]["file_id"] in fetched
    await fake.push_document(ida, b"%PDF-1.4", "application/pdf")
    sent = await fake.wait_count(ida.id, 2)
    assert "files of this kind" in sent[-1].text


async def test_stickers_get_one_short_line(harness: Harness) -> None:
    fake, gus = harness.fake, harness.user("Gus")
    update = await fake.push_sticker(gus)
    sent = await fake.wait_count(gus.id, 1)
    assert "stickers" in sent[0].text and len(sent[0].text) < 160
    await fake.redeliver(update)
    await harness.quiet()
    assert len(fake.sent_to(gus.id)) == 1


async def test_groups_answer_only_when_addressed(harness: Harness) -> None:
    fake, hal, group = harness.fake, harness.user("Hal"), harness.group()
    await fake.push_text(hal, "anyone up for lunch?", chat=group)
    await fake.push_text(hal, f"@{BOT_USERNAME} I'm nervous about my talk", chat=group)
    sent = await fake.wait_count(group.id, 1)
    await harness.quiet()
    assert len(fake.sent_to(group.id)) == 1
    assert '"message_id"' in str(sent[0].params.get("reply_parameters"))  # replies to it
    await fake.push_text(hal, "/help@some_other_bot", chat=group)
    await harness.quiet()
    assert len(fake.sent_to(group.id)) == 1


async def test_private_answers_go_to_the_users_private_chat(harness: Harness) -> None:
    fake, ivy, group = harness.fake, harness.user("Ivy"), harness.group()
    await fake.push_text(ivy, f"@{BOT_USERNAME} my secret worry", chat=group)
    await fake.wait_count(group.id, 1)
    await fake.push_text(ivy, "/history", chat=group)
    in_group = await fake.wait_count(group.id, 2)
    assert in_group[-1].text == SENT_PRIVATELY_LINE
    dm = await fake.wait_count(ivy.id, 1)
    assert "secret worry" in dm[0].text
    assert all("secret" not in s.text for s in in_group[1:])


async def test_private_answer_to_a_user_who_never_started_the_bot(harness: Harness) -> None:
    fake, jon, group = harness.fake, harness.user("Jon"), harness.group()
    fake.blocked_users.add(jon.id)
    await fake.push_text(jon, "/history", chat=group)
    sent = await fake.wait_count(group.id, 1)
    assert sent[0].text == OPEN_PRIVATE_CHAT_LINE.format(bot=BOT_USERNAME)
    assert fake.sent_to(jon.id) == []


@pytest.mark.parametrize(("choice", "result"), [(0, "Done. I erased"), (1, "nothing was deleted")])
async def test_forget_asks_with_buttons_and_the_press_edits_the_prompt(
    harness: Harness, choice: int, result: str
) -> None:
    fake, kim = harness.fake, harness.user("Kim")
    await fake.push_text(kim, "a day to remember")
    await fake.wait_count(kim.id, 1)
    await fake.push_text(kim, "/forget")
    prompt = (await fake.wait_count(kim.id, 2))[-1]
    buttons = prompt.buttons
    assert [b["callback_data"] for b in buttons] == ["/forget confirm", "/forget cancel"]
    update = await fake.push_callback(kim, prompt, buttons[choice]["callback_data"])
    edited = (await fake.wait_count(kim.id, 3))[-1]
    assert edited.method == "editMessageText" and result in edited.text
    assert edited.params["message_id"] == str(prompt.message_id)
    assert update["callback_query"]["id"] in fake.callback_answers
    await fake.redeliver(update)  # a second delivery of the press does nothing
    await fake.push_text(kim, "/history")
    history = (await fake.wait_count(kim.id, 4))[-1].text
    assert ("a day to remember" in history) is (choice == 1)


@pytest.mark.parametrize("kind", ["429", "502", "slow", "drop"])
async def test_faults_lose_nothing_and_duplicate_nothing(harness: Harness, kind: str) -> None:
    fake = harness.fake
    users = [harness.user() for _ in range(3)]
    for method in ("getUpdates", "sendMessage", "sendChatAction"):
        fake.inject(kind, method, retry_after=1, delay_s=0.5)
    for index, user in enumerate(users):
        await fake.push_text(user, f"message number {index} during a {kind} fault")
    for user in users:
        await fake.wait_count(user.id, 1, within=10)
    await harness.quiet(1.0)
    assert [len(fake.sent_to(u.id)) for u in users] == [1, 1, 1]
    assert not [f for f in fake.faults if f.method in ("getUpdates", "sendMessage")]
    if kind == "429":  # retry_after (1 s) was waited out before sending again
        _, _, refused, chat = next(f for f in fake.fault_log[::-1] if f[0] == "sendMessage")
        assert fake.sent_to(chat)[0].at - refused >= 1.0


async def test_no_token_in_logs_and_no_text_at_info(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake, lou = harness.fake, harness.user("Lou")
    levels = {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:  # as bot.logs.configure_logging leaves them
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        with caplog.at_level(logging.DEBUG):
            fake.inject("502", "sendMessage")
            fake.inject("429", "sendMessage", retry_after=1)
            await fake.push_text(lou, "zebra-unique-sentence about my day")
            await fake.push_photo(lou, b"\xff\xd8 zz", caption="zebra-unique-caption")
            await fake.wait_count(lou.id, 2, within=10)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    records = caplog.records
    assert records, "expected some log records"
    assert not [
        r for r in records if TOKEN in r.getMessage() or TOKEN.split(":")[1] in r.getMessage()
    ]
    info = [r.getMessage() for r in records if r.levelno >= logging.INFO]
    assert not [m for m in info if "zebra-unique" in m]
