"""What attune says back: crisis safety, tone choice, the reply bank, /why and corrections.

A pure library: no asyncio, no settings, no platform code. It reads only its own data files
(``responses/data/*.toml``, editable without touching code) and imports nothing of ours except
the shared emotion types (``emotion.labels``, ``emotion.fusion``, ``emotion.photo``).

Order of use in the core: ``screen`` every text and caption first, ``combine`` it with the
learned classifier's prediction when one loaded, ``risk_state.advance`` it through the
conversation's risk state, and answer a flagged check with ``crisis_response``; otherwise
fuse, then ``compose`` (dialogue act, reading in context, tone, reflection, reply bank) with a
``ComposeInput``; ``explain`` answers /why;
``parse_correction`` / ``parse_feel_argument`` read the user's own word;
``reply_problems`` checks a reply written by the optional LLM writer.
"""

from responses.acts import Act, classify_act
from responses.bank import ChosenReply, ReplyContext, ReplySet, context_for, pick
from responses.compose import Composed, ComposeInput, Turn, compose
from responses.corrections import parse_correction, parse_feel_argument
from responses.explain import explain
from responses.safety import SafetyCheck, combine, crisis_reply, crisis_response, screen
from responses.tone import Tone, Trend, choose_tone, trend_of
from responses.writer_check import reply_problems

__all__ = [
    "Act",
    "ChosenReply",
    "ComposeInput",
    "Composed",
    "ReplyContext",
    "ReplySet",
    "SafetyCheck",
    "Tone",
    "Trend",
    "Turn",
    "choose_tone",
    "classify_act",
    "combine",
    "compose",
    "context_for",
    "crisis_reply",
    "crisis_response",
    "explain",
    "parse_correction",
    "parse_feel_argument",
    "pick",
    "reply_problems",
    "screen",
    "trend_of",
]
