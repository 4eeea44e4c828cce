"""The crisis screen as the core runs it: rules inline, the learned classifier beside them.

The rules (``responses.safety.screen``) need no model and take a few milliseconds, so they run
on every message first and alone decide when nothing else works. The learned risk classifier
(``responses.risk_model``) adds the recall rules cannot reach; it runs in a thread of its own
(never queued behind a photo or a video in the emotion models' worker) with a short deadline:
a classifier that is missing, fails or is slow leaves the rules' answer standing, with one
warning in the log and nothing for the person to notice.

Who decides what. The crisis reply comes from the rules (and, across turns, the conversation
risk state), and from the classifier's confident band only when the loaded classifier marks
its predictions ``decisive``: the two readers combined (``responses.risk_ensemble``: USE +
n-grams and the fine-tuned MiniLM), whose confident band was chosen on dev data at <= 5 % of
the look-alikes and <= 0.5 % of ordinary chat (responses/README.md). The USE classifier alone
(the MiniLM reader did not load) is not decisive: its confident band took about 1 in 100
ordinary messages. A message only a non-decisive classifier saw, and any message in the
watch band only, gets the gentle check-in that asks directly and lists the helplines. When
the rules did flag, the classifier adds the categories they missed
(``responses.safety.combine``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from responses import safety
from responses.risk import RiskCategory, RiskPrediction

log = logging.getLogger(__name__)

#: How long a message may wait for the classifier before the rules' answer stands alone (s).
#: The classifier takes about 3-20 ms here (p50; hundreds under heavy load, see the README's
#: crisis-screen table); the bound only matters when its thread is stuck or starved.
DEFAULT_TIMEOUT_S = 1.5


@dataclass(frozen=True, slots=True)
class Screened:
    """One message's screen: ``check`` decides the crisis reply (the rules, with the
    classifier's categories added when the rules flagged); ``watch`` holds the categories only
    the classifier saw (either band), which the core answers with a gentle check-in that asks
    directly instead."""

    check: safety.SafetyCheck
    watch: frozenset[RiskCategory] = frozenset()


class RiskClassifier(Protocol):
    """What the screen needs of a classifier (``responses.risk_model.RiskModel`` is one)."""

    def predict(self, texts: list[str]) -> list[RiskPrediction]: ...


def load_risk_classifier(model_dir: Path | None = None) -> RiskClassifier | None:
    """The committed risk classifier (both readers, or the USE one alone when the MiniLM reader
    does not load), or None (rules only) when it cannot be loaded."""
    try:
        from responses.risk_ensemble import load_risk_ensemble

        model: RiskClassifier = load_risk_ensemble(model_dir)
        return model
    except Exception as error:  # a broken model must never stop the bot, nor the screen
        log.warning("risk classifier unavailable (%s); screening with rules only", error)
        return None


#: Longer texts are screened by the rules in a worker thread (see ``RiskScreen.screen``).
RULES_INLINE_CHARS = 4_000


class RiskScreen:
    """Screens one text: ``await screen(text)`` -> :class:`Screened`.

    Never raises for a classifier fault. ``classifier=None`` is the rules-only mode.
    """

    def __init__(
        self, classifier: RiskClassifier | None, *, timeout_s: float = DEFAULT_TIMEOUT_S
    ) -> None:
        self._classifier = classifier
        self._timeout_s = timeout_s
        self._executor = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="attune-risk")
            if classifier is not None
            else None
        )

    @classmethod
    def load(cls, model_dir: Path | None = None) -> RiskScreen:
        return cls(load_risk_classifier(model_dir))

    @property
    def has_classifier(self) -> bool:
        return self._classifier is not None

    async def screen(self, text: str) -> Screened:
        # The classifier starts first, in its worker thread, so the rules (on the loop for a
        # chat message) run while it reads: the screen costs the longer of the two, not both.
        reading = asyncio.ensure_future(self.predict(text)) if text.strip() else None
        try:
            # The rules take about a millisecond for a chat message, but ~1 s for 20,000
            # characters on these cores: long texts are screened off the event loop.
            if len(text) > RULES_INLINE_CHARS:
                rules = await asyncio.to_thread(safety.screen, text)
            else:
                rules = safety.screen(text)
        except BaseException:
            if reading is not None:
                reading.cancel()
            raise
        if reading is None:
            return Screened(rules)
        prediction = await reading
        if prediction is not None:
            # Slang the word lists lack leaves the stop-word guess unsure; the classifier's
            # language head settles those (never one- or two-word replies: too short for it).
            rules = safety.with_language_hint(rules, text, prediction.language)
        if prediction is not None:
            # "hes on the bridge rn": what the classifier read in a message about another
            # person alone is their safety, answered as a helper's worry (emergency first when
            # it is happening now), never a question about the writer's own thoughts.
            helper = safety.as_helper(rules, prediction.flagged, prediction.watch)
            if helper is not None:
                return Screened(helper)
        if rules.flagged or prediction is None:
            return Screened(safety.combine(rules, prediction))
        if prediction.decisive and prediction.flagged:
            return Screened(safety.combine(rules, prediction))
        return Screened(rules, prediction.flagged | prediction.watch)

    async def predict(self, text: str) -> RiskPrediction | None:
        """The classifier's reading of ``text``, or None when it is missing, failed or slow."""
        classifier, executor = self._classifier, self._executor
        if classifier is None or executor is None:
            return None
        loop = asyncio.get_running_loop()
        try:
            found = await asyncio.wait_for(
                loop.run_in_executor(executor, classifier.predict, [text]),
                timeout=self._timeout_s,
            )
            return found[0]
        except Exception as error:
            log.warning("risk classifier failed (%s); rules only", type(error).__name__)
            return None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
