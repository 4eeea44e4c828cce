"""Crisis screen bench: the rules, the learned risk classifier, and the screen as attune runs it.

Run ``python -m bench.safety_bench [--heldout FILE] [--dialogues FILE] [--ordinary N]``.

Reads the held-out test split (``tests/responses/data/risk_heldout.tsv``:
``labels<TAB>language<TAB>text``; ``risk_heldout_dialogues.tsv``:
``dialogue_id<TAB>turn<TAB>expected<TAB>language<TAB>text``) — never used for tuning — and
prints, for the rules alone, the classifier alone (its confident band, and its decisive band,
the one that sends the crisis reply by itself) and the product screen (``bot.risk.RiskScreen``:
rules, plus the classifier's decisive band; ``--before`` adds the USE classifier alone and the
earlier policy, where only the rules sent the crisis reply):

* ``crisis``: the message gets the crisis reply (flagged); ``help``: it gets the crisis reply
  or the gentle check-in that asks directly and lists helplines (the classifier's unsure band);
* recall of each per category and per language, and the false-alarm rate on the look-alikes
  (``none`` lines);
* on ordinary chat (the first N comments of GoEmotions dev, ``../shared/data``): how often a
  crisis reply or a check-in would be given (an upper bound: a few comments do speak of risk);
* latency of the product screen per message, p50/p95 in ms, English and other languages apart,
  and on the ordinary chat;
* dialogues, run through the real core (the text model, the conversation risk state stored
  in a temporary SQLite file): a risk turn counts as helped when a crisis reply or check-in
  came at that turn or earlier in the dialogue; benign dialogues count when one came at all.

Targets (issue 13): recall >= 0.95 overall and >= 0.90 per category, false alarms <= 0.05,
added latency p50 <= 10 ms for English. The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from emotion.tflog import quiet_tensorflow

quiet_tensorflow()

from bot.core import Core, CoreOptions  # noqa: E402
from bot.domain import Message, Platform, UserRef  # noqa: E402
from bot.inference import EmotionService, load_text_estimator  # noqa: E402
from bot.risk import RiskScreen, load_risk_classifier  # noqa: E402
from bot.storage import migrate  # noqa: E402
from bot.storage.engine import create_engine, session_factory  # noqa: E402
from bot.storage.repository import Repository  # noqa: E402
from responses import safety  # noqa: E402
from responses.risk import RiskCategory  # noqa: E402
from responses.risk_state import RiskState  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "responses" / "data"
ORDINARY = ROOT.parent / "shared" / "data" / "goemotions_ekman" / "dev.tsv"


@dataclass(frozen=True, slots=True)
class Row:
    labels: frozenset[RiskCategory]
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a screen would do with one message."""

    crisis: bool
    help: bool
    categories: frozenset[RiskCategory]


Screen = Callable[[str], Verdict]


def _labels(raw: str) -> frozenset[RiskCategory]:
    return frozenset(RiskCategory(x.strip()) for x in raw.split(",") if x.strip() != "none")


