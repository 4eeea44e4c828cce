"""What attune says back: crisis safety, tone choice, the reply bank, /why and corrections.

A pure library: no asyncio, no settings, no platform code. It reads only its own data files
(``responses/data/*.toml``, editable without touching code) and imports nothing of ours except
the shared emotion types (``emotion.labels``, ``emotion.fusion``, ``emotion.photo``).

Order of use in the core: ``screen`` every text and caption first, ``combine`` it with the
learned classifier's prediction when one loaded, ``risk_state.advance`` it through the
conversation's risk state, and answer a flagged check with ``crisis_response``; otherwise
fuse, ``choose_tone``, ``pick`` a reply with ``context_for``; ``explain``
answers /why; ``parse_correction`` / ``parse_feel_argument`` read the user's own word.
"""

from responses.bank import ChosenReply, ReplyContext, ReplySet, context_for, pick
from responses.corrections import parse_correction, parse_feel_argument
from responses.explain import explain
from responses.safety import SafetyCheck, combine, crisis_reply, crisis_response, screen
from responses.tone import Tone, Trend, choose_tone, trend_of

__all__ = [
    "ChosenReply",
    "ReplyContext",
    "ReplySet",
    "SafetyCheck",
    "Tone",
    "Trend",
    "choose_tone",
    "combine",
    "context_for",
    "crisis_reply",
    "crisis_response",
    "explain",
    "parse_correction",
    "parse_feel_argument",
    "pick",
    "screen",
    "trend_of",
]
