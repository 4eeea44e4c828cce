"""Checking a reply written by a language model before anyone sees it.

The optional LLM writer (bot/llm.py) may produce anything; this pure check decides whether its
reply may be sent. It refuses what attune itself never says (responses/data/replies.toml house
style): diagnoses, medication or dosage advice, links, long lectures, claims to be human, and
text that still looks like a prompt or markup. Anything refused is answered from the bank.
"""

from __future__ import annotations

import re

MAX_CHARS = 400
MAX_SENTENCES = 4

_CHECKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a link", re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|org|net|io|co)\b", re.IGNORECASE)),
    (
        "a diagnosis",
        re.compile(
            r"\b(?:diagnos\w*|disorder|you (?:have|suffer from|might have|may have|probably have)"
            r" (?:\w+ )?(?:depression|anxiety|adhd|ptsd|ocd|bipolar|autism|bpd|schizo\w*)|"
            r"(?:clinical|major) depression|bipolar|schizo\w*|borderline personality|"
            r"sounds like (?:\w+ )?(?:depression|an anxiety disorder|adhd|ptsd|ocd))\b",
            re.IGNORECASE,
        ),
    ),
    (
        "medication advice",
        re.compile(
            r"\b(?:\d+\s?mg|milligrams?|dosage|dose|medicat\w*|prescri\w*|pills?|tablets?|"
            r"antidepressants?|ssris?|sertraline|fluoxetine|prozac|xanax|valium|benzo\w*|"
            r"ibuprofen|paracetamol|melatonin|sleeping pills?|overdose|supplements?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "a claim to be human",
        re.compile(r"\b(?:i am|i'm) (?:a |an )?(?:human|real person|therapist|doctor)\b", re.I),
    ),
    (
        "prompt or markup",
        re.compile(r"```|<\|?/?\w+\|?>|^\s*(?:system|assistant|user):|\*\*|#{2,}", re.I | re.M),
    ),
    ("talk of self-harm methods", re.compile(r"\b(?:how to (?:kill|hurt)|lethal|method)\b", re.I)),
)


def reply_problems(text: str) -> list[str]:
    """Why ``text`` may not be sent (empty list: it may). Pure; never raises."""
    stripped = text.strip()
    if not stripped:
        return ["empty"]
    found = []
    if len(stripped) > MAX_CHARS:
        found.append("too long")
    if len(re.findall(r"[.!?]+(?:\s|$)", stripped)) > MAX_SENTENCES:
        found.append("too many sentences")
    found.extend(name for name, pattern in _CHECKS if pattern.search(stripped))
    return found