def read_messages(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        labels, language, text = line.split("\t", 2)
        rows.append(Row(_labels(labels), language, text))
    return rows


def read_dialogues(path: Path) -> dict[str, list[Row]]:
    dialogues: dict[str, list[Row]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        dialogue, _turn, expected, language, text = line.split("\t", 4)
        dialogues.setdefault(dialogue, []).append(Row(_labels(expected), language, text))
    return dialogues


def read_ordinary(path: Path, n: int) -> list[str]:
    if not path.is_file() or n <= 0:
        return []
    return [line.split("\t", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()][:n]


def rules_screen(text: str) -> Verdict:
    check = safety.screen(text)
    return Verdict(check.flagged, check.flagged, check.categories)


def product_screen(screen: RiskScreen, loop: asyncio.AbstractEventLoop) -> Screen:
    def run(text: str) -> Verdict:
        screened = loop.run_until_complete(screen.screen(text))
        crisis = screened.check.flagged
        return Verdict(crisis, crisis or bool(screened.watch), screened.check.categories)

    return run


def model_screen(
    screen: RiskScreen, loop: asyncio.AbstractEventLoop, *, decisive: bool = False
) -> Screen:
    """The classifier alone: *crisis* = its confident band (``decisive``: its decisive band,
    the one that sends the crisis reply in the product), *help* = any band."""

    def run(text: str) -> Verdict:
        prediction = loop.run_until_complete(screen.predict(text))
        if prediction is None:
            return Verdict(False, False, frozenset())
        crisis = prediction.decisive if decisive else bool(prediction.flagged)
        either = bool(prediction.flagged) or bool(prediction.watch)
        return Verdict(crisis, crisis or either, prediction.flagged)

    return run


def _rate(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 3) if hits else None


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def evaluate(run: Screen, rows: Sequence[Row], ordinary: Sequence[str]) -> dict[str, object]:
    verdicts: list[Verdict] = []
    seconds: list[float] = []
    for row in rows:
        start = time.perf_counter()
        verdicts.append(run(row.text))
        seconds.append(time.perf_counter() - start)
    pairs = list(zip(rows, verdicts, strict=True))
    per_category: dict[str, object] = {}
    for category in RiskCategory:
        members = [v for r, v in pairs if category in r.labels]
        per_category[category.value] = {
            "n": len(members),
            "crisis": _rate([v.crisis for v in members]),
            "help": _rate([v.help for v in members]),
            "right_category": _rate([category in v.categories for v in members]),
        }
    per_language: dict[str, object] = {}
    for language in sorted({r.language for r in rows}):
        pos = [v for r, v in pairs if r.language == language and r.labels]
        neg = [v for r, v in pairs if r.language == language and not r.labels]
        per_language[language] = {
            "crisis_recall": _rate([v.crisis for v in pos]),
            "help_recall": _rate([v.help for v in pos]),
            "crisis_false_alarms": _rate([v.crisis for v in neg]),
            "help_false_alarms": _rate([v.help for v in neg]),
        }
    everyday: list[Verdict] = []
    everyday_s: list[float] = []
    for text in ordinary:
        start = time.perf_counter()
        everyday.append(run(text))
        everyday_s.append(time.perf_counter() - start)
    en = [s for r, s in zip(rows, seconds, strict=True) if r.language == "en"]
    other = [s for r, s in zip(rows, seconds, strict=True) if r.language != "en"]
    return {
        "crisis_recall": _rate([v.crisis for r, v in pairs if r.labels]),
        "help_recall": _rate([v.help for r, v in pairs if r.labels]),
        "crisis_false_alarms": _rate([v.crisis for r, v in pairs if not r.labels]),
        "help_false_alarms": _rate([v.help for r, v in pairs if not r.labels]),
        "ordinary_crisis_rate": _rate([v.crisis for v in everyday]),
        "ordinary_help_rate": _rate([v.help for v in everyday]),
        "per_category": per_category,
        "per_language": per_language,
        "latency_ms_en": {"p50": _pct(en, 0.5), "p95": _pct(en, 0.95)} if en else None,
        "latency_ms_other": {"p50": _pct(other, 0.5), "p95": _pct(other, 0.95)} if other else None,
        # Most messages a bot reads are ordinary chat (English GoEmotions comments here).
        "latency_ms_ordinary": (
            {"p50": _pct(everyday_s, 0.5), "p95": _pct(everyday_s, 0.95)} if everyday_s else None
        ),
    }


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    """What the real core did with one dialogue turn (:func:`drive_dialogues`).

    ``turn``: 1-based position in the dialogue; ``crisis``: the reply was the crisis reply
    (the stored entry's tone is "crisis"); ``listed``: the reply lists helplines (a bullet
    line: the crisis reply, a check-in, a goodbye or help-seeking reply that carries the
    lines); ``tone``: the stored entry's tone (None when no entry was stored); ``state``: the
    conversation risk state after the turn (``TurnReport.risk_state``, None when not read).
    """

    turn: int
    row: Row
    crisis: bool
    listed: bool
    tone: str | None
    state: RiskState | None


async def drive_dialogues(
    dialogues: dict[str, list[Row]], risk: RiskScreen, country: str
) -> dict[str, list[TurnOutcome]]:
    """Each dialogue through a real core (its own user, a private console chat), as a person
    would write it, turn after turn; the core stores entries and the risk state in a
    temporary SQLite file (deleted on return). ``risk`` is not closed here. Returns, per
    dialogue id (in the input's order), one :class:`TurnOutcome` per turn."""
    outcomes: dict[str, list[TurnOutcome]] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_engine(url)
        emotions = EmotionService(load_text_estimator(None), None)
        core = Core(
            Repository(session_factory(engine)),
            emotions,
            CoreOptions(helpline_country=country),
            rng=random.Random(7),
            risk=risk,
        )
        try:
            for number, (dialogue_id, turns) in enumerate(dialogues.items()):
                user = UserRef(Platform.CONSOLE, f"dialogue-{number}")
                done = outcomes.setdefault(dialogue_id, [])
                for index, row in enumerate(turns):
                    message = Message(user, f"chat-{number}", row.text, message_id=str(index))
                    answer = await core.handle_turn(message)
                    found = await core.repository.find_user(user)
                    latest = await core.repository.recent_entries(found.id, 1) if found else []
                    # The crisis reply is stored with the "crisis" tone; a check-in is an
                    # ordinary reply that lists helplines.
                    tone = latest[0].tone if latest else None
                    listed = any(line.startswith("• ") for line in answer.reply.text.splitlines())
                    done.append(
                        TurnOutcome(
                            index + 1, row, tone == "crisis", listed, tone, answer.report.risk_state
                        )
                    )
        finally:
            emotions.close()
            await core.writes.flush(timeout_s=5.0)
            await engine.dispose()
    return outcomes


def summarise_dialogues(outcomes: dict[str, list[TurnOutcome]]) -> dict[str, object]:
    """The dialogue figures: a risk turn counts as helped when a crisis reply or a reply that
    lists helplines came at that turn or earlier in its dialogue (``help_by_turn``; crisis
    reply only: ``crisis_by_turn``); a benign dialogue (id starting "b-") counts when one came
    at all. Rates are fractions rounded to 3 places, None for an empty group."""
    helped_turns: list[bool] = []
    crisis_turns: list[bool] = []
    benign_help: list[bool] = []
    benign_crisis: list[bool] = []
    for dialogue_id, turns in outcomes.items():
        helped = crisis = False
        for outcome in turns:
            crisis = crisis or outcome.crisis
            helped = helped or crisis or outcome.listed
            if outcome.row.labels:
                helped_turns.append(helped)
                crisis_turns.append(crisis)
        if dialogue_id.startswith("b-"):
            benign_help.append(helped)
            benign_crisis.append(crisis)
    return {
        "risk_turns": len(helped_turns),
        "help_by_turn": _rate(helped_turns),
        "crisis_by_turn": _rate(crisis_turns),
        "benign_dialogues": len(benign_help),
        "benign_with_help": _rate(benign_help),
        "benign_with_crisis": _rate(benign_crisis),
    }


async def run_dialogues(
    dialogues: dict[str, list[Row]], risk: RiskScreen, country: str
) -> dict[str, object]:
    """Each dialogue through a real core (its own user), as a person would write it: the
    figures of :func:`summarise_dialogues`."""
    return summarise_dialogues(await drive_dialogues(dialogues, risk, country))


def _print(name: str, result: dict[str, object]) -> None:
    print(
        f"== {name}: crisis recall {result['crisis_recall']} (false alarms "
        f"{result['crisis_false_alarms']}); help recall {result['help_recall']} (false alarms "
        f"{result['help_false_alarms']}); ordinary chat: crisis {result['ordinary_crisis_rate']}"
        f", check-in or crisis {result['ordinary_help_rate']}"
    )
    for category, f in result["per_category"].items():  # type: ignore[attr-defined]
        print(
            f"   {category:18s} n={f['n']:<4} crisis={f['crisis']}  help={f['help']}"
            f"  right category={f['right_category']}"
        )
    for language, f in result["per_language"].items():  # type: ignore[attr-defined]
        print(
            f"   {language}: crisis {f['crisis_recall']} / false {f['crisis_false_alarms']};"
            f"  help {f['help_recall']} / false {f['help_false_alarms']}"
        )
    print(
        f"   latency ms: en {result['latency_ms_en']}  other {result['latency_ms_other']}"
        f"  ordinary chat {result['latency_ms_ordinary']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--heldout", type=Path, default=DATA / "risk_heldout.tsv")
    parser.add_argument("--dialogues", type=Path, default=DATA / "risk_heldout_dialogues.tsv")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--ordinary", type=int, default=1000, help="GoEmotions dev comments")
    parser.add_argument("--country", default="GB", help="helpline country for the dialogues")
    parser.add_argument(
        "--before",
        action="store_true",
        help="also run the USE classifier alone under the earlier policy (rules decide)",
    )
    args = parser.parse_args()
    rows = read_messages(args.heldout)
    dialogues = read_dialogues(args.dialogues) if args.dialogues.is_file() else {}
    ordinary = read_ordinary(ORDINARY, args.ordinary)
    loop = asyncio.new_event_loop()
    start = time.perf_counter()
    risk = RiskScreen(load_risk_classifier(args.model))
    load_s = round(time.perf_counter() - start, 2)
    screens: dict[str, Screen] = {"rules": rules_screen}
    before: RiskScreen | None = None
    if args.before:
        from responses.risk_model import load_risk_model

        before = RiskScreen(load_risk_model(args.model))
        screens["USE classifier alone (before)"] = model_screen(before, loop)
        screens["attune before (rules + USE check-ins)"] = product_screen(before, loop)
    if risk.has_classifier:
        screens["classifier, confident band"] = model_screen(risk, loop)
        screens["classifier, decisive band"] = model_screen(risk, loop, decisive=True)
        screens["attune (rules + classifier)"] = product_screen(risk, loop)
    out: dict[str, object] = {
        "n_messages": len(rows),
        "n_ordinary": len(ordinary),
        "classifier_load_s": load_s,
    }
    for name, run in screens.items():
        run("warm-up")  # first-use costs (pattern compilation, graph tracing) are not a message's
        result = evaluate(run, rows, ordinary)
        _print(name, result)
        out[name] = result
    if dialogues:
        figures = loop.run_until_complete(run_dialogues(dialogues, risk, args.country))
        print(f"== dialogues through the core: {figures}")
        out["dialogues"] = figures
    risk.close()
    if before is not None:
        before.close()
    loop.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
