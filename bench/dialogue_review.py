"""Review the crisis screen across turns: which turn of which dialogue got help, and why.

Run ``python -m bench.dialogue_review [--dialogues FILE] [--country GB] [--only ID ...]``.

Reads dialogues (``dialogue_id<TAB>turn<TAB>labels<TAB>language<TAB>text``, ids starting
"b-" are benign; default ``bench/data/dev_dialogues.tsv``, the DEV set, never a test split)
and drives each through a real core (``bench.safety_bench.drive_dialogues``: a temporary
SQLite database, the text emotion model, the real ``bot.risk.RiskScreen`` with the committed
classifier). For every turn that got the crisis reply or a reply that lists helplines (a
check-in, a goodbye that carries the lines) it prints the turn, its labels, the stored reply's
tone and why, read again from the turn alone:

* ``rules``: the categories ``responses.safety.screen`` flags in the words;
* ``model``: the classifier's band (``decisive``/``confident``/``watch`` and categories);
* ``context``: the ``[[context]]`` signals of ``crisis_patterns.toml`` in the turn and the
  risk state's pending note (``means_after_distress``, ``join_deceased``, ``retraction``) —
  a crisis reply neither the rules nor a decisive classifier explain came from the state.

Then it prints, per dialogue, the risk turns not helped (at that turn or before), and the
totals of ``bench.safety_bench.summarise_dialogues`` plus the lists of benign dialogues with
a crisis reply or lines. The last line is JSON. Takes a minute or two (model loading).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from bench.safety_bench import (
    TurnOutcome,
    drive_dialogues,
    read_dialogues,
    summarise_dialogues,
)
from bot.risk import RiskScreen, load_risk_classifier
from responses import safety
from responses.risk_state import says_goodbye
from responses.safety_rules import context_signals

DEV = Path(__file__).resolve().parent / "data" / "dev_dialogues.tsv"


@dataclass(frozen=True, slots=True)
class Why:
    """What one turn reads as on its own: ``rules`` the categories the rules flag, ``model``
    the classifier's band ("decisive", "confident", "watch" or "none") with ``model_categories``
    its categories in that band, ``signals`` the context signals, ``note`` the risk state's
    pending note after the turn (None when none)."""

    rules: tuple[str, ...]
    model: str
    model_categories: tuple[str, ...]
    signals: tuple[str, ...]
    note: str | None

    def describe(self) -> str:
        """One line: "rules=a,b model=watch(c) context=loss,means note=...", parts present."""
        parts = []
        if self.rules:
            parts.append("rules=" + ",".join(self.rules))
        if self.model != "none":
            parts.append(f"model={self.model}(" + ",".join(self.model_categories) + ")")
        if self.signals:
            parts.append("context=" + ",".join(self.signals))
        if self.note:
            parts.append(f"note={self.note}")
        return " ".join(parts) or "(nothing in the turn alone: the state's earlier episode)"


async def why(risk: RiskScreen, outcome: TurnOutcome) -> Why:
    """Read ``outcome``'s text again, alone: rules, classifier band, context signals."""
    text = outcome.row.text
    rules = tuple(sorted(safety.screen(text).categories))
    prediction = await risk.predict(text)
    band, categories = "none", frozenset[str]()
    if prediction is not None and prediction.flagged:
        band = "decisive" if prediction.decisive else "confident"
        categories = frozenset(prediction.flagged)
    elif prediction is not None and prediction.watch:
        band, categories = "watch", frozenset(prediction.watch)
    note = outcome.state.ask_directly if outcome.state is not None else None
    signals = set(context_signals(text))
    if "signoff" not in signals and says_goodbye(text):
        signals.add("signoff")  # a goodbye in one clause ("top, doei!")
    return Why(rules, band, tuple(sorted(categories)), tuple(sorted(signals)), note)


async def review(
    dialogues_path: Path, country: str, only: set[str] | None = None
) -> dict[str, object]:
    """Drive the dialogues of ``dialogues_path`` (those in ``only`` when given), print the
    per-turn review, and return the figures (``summarise_dialogues`` plus the ids of benign
    dialogues with a crisis reply / with lines, and of risk dialogues with a turn not helped)."""
    dialogues = read_dialogues(dialogues_path)
    if only:
        dialogues = {k: v for k, v in dialogues.items() if k in only}
    risk = RiskScreen(load_risk_classifier(None))
    try:
        outcomes = await drive_dialogues(dialogues, risk, country)
        benign_crisis: list[str] = []
        benign_help: list[str] = []
        missed: list[str] = []
        for dialogue_id, turns in outcomes.items():
            benign = dialogue_id.startswith("b-")
            lines: list[str] = []
            helped = False
            for outcome in turns:
                got = outcome.crisis or outcome.listed
                helped = helped or got
                labels = ",".join(sorted(outcome.row.labels)) or "none"
                if got:
                    kind = "CRISIS" if outcome.crisis else "lines"
                    reason = (await why(risk, outcome)).describe()
                    lines.append(
                        f"   t{outcome.turn} [{labels}] {kind} tone={outcome.tone}: {reason}"
                    )
                elif outcome.row.labels and not helped:
                    lines.append(f"   t{outcome.turn} [{labels}] NOT HELPED tone={outcome.tone}")
            if benign and any(o.crisis for o in turns):
                benign_crisis.append(dialogue_id)
            if benign and any(o.crisis or o.listed for o in turns):
                benign_help.append(dialogue_id)
            if any("NOT HELPED" in line for line in lines):
                missed.append(dialogue_id)
            if lines:
                print(f"{dialogue_id} ({turns[0].row.language}, {len(turns)} turns)")
                print("\n".join(lines))
    finally:
        risk.close()
    figures = summarise_dialogues(outcomes)
    print(
        f"== benign dialogues: {len(benign_crisis)}/{figures['benign_dialogues']} with a crisis "
        f"reply, {len(benign_help)} with lines; risk turns helped: {figures['help_by_turn']} of "
        f"{figures['risk_turns']} (crisis reply {figures['crisis_by_turn']})"
    )
    return {
        **figures,
        "benign_crisis_ids": benign_crisis,
        "benign_help_ids": benign_help,
        "risk_missed_ids": missed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--dialogues", type=Path, default=DEV)
    parser.add_argument("--country", default="GB", help="helpline country")
    parser.add_argument("--only", nargs="*", default=None, help="dialogue ids to run")
    args = parser.parse_args()
    only = set(args.only) if args.only else None
    result = asyncio.run(review(args.dialogues, args.country, only))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
