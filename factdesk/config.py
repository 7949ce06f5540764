"""Every setting Factdesk reads, in one place.

Settings come from the environment or a `.env` file in the working directory. The bot token is a
`SecretStr` so that it never shows up in a repr, a log line or a traceback.
"""

from __future__ import annotations

import re
from datetime import time as dt_time
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.matching import DEFAULT_SAME_THRESHOLD, DEFAULT_SIMILAR_THRESHOLD

DEFAULT_API_URL = "https://api.telegram.org/bot"

#: BotFather's tokens: the bot's numeric id, a colon, then 35 letters, digits, - or _.
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")


def _web_url(value: str, *, https_only: bool = False) -> str:
    """The URL without a trailing slash, or a ValueError saying in a few words what is wrong."""
    schemes = ("https",) if https_only else ("http", "https")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("is not a valid URL") from None
    if parts.scheme.lower() not in schemes:
        raise ValueError(f"must start with {' or '.join(s + '://' for s in schemes)}")
    if not parts.hostname or any(ch.isspace() for ch in value) or port == 0:
        raise ValueError("has no valid host name")
    return value.rstrip("/")


class Settings(BaseSettings):
    """Factdesk's configuration; field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Bot token from BotFather (required to run the bot)."
    )
    telegram_api_url: str = Field(
        default=DEFAULT_API_URL,
        description="Bot API base URL in PTB's base_url form, for self-hosted Bot API servers.",
    )
    telegram_file_url: str | None = Field(
        default=None, description="Bot API file base URL; derived from TELEGRAM_API_URL if unset."
    )
    database_url: str = Field(
        default="sqlite:///factdesk.db", description="SQLAlchemy URL of the database."
    )
    factdesk_admins: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), description="Comma-separated Telegram user ids of the admins."
    )
    factdesk_max_claims: int = Field(default=15, ge=1, le=100)
    factdesk_same_threshold: float = Field(default=DEFAULT_SAME_THRESHOLD, ge=0, le=100)
    factdesk_similar_threshold: float = Field(default=DEFAULT_SIMILAR_THRESHOLD, ge=0, le=100)
    factdesk_max_article_chars: int = Field(default=200_000, ge=1_000)
    factdesk_allow_private_urls: bool = Field(
        default=False,
        description="Allow fetching links that resolve to private or loopback addresses.",
    )
    factdesk_fetch_timeout: float = Field(default=15.0, gt=0)
    factdesk_telegram_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a Bot API answer before retrying."
    )
    factdesk_log_level: str = Field(default="INFO")
    factdesk_rate_limit: bool = Field(
        default=True,
        description="Keep to Telegram's flood limits (PTB's AIORateLimiter); off only for a "
        "self-hosted Bot API server without limits, or to benchmark the bot itself.",
    )
    factdesk_poll_timeout: int = Field(
        default=10, ge=0, le=50, description="Long-poll timeout (s); also the longest stop wait."
    )
    factdesk_webhook_url: str | None = Field(
        default=None,
        description="Public HTTPS base URL for webhook mode (several replicas behind a proxy); "
        "unset: long polling.",
    )
    factdesk_webhook_listen: str = Field(
        default="127.0.0.1",
        description="Address the webhook server listens on; a reverse proxy sits in front.",
    )
    factdesk_webhook_port: int = Field(default=8080, ge=1, le=65535)
    factdesk_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret Telegram sends with every webhook request; generated when unset.",
    )

    @field_validator("factdesk_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -."""
        if value is None or not value.get_secret_value():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()):
            raise ValueError("must be 1-256 characters of letters, digits, _ and -")
        return value

    factdesk_org_name: str = Field(
        default="Factdesk", description="The desk's name: author of its ClaimReview exports."
    )
    factdesk_org_url: str = Field(
        default="https://example.org",
        description="The desk's website, used in ClaimReview exports and the HTML report.",
    )
    factdesk_lock_minutes: float = Field(
        default=15.0, gt=0, description="How long a claim handed out by /next stays locked."
    )
    factdesk_reviews_required: int = Field(
        default=1, ge=1, le=5, description="Independent verdicts a claim needs to be final."
    )
    factdesk_undo_minutes: float = Field(default=10.0, gt=0)
    factdesk_invite_hours: float = Field(default=24.0, gt=0)
    factdesk_digest_chat_id: int | None = Field(
        default=None, description="Team group that gets a daily digest of the queue."
    )
    factdesk_digest_time: dt_time | None = Field(
        default=None, description="UTC time of day of the digest, HH:MM."
    )
    factdesk_index_dir: Path | None = Field(
        default=None,
        description="Folder of the claim search index; default: beside the SQLite file "
        "(factdesk.db -> factdesk.index/); with PostgreSQL set one per replica (else in memory).",
    )
    factdesk_index_poll_ms: int = Field(
        default=0,
        ge=0,
        description="A lookup polls the verdict log for changes at most this often (0: before "
        "every lookup, about a millisecond, so a verdict committed before it is always seen).",
    )
    factdesk_embed_now_limit: int = Field(
        default=50_000,
        ge=0,
        description="factdesk import embeds up to this many claims before returning; "
        "more are embedded in the background (factdesk index fill, or the running bot).",
    )

    @property
    def index_dir(self) -> Path | None:
        """Where the claim index lives (None: in memory, for an in-memory database)."""
        if self.factdesk_index_dir is not None:
            return self.factdesk_index_dir
        return default_index_dir(self.database_url)

    @field_validator("factdesk_admins", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        """Accept "1, 2,3" as well as a list, and say which entry is not a user id."""
        if isinstance(value, int):
            return frozenset({value})
        if isinstance(value, str):
            ids: set[int] = set()
            for part in value.replace(";", ",").split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a numeric Telegram user id")
                ids.add(int(part))
            return frozenset(ids)
        return value

    @field_validator("telegram_api_url", "factdesk_org_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        return _web_url(value)

    @field_validator("telegram_file_url")
    @classmethod
    def _check_file_url(cls, value: str | None) -> str | None:
        return _web_url(value) if value else None

    @field_validator("factdesk_webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        """Telegram delivers webhooks over HTTPS only."""
        return _web_url(value, https_only=True) if value else None

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        """Parsed and its dialect looked up now, so a typo is a line here, not a traceback later."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL (e.g. sqlite:///factdesk.db or "
                "postgresql+psycopg://user:pass@host/db)"
            ) from None
        kinds = "use sqlite:///FILE or postgresql+psycopg://user:pass@host/db"
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(f"names a database kind Factdesk does not support ({kinds})")
        try:
            url.get_dialect().import_dbapi()
        except NoSuchModuleError:
            raise ValueError(
                f"names an unknown database driver {url.drivername!r} ({kinds})"
            ) from None
        except ImportError as error:
            raise ValueError(
                f"needs a database driver that is not installed ({error.name}; {kinds})"
            ) from None
        return value

    @property
    def file_url(self) -> str:
        """PTB's base_file_url: the same server, with /file before /bot."""
        if self.telegram_file_url:
            return self.telegram_file_url.rstrip("/")
        head, sep, tail = self.telegram_api_url.rpartition("/bot")
        return f"{head}/file/bot{tail}" if sep else f"{self.telegram_api_url}/file/bot"

    def require_token(self) -> str:
        """The token's value, for the one place that hands it to PTB; its shape checked first, so
        a mistyped token is a line here rather than a rejected request."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in the "
                "environment or in a .env file"
            )
        token = self.telegram_bot_token.get_secret_value().strip()
        if not TOKEN_SHAPE.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then at "
                "least 30 letters, digits, - or _): copy it again from @BotFather"
            )
        return token


def default_index_dir(database_url: str) -> Path | None:
    """Where the index lives unless configured: beside a SQLite file (``factdesk.db`` ->
    ``factdesk.index/``); in memory (None) for an in-memory SQLite or a server database."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix):
        path = database_url[len(prefix) :].split("?", 1)[0]
        if not path or path == ":memory:":
            return None
        return Path(path).with_suffix(".index")
    # A server database has no folder of its own: each replica names one (FACTDESK_INDEX_DIR),
    # else its index lives in memory and is rebuilt at every start.
    return None


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad setting by its environment variable."""
    parts = []
    for item in error.errors():
        name = ".".join(str(loc) for loc in item["loc"]).upper() or "settings"
        parts.append(f"{name}: {item['msg']}")
    return "invalid configuration: " + "; ".join(parts)


def load_settings() -> Settings:
    """Read the settings, turning pydantic's report into a ConfigError."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None
