"""compose(): acts choose the set, guards keep the tone gentle, photos without words."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import Core, CoreOptions
from bot.domain import Message, Platform, UserRef
from bot.inference import EmotionService
from bot.storage.engine import create_engine, session_factory
from bot.storage.repository import Repository
from emotion.fusion import FusionResult, fuse
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.photo import PhotoProblem, PhotoReading
from emotion.text.lexicon import LexiconEstimator
from responses.acts import Act
from responses.compose import Composed, ComposeInput, Turn, compose

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GENTLE = {
    "comfort",
    "calm",
    "check_in",
    "thanks_gentle",
    "goodbye_gentle",
    "ack_gentle",
    "greeting_gentle",
    "sarcasm",
    "advice",
    "about_bot",
}


def fused(**probs: float) -> FusionResult:
    text = EmotionEstimate.from_mapping({Emotion(k): v for k, v in probs.items()}, Source.TEXT, 0.9)
    return fuse(text, None, (), now=NOW, half_life=timedelta(hours=72))


def run(text: str, fusion: FusionResult, **kw: object) -> Composed:
    return compose(ComposeInput(text=text, fusion=fusion, **kw), random.Random(3))  # type: ignore[arg-type]


HAPPY = fused(happy=0.95, neutral=0.05)
SAD = Turn("my dog died yesterday", fused(sad=0.9, neutral=0.1).estimate)


def test_happy_news_is_celebrated_and_reflected() -> None:
    out = run("I finally finished my thesis", HAPPY)
    assert out.tone == "celebrate" and "your thesis" in out.text


def test_no_celebration_right_after_a_heavy_turn() -> None:
    for seed in range(20):
        out = compose(
            ComposeInput(text="my friends took me out for dinner", fusion=HAPPY, previous=(SAD,)),
            random.Random(seed),
        )
        assert out.tone != "celebrate"


@pytest.mark.parametrize(
    "text", ["I got a new bike today!", "hi", "how are you?", "lol", "what's new"]
)
def test_an_elevated_risk_keeps_every_reply_gentle(text: str) -> None:
    for seed in range(10):
        out = compose(
            ComposeInput(text=text, fusion=HAPPY, risk_elevated=True), random.Random(seed)
        )
        assert out.tone in GENTLE, (text, out.tone, out.text)


def test_acts_pick_their_sets() -> None:
    assert run("thanks!", HAPPY).tone == "thanks"
    assert run("thanks!", HAPPY, previous=(SAD,)).tone == "thanks_gentle"
    assert run("bye for now", HAPPY).tone == "goodbye"
    assert run("what should I do about my landlord?", HAPPY).tone == "advice"
    assert run("are you human?", HAPPY).tone == "about_bot"
    assert run("thanks!", HAPPY, previous=(SAD,)).act is Act.THANKS


def test_advice_never_diagnoses_or_prescribes() -> None:
    banned = ("diagnos", "disorder", "medication", "pill", "you should", "mg")
    for seed in range(30):
        out = compose(
            ComposeInput(text="should I take something to sleep?", fusion=HAPPY),
            random.Random(seed),
        )
        assert out.tone == "advice" and not any(b in out.text.lower() for b in banned)


def test_sarcasm_asks_and_stores_a_non_happy_reading() -> None:
    out = run("fantastic, my laptop crashed and I lost the whole essay", HAPPY)
    assert out.tone == "sarcasm" and "?" in out.text
    assert out.fusion.estimate.top is not Emotion.HAPPY


def test_a_photo_alone_without_a_face_gets_the_no_face_set() -> None:
    reading = PhotoReading(problem=PhotoProblem.NO_FACE, image_size=(640, 480))
    result = fuse(None, reading, (), now=NOW, half_life=timedelta(hours=72))
    assert run("", result, photo=reading).tone == "no_face"


async def test_why_after_a_photo_without_a_face_says_so(db_url: str) -> None:
    class NoFace:
        def read(self, data: bytes) -> PhotoReading:
            return PhotoReading(problem=PhotoProblem.NO_FACE, image_size=(640, 480))

    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), NoFace())
    core = Core(Repository(session_factory(engine)), service, CoreOptions())
    user = UserRef(Platform.CONSOLE, "p1", "Kim")
    try:
        await core.handle(Message(user, "c", "I got the job!!!", photo=b"\x89PNG"))
        why = await core.handle(Message(user, "c", "/why"))
        assert "couldn't find a face in the photo, so I went by your words" in why.text
        await core.handle(Message(user, "c", "and now without a photo"))
        why = await core.handle(Message(user, "c", "/why"))
        assert "no photo" in why.text
    finally:
        service.close()
        await engine.dispose()


async def test_a_group_chat_uses_nothing_said_earlier(db_url: str) -> None:
    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), None)
    core = Core(Repository(session_factory(engine)), service, CoreOptions(), rng=random.Random(2))
    user = UserRef(Platform.TELEGRAM, "g1", "Lee")
    repository = core.repository

    async def last_tone() -> str | None:
        record = await repository.find_user(user)
        assert record is not None
        return (await repository.recent_entries(record.id, 1))[0].tone

    try:
        await core.handle(Message(user, "dm", "my grandma passed away and I miss her so much"))
        await core.handle(Message(user, "dm", "thank you"))
        assert await last_tone() == "thanks_gentle"
        for _ in range(5):
            group = await core.handle(Message(user, "grp", "thank you", is_private_chat=False))
            assert "grandma" not in group.text
            assert await last_tone() == "thanks"
    finally:
        service.close()
        await engine.dispose()


def test_a_selfie_without_words_is_answered_by_its_tone() -> None:
    face = EmotionEstimate.from_mapping(
        {Emotion.HAPPY: 0.9, Emotion.NEUTRAL: 0.1}, Source.FACE, 0.9
    )
    reading = PhotoReading(estimate=face, image_size=(400, 400))
    result = fuse(None, reading, (), now=NOW, half_life=timedelta(hours=72))
    out = run("", result, photo=reading)
    assert out.tone == "celebrate" and out.act is Act.SHARING


def test_face_and_words_that_disagree_are_named_and_asked_about() -> None:
    face = EmotionEstimate.from_mapping({Emotion.SAD: 0.9, Emotion.NEUTRAL: 0.1}, Source.FACE, 0.9)
    words = EmotionEstimate.from_mapping(
        {Emotion.HAPPY: 0.9, Emotion.NEUTRAL: 0.1}, Source.TEXT, 0.9
    )
    reading = PhotoReading(estimate=face, image_size=(400, 400))
    result = fuse(words, reading, (), now=NOW, half_life=timedelta(hours=72))
    assert result.disagreement
    texts = {
        compose(
            ComposeInput(text="all good here", fusion=result, photo=reading), random.Random(seed)
        ).text
        for seed in range(30)
    }
    assert any("down" in t and "cheerful" in t for t in texts)


async def test_a_neutral_face_beside_happy_words_is_no_reason_to_doubt(db_url: str) -> None:
    class NeutralFace:
        def read(self, data: bytes) -> PhotoReading:
            face = EmotionEstimate.from_mapping(
                {Emotion.NEUTRAL: 0.85, Emotion.SAD: 0.1, Emotion.HAPPY: 0.05}, Source.FACE, 0.9
            )
            return PhotoReading(estimate=face, image_size=(400, 400))

    engine = create_engine(db_url)
    service = EmotionService(LexiconEstimator(), NeutralFace())
    core = Core(Repository(session_factory(engine)), service, CoreOptions(), rng=random.Random(4))
    user = UserRef(Platform.CONSOLE, "nf", "Ari")
    try:
        reply = await core.handle(Message(user, "c", "I got the job!!! 🎉 so happy", photo=b"jpg"))
        record = await core.repository.find_user(user)
        assert record is not None
        (entry,) = await core.repository.recent_entries(record.id, 1)
        assert not entry.disagreement and entry.tone != "check_in"
        assert "hard to tell" not in reply.text and "job" in reply.text
    finally:
        service.close()
        await engine.dispose()


def test_grim_words_are_never_celebrated_whatever_the_model_says() -> None:
    for seed in range(10):
        out = compose(
            ComposeInput(text="the kids screamed all day and I'm done, I hate this", fusion=HAPPY),
            random.Random(seed),
        )
        assert out.tone != "celebrate"


NEUTRAL = fused(neutral=0.8, happy=0.2)


@pytest.mark.parametrize(
    ("messages", "previous"),
    [
        (["ok", "yeah", "sure", "right", "fine", "cool", "yep", "hmm", "okay", "k", "alright"], ()),
        (["ok", "mm", "yeah", "i see", "okay", "right", "yes", "sure", "k", "hmm", "ok"], (SAD,)),
        (["nice weather today", "the match was on", "pizza again"] * 4, ()),
    ],
)
def test_short_replies_do_not_repeat_within_the_window(
    messages: list[str], previous: tuple[Turn, ...]
) -> None:
    from responses.bank import NO_REPEAT_WINDOW

    rng = random.Random(7)
    seen: list[str] = []
    texts: list[str] = []
    for text in messages:
        out = compose(
            ComposeInput(
                text=text,
                fusion=NEUTRAL,
                previous=previous,
                recent_reply_ids=tuple(seen[-NO_REPEAT_WINDOW:]),
            ),
            rng,
        )
        assert out.reply_id not in seen[-NO_REPEAT_WINDOW:], (text, out.text)
        assert out.text not in texts[-NO_REPEAT_WINDOW:], (text, out.text)
        seen.append(out.reply_id)
        texts.append(out.text)


def test_reply_texts_are_unique_across_the_bank() -> None:
    """The no-repeat window compares ids: two ids with one text would repeat unseen."""
    from responses.bank import bank

    texts = [reply.template for replies in bank().values() for reply in replies]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("should she take ibuprofen for the pain?", "advice_medicine"),
        ("can I take paracetamol and ibuprofen together", "advice_medicine"),
        ("is it ok to double my sertraline dose?", "advice_medicine"),
        ("how much melatonin should my son have?", "advice_medicine"),
        ("do you think I have anxiety disorder?", "advice_diagnosis"),
        ("am I depressed?", "advice_diagnosis"),
        ("could my daughter have ADHD?", "advice_diagnosis"),
        ("I wonder if my boyfriend has depression?", "advice_diagnosis"),
    ],
)
def test_health_questions_get_an_honest_no_medical_advice_answer(text: str, kind: str) -> None:
    out = run(text, NEUTRAL)
    assert out.act is Act.ADVICE and out.tone == kind
    lowered = out.text.lower()
    assert any(w in lowered for w in ("doctor", "pharmacist", "gp", "therapist"))
    assert "can't" in lowered or "not able" in lowered or "won't guess" in lowered


@pytest.mark.parametrize(
    "text",
    ["I took my meds today", "my mum was diagnosed with cancer", "my mum has cancer, what now?"],
)
def test_health_news_is_not_a_health_question(text: str) -> None:
    assert run(text, NEUTRAL).tone not in {"advice_medicine", "advice_diagnosis"}


@pytest.mark.parametrize(
    "text",
    [
        "I'm dead 😂",
        "dying of laughter rn",
        "lmao im dead, my brother walked into the glass door",
        "crying laughing at my cat falling off the sofa",
        "i'm literally wheezing 🤣",
        "can't stop laughing at this meme 😆",
    ],
)
@pytest.mark.parametrize("model", [fused(sad=0.6, neutral=0.4), fused(neutral=0.9, happy=0.1)])
def test_laughing_hyperbole_is_amusement(text: str, model: FusionResult) -> None:
    out = run(text, model)
    assert out.tone == "amused", out.text
    assert out.fusion.estimate.top is Emotion.HAPPY
    lowered = out.text.lower()
    assert "dead" not in lowered and "dying" not in lowered and "hard" not in lowered


@pytest.mark.parametrize(
    "text", ["my grandpa died lol", "lol I feel dead inside", "I'm dead tired", "i'm dying"]
)
def test_heavy_words_beside_laughter_are_not_a_joke(text: str) -> None:
    assert run(text, fused(sad=0.7, neutral=0.3)).tone != "amused"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("this exam is killing me", "this exam is a lot right now"),
        ("my commute is literally killing me", "your commute is a lot right now"),
        ("these night shifts are killing me", "these night shifts are a lot right now"),
    ],
)
def test_idioms_are_not_reflected_literally(text: str, said: str) -> None:
    out = run(text, fused(fear=0.5, sad=0.3, neutral=0.2))
    assert "killing" not in out.text
    assert out.reflection.event == said


def test_death_hyperbole_is_never_said_back() -> None:
    for text in ("I'm literally dying of embarrassment", "my sister is gonna be the death of me"):
        out = run(text, fused(sad=0.5, neutral=0.5))
        assert "dying" not in out.text and "death" not in out.text, out.text


def test_other_languages_are_not_parroted_and_the_note_comes_once() -> None:
    from responses.bank import NO_REPEAT_WINDOW

    rng = random.Random(5)
    seen: list[str] = []
    said = [
        "Ich bin heute so glücklich",
        "Je suis très fatigué aujourd'hui",
        "Hoy fue un día muy largo en el trabajo",
        "Ik heb vandaag een leuke dag gehad met mijn zus",
        "Мне сегодня грустно",
    ]
    notes = 0
    for text in said:
        data = ComposeInput(text=text, fusion=NEUTRAL, recent_reply_ids=tuple(seen[-10:]))
        out = compose(data, rng)
        assert out.reflection.event is None
        for word in text.split():
            if len(word) > 3:
                assert word not in out.text, (text, out.text)
        notes += "English" in out.text
        seen.append(out.reply_id)
    assert notes == 1 and len(set(seen)) == len(seen) <= NO_REPEAT_WINDOW


@pytest.mark.parametrize(
    "text", ["we found him though", "I went to a café in München", "my flatmate never cleans up"]
)
def test_english_with_a_foreign_word_is_still_reflected(text: str) -> None:
    assert "English" not in run(text, NEUTRAL).text


def _photo(confidence: float, **probs: float) -> PhotoReading:
    from emotion.photo import FaceBox

    face = EmotionEstimate.from_mapping(
        {Emotion(k): v for k, v in probs.items()}, Source.FACE, confidence
    )
    return PhotoReading(face, (FaceBox(100, 100, 200, 200, 0.9),), None, (640, 480))


def _sad_days() -> list[object]:
    from emotion.fusion import HistoryPoint
    from emotion.labels import LABELS

    one_hot = tuple(1.0 if label is Emotion.SAD else 0.0 for label in LABELS)
    return [HistoryPoint(NOW - timedelta(hours=h), one_hot) for h in (1, 5, 9)]


@pytest.mark.parametrize(
    "face",
    [
        {"confidence": 0.28, "neutral": 0.4, "sad": 0.3, "happy": 0.15, "fear": 0.15},
        {"confidence": 0.8, "neutral": 0.7, "sad": 0.2, "happy": 0.1},
        {"confidence": 0.35, "sad": 0.45, "neutral": 0.35, "angry": 0.2},
    ],
)
def test_an_unsure_or_neutral_face_alone_gets_a_plain_warm_reply(face: dict[str, float]) -> None:
    photo = _photo(**face)
    fusion = fuse(None, photo, _sad_days(), now=NOW, half_life=timedelta(hours=72))  # type: ignore[arg-type]
    for seed in range(12):
        out = compose(ComposeInput(text="", fusion=fusion, photo=photo), random.Random(seed))
        assert out.tone == "photo_plain", out.text
        assert "look" not in out.text.lower() and "hard" not in out.text.lower()


@pytest.mark.parametrize(
    ("caption", "named"),
    [
        ("finally finished my first marathon", "marathon"),
        ("just passed my driving test!!", "driving test"),
        ("we got engaged last night 💍", "engaged"),
    ],
)
@pytest.mark.parametrize("face_confidence", [0.28, 0.8])
def test_a_happy_caption_wins_over_a_blank_face(
    caption: str, named: str, face_confidence: float
) -> None:
    words = EmotionEstimate.from_mapping(
        {Emotion.HAPPY: 0.7, Emotion.NEUTRAL: 0.2, Emotion.SURPRISE: 0.1}, Source.TEXT, 0.8
    )
    photo = _photo(face_confidence, neutral=0.6, sad=0.3, happy=0.1)
    fusion = fuse(words, photo, _sad_days(), now=NOW, half_life=timedelta(hours=72))  # type: ignore[arg-type]
    for seed in range(6):
        data = ComposeInput(text=caption, fusion=fusion, photo=photo)
        out = compose(data, random.Random(seed))
        assert out.tone == "celebrate", out.text
        assert named in out.text, out.text


def test_a_clear_face_alone_may_still_be_talked_about() -> None:
    photo = _photo(0.9, happy=0.85, neutral=0.15)
    fusion = fuse(None, photo, (), now=NOW, half_life=timedelta(hours=72))
    out = run("", fusion, photo=photo)
    assert out.tone == "celebrate"
