"""Settings: the only reader of the environment.

Every setting is an ``ATTUNE_*`` environment variable (or a line in ``.env``); tokens are
``SecretStr`` so they never print. ``load_settings`` turns a validation error into one line
that names the bad variable, because a stack trace at start-up helps nobody.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/attune.db"


#: Database drivers that come with an extra of attune, by their module name.
DRIVER_EXTRAS = {"asyncpg": "postgres"}


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ATTUNE_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str = DEFAULT_DATABASE_URL
    telegram_token: SecretStr | None = None
    #: Bot API server: Telegram's own, or a self-hosted telegram-bot-api (or a test fake).
    telegram_api_url: str = "https://api.telegram.org"
    #: Public HTTPS URL Telegram posts updates to; unset means long polling.
    telegram_webhook_url: str | None = None
    #: Where the webhook server listens (behind your reverse proxy).
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, gt=0, lt=65536)
    #: Checked against Telegram's X-Telegram-Bot-Api-Secret-Token header; random if unset.
    telegram_webhook_secret: SecretStr | None = None
    #: ``python -m bot worker``: how long a worker's claim on a chat holds without renewal
    #: (s). A worker that dies leaves its chats to the others this long after its last renewal.
    worker_lease_s: float = Field(default=30.0, gt=0)
    #: How many chats one worker answers at once (each in order, on its own lane).
    worker_chats: int = Field(default=16, gt=0)
    #: How often an idle worker looks for waiting chats (s).
    worker_poll_s: float = Field(default=0.2, gt=0)
    #: Telegram messages per second this process sends at most, over all chats (Telegram
    #: allows about 30 for a bot): with several workers, give each its share (30 / workers).
    telegram_send_per_s: float = Field(default=28.0, gt=0)
    discord_token: SecretStr | None = None
    #: Sync Discord slash commands to this one server only (instant; for testing).
    discord_guild_id: int | None = Field(default=None, gt=0)
    #: Port of the local web demo (``make demo``); it binds to 127.0.0.1 only.
    web_port: int = Field(default=7860, gt=0, lt=65536)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    #: How fast the user's mood history fades as a prior for the next reading.
    history_half_life_hours: float = Field(default=72.0, gt=0)
    #: Longest a model may take for one message before the core answers without it.
    model_timeout_s: float = Field(default=10.0, gt=0)
    #: Longest a reply waits for a locked or failing database before it is sent anyway (the
    #: write is kept in memory and stored once the database takes it again).
    storage_wait_s: float = Field(default=3.0, gt=0)
    #: Image intake limits, checked before anything is decoded.
    max_image_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_image_pixels: int = Field(default=40_000_000, gt=0)
    #: Messages longer than this are read only up to here (and said so).
    max_text_chars: int = Field(default=4000, gt=0)
    #: ISO 3166 country code for helpline information; empty means international.
    helpline_country: str = ""
    #: Where charts and exports from the console are written.
    output_dir: Path = Path("./data/out")
    #: Folders holding the trained models; empty means the ones shipped in the package.
    text_model_dir: Path | None = None
    face_model_dir: Path | None = None
    #: The learned risk classifier beside the crisis rules (responses/data/risk_model when
    #: unset); if it cannot load, the rules screen alone.
    risk_model_dir: Path | None = None
    #: Optional LLM writer: an OpenAI-compatible server (Ollama, llama.cpp, vLLM). Unset means
    #: the offline reply bank alone answers; it is always the fallback.
    llm_url: str | None = None
    llm_model: str = "llama3.2"
    llm_api_key: SecretStr | None = None
    #: Longest wait for the writer before the bank answers (at most 3 s).
    llm_timeout_s: float = Field(default=3.0, gt=0, le=3.0)

    @field_validator("database_url")
    @classmethod
    def _async_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0]
        if "://" not in value or "+" not in scheme:
            raise ValueError(
                "needs an async SQLAlchemy URL such as sqlite+aiosqlite:///./data/attune.db "
                "or postgresql+asyncpg://user@host/db"
            )
        problem = _driver_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("llm_url")
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("needs an http(s) URL such as http://127.0.0.1:11434")
        return value.rstrip("/") if value else value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("needs an http(s) URL such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator(
        "telegram_token",
        "discord_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "llm_url",
        "llm_api_key",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def has_platform_tokens(self) -> bool:
        return self.telegram_token is not None or self.discord_token is not None


def _driver_problem(url: str) -> str | None:
    """Why SQLAlchemy could not open ``url`` for want of a dialect or driver, or None.

    Checked at start-up so a missing driver is one line naming what to install, not the
    traceback SQLAlchemy raises at the first connection. The URL itself is never quoted (it
    may hold a password).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        dialect = make_url(url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError):
        return "not a database URL SQLAlchemy knows (dialect+driver://...)"
    try:
        dialect.import_dbapi()
    except ImportError as error:
        module = (error.name or dialect.driver).split(".", 1)[0]
        extra = DRIVER_EXTRAS.get(module)
        how = (
            f"install attune's {extra} extra: pip install -c constraints.txt '.[{extra}]'"
            if extra
            else f"install the {module} package"
        )
        return f"the database driver {module} is not installed; {how}"
    return None


def load_settings(**overrides: object) -> Settings:
    """Read the settings, or raise ``SettingsError`` with one line naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = "ATTUNE_" + "_".join(str(part) for part in first["loc"]).upper()
        raise SettingsError(f"bad setting {name}: {first['msg']}") from None
