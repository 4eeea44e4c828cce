"""EmotionService: texts that arrive while the model is busy share one call; failures fall back."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

from bot.inference import EmotionService
from emotion.labels import Emotion, EmotionEstimate, Source
from emotion.text.lexicon import LexiconEstimator


def _one_hot(label: Emotion) -> EmotionEstimate:
    return EmotionEstimate(
        tuple(1.0 if e == label else 0.0 for e in Emotion), Source.TEXT, confidence=0.9
    )


class GatedBatchModel:
    """Reads "happy"/"sad" from the words; the first call waits until the test opens the gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.busy = threading.Event()
        self.calls: list[list[str]] = []

    def estimate(self, text: str) -> EmotionEstimate:
        return self.estimate_many([text])[0]

    def estimate_many(self, texts: Sequence[str]) -> list[EmotionEstimate]:
        self.busy.set()
        self.gate.wait(timeout=10)
        self.calls.append(list(texts))
        return [_one_hot(Emotion.HAPPY if "happy" in t else Emotion.SAD) for t in texts]


class ShortBatchModel:
    """Returns one estimate too few: a broken model must not leave callers hanging."""

    def estimate(self, text: str) -> EmotionEstimate:
        return _one_hot(Emotion.HAPPY)

    def estimate_many(self, texts: Sequence[str]) -> list[EmotionEstimate]:
        return [_one_hot(Emotion.HAPPY) for _ in texts[1:]]


class FailingBatchModel:
    def estimate(self, text: str) -> EmotionEstimate:
        raise RuntimeError("model crashed")

    def estimate_many(self, texts: Sequence[str]) -> list[EmotionEstimate]:
        raise RuntimeError("model crashed")


async def test_texts_waiting_on_a_busy_model_go_through_together() -> None:
    model = GatedBatchModel()
    service = EmotionService(model, None)
    try:
        first = asyncio.create_task(service.estimate_text("so happy"))
        assert await asyncio.to_thread(model.busy.wait, 5)  # the model is now busy with it
        texts = [f"{'happy' if i % 2 else 'sad'} message {i}" for i in range(5)]
        rest = [asyncio.create_task(service.estimate_text(t)) for t in texts]
        await asyncio.sleep(0.05)
        model.gate.set()
        results = await asyncio.gather(first, *rest)
    finally:
        service.close()
    assert model.calls == [["so happy"], texts]
    assert list(service.text_batches) == [1, 5]
    expected = [Emotion.HAPPY] + [Emotion.HAPPY if i % 2 else Emotion.SAD for i in range(5)]
    assert [r.top for r in results] == expected  # each caller gets its own text's answer


async def test_an_idle_model_reads_a_message_alone() -> None:
    model = GatedBatchModel()
    model.gate.set()
    service = EmotionService(model, None)
    try:
        assert (await service.estimate_text("happy")).top is Emotion.HAPPY
        assert (await service.estimate_text("sad")).top is Emotion.SAD
    finally:
        service.close()
    assert list(service.text_batches) == [1, 1]


async def test_a_failing_batch_falls_back_to_the_lexicon_for_each_caller() -> None:
    service = EmotionService(FailingBatchModel(), None)
    lexicon = LexiconEstimator()
    texts = ["I am so happy and grateful today", "this is awful, I hate it", ""]
    try:
        results = await asyncio.gather(*(service.estimate_text(t) for t in texts))
    finally:
        service.close()
    assert results == [lexicon.estimate(t) for t in texts]


async def test_a_stuck_model_times_out_to_the_lexicon() -> None:
    model = GatedBatchModel()  # gate never opened: the call hangs (until its own 10 s wait)
    service = EmotionService(model, None, timeout_s=0.2)
    try:
        result = await service.estimate_text("I am so happy and grateful today")
    finally:
        model.gate.set()
        service.close()
    assert result == LexiconEstimator().estimate("I am so happy and grateful today")


async def test_an_estimator_without_batches_still_works() -> None:
    service = EmotionService(LexiconEstimator(), None)
    try:
        results = await asyncio.gather(*(service.estimate_text(t) for t in ("yay!", "ugh")))
    finally:
        service.close()
    assert results == [LexiconEstimator().estimate(t) for t in ("yay!", "ugh")]


async def test_texts_of_callers_that_gave_up_are_not_run() -> None:
    model = GatedBatchModel()
    service = EmotionService(model, None, timeout_s=0.3)
    lexicon = LexiconEstimator()
    try:
        first = asyncio.create_task(service.estimate_text("first, happy"))
        assert await asyncio.to_thread(model.busy.wait, 5)
        second = await service.estimate_text("second, sad")  # waits 0.3 s, then falls back
        assert second == lexicon.estimate("second, sad")
        assert await first == lexicon.estimate("first, happy")  # timed out as well
        model.gate.set()
        batching = service._batching
        assert batching is not None
        await asyncio.wait_for(batching, 5)
    finally:
        model.gate.set()
        service.close()
    assert model.calls == [["first, happy"]]  # "second" was skipped, not computed for nobody


async def test_a_model_returning_too_few_estimates_answers_everyone_at_once() -> None:
    service = EmotionService(ShortBatchModel(), None, timeout_s=10)
    lexicon = LexiconEstimator()
    texts = ["I am so happy", "this is awful"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        results = await asyncio.gather(*(service.estimate_text(t) for t in texts))
    finally:
        service.close()
    assert loop.time() - started < 5  # not the 10 s timeout
    assert results == [lexicon.estimate(t) for t in texts]
