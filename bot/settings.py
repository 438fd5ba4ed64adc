"""Settings for `ctr-bot`, read once from the environment (and an optional .env) and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from core.errors import ConfigError
from sheets.settings import SheetsSettings

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///ctr-bot.sqlite3"
T = TypeVar("T", int, float)
LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


@dataclass(frozen=True, slots=True)
class Settings:
    slack_bot_token: str
    slack_signing_secret: str | None
    slack_app_token: str | None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    log_level: str = "INFO"
    database_url: str = DEFAULT_DATABASE_URL
    ctr_admins: frozenset[str] = frozenset()
    sync_interval_minutes: float = 15.0
    summary_min_impressions: int = 1000
    sheets: SheetsSettings = field(default_factory=lambda: SheetsSettings(None, None))

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, listening: bool = True) -> Settings:
        """Build and check; raises ConfigError naming every missing setting at once.

        ``listening=False`` is for posting only (`ctr-bot summary --post`): no signing
        secret or app token is needed to call the Web API.
        """

        def get(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        token, secret, app_token = (
            get("SLACK_BOT_TOKEN"),
            get("SLACK_SIGNING_SECRET"),
            get("SLACK_APP_TOKEN"),
        )
        missing = [] if token else ["SLACK_BOT_TOKEN (the app's xoxb- bot token)"]
        if listening and app_token is None and secret is None:
            missing.append(
                "SLACK_SIGNING_SECRET (for HTTP mode) or SLACK_APP_TOKEN (xapp-, for Socket Mode)"
            )
        if missing:
            raise ConfigError("Missing setting: " + "; ".join(missing) + ". See docs/slack.md.")
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-.")
        return cls(
            slack_bot_token=token or "",
            slack_signing_secret=secret,
            slack_app_token=app_token,
            slack_api_url=_url(get("SLACK_API_URL") or DEFAULT_SLACK_API_URL),
            port=_number(get("PORT") or "3000", "PORT", int, 1, 65535),
            log_level=_log_level(get("LOG_LEVEL") or "INFO"),
            database_url=database_url(env),
            ctr_admins=frozenset(
                filter(None, (get("CTR_ADMINS") or "").replace(" ", ",").split(","))
            ),
            sync_interval_minutes=_number(
                get("SYNC_INTERVAL") or "15", "SYNC_INTERVAL", float, 1, 1440
            ),
            summary_min_impressions=_number(
                get("SUMMARY_MIN_IMPRESSIONS") or "1000", "SUMMARY_MIN_IMPRESSIONS", int, 0, 10**12
            ),
            sheets=SheetsSettings.from_env(env),
        )


def database_url(env: Mapping[str, str]) -> str:
    """DATABASE_URL alone, for commands that need the store but not Slack's tokens."""
    return (env.get("DATABASE_URL") or "").strip() or DEFAULT_DATABASE_URL


def _url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL, not {value[:60]!r}.")
    return value if value.endswith("/") else value + "/"


def _number(value: str, name: str, kind: type[T], low: T, high: T) -> T:
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value[:20]!r}.") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}.")
    return number


def _log_level(value: str) -> str:
    if value.upper() not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(sorted(LOG_LEVELS))}.")
    return value.upper()
