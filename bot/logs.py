"""Logging for the application (libraries never configure logging themselves).

Message text and image bytes are logged only at DEBUG, and never by our code above it. Tokens
never appear: httpx (which logs request URLs, and Telegram puts the token in the URL) is held
at WARNING, and a filter masks any configured secret that slips into a record anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram.ext.Updater",
    "discord.gateway",
    "discord.http",
    "aiosqlite",
)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret of 8 characters or more replaced by "[redacted]"."""
    for secret in secrets:
        if len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return text


class RedactSecrets(logging.Filter):
    """Masks ``secrets`` (8 characters or more) in every record it sees.

    ``freeze=True`` also formats each record now, masked or not. PTB needs it: it logs the
    getFile result dict and then rewrites its ``file_path`` into the full download URL (token
    included), so a record formatted later (a test's caplog, a queued handler) would show the
    token.
    """

    def __init__(self, secrets: Iterable[str], *, freeze: bool = False) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 8]
        self._freeze = freeze

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        masked = redact(message, self._secrets)
        if masked != message or self._freeze:
            record.msg, record.args = masked, None
        return True


class WithholdReceivedData(logging.Filter):
    """Replaces the arguments of a library's "Received data was: %r" record (PTB logs a webhook
    body it could not parse in full, at CRITICAL) with a placeholder: that body is an update,
    and an update holds what someone wrote. The line itself, and its traceback, stay."""

    MARKER = "Received data was: %r"
    WITHHELD = "[not logged: it may hold what someone wrote]"

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and self.MARKER in record.msg and record.args:
            record.args = (self.WITHHELD,)
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
