"""Settings for `ctr-bot`, read once from the environment (and an optional .env) and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from core.config import EnvReader
from sheets.settings import SheetsSettings

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///ctr-bot.sqlite3"
LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
LOG_FORMATS = {"TEXT", "JSON"}
BOT_TOKEN = "the app's Bot User OAuth Token"
APP_TOKEN = "an app-level token with connections:write"


class Needs(StrEnum):
    """What a command does with Slack, which decides the tokens it needs."""

    LISTEN = "listen"  # ctr-bot: the bot token and a signing secret or an app token
    POST = "post"  # ctr-bot summary --post: the bot token only
    NOTHING = "nothing"  # ctr-bot summary --dry-run: no Slack at all


@dataclass(frozen=True, slots=True)
class Settings:
    # Secrets stay out of repr: settings end up in logs and tracebacks.
    slack_bot_token: str = field(repr=False)
    slack_signing_secret: str | None = field(repr=False)
    slack_app_token: str | None = field(repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    log_level: str = "INFO"
    log_format: str = "TEXT"
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    ctr_admins: frozenset[str] = frozenset()
    sync_interval_minutes: float = 15.0
    summary_min_impressions: int = 1000
    sheets: SheetsSettings = field(default_factory=lambda: SheetsSettings(None, None))

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, needs: Needs = Needs.LISTEN) -> Settings:
        """Build and check; raises one ConfigError naming every problem at once."""
        read = EnvReader(env)
        if needs is Needs.NOTHING:
            token = read.optional("SLACK_BOT_TOKEN", BOT_TOKEN, prefix="xoxb-") or ""
        else:
            token = read.required("SLACK_BOT_TOKEN", BOT_TOKEN, prefix="xoxb-")
        secret = read.text("SLACK_SIGNING_SECRET")
        app_token = read.optional("SLACK_APP_TOKEN", APP_TOKEN, prefix="xapp-")
        if needs is Needs.LISTEN and app_token is None and secret is None:
            read.missing.append(
                "SLACK_SIGNING_SECRET (for HTTP mode) or SLACK_APP_TOKEN (xapp-, for Socket Mode)"
            )
        api_url = read.url("SLACK_API_URL", DEFAULT_SLACK_API_URL) or DEFAULT_SLACK_API_URL
        settings = cls(
            slack_bot_token=token,
            slack_signing_secret=secret,
            slack_app_token=app_token,
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            port=read.number("PORT", int, 3000, 1, 65535),
            log_level=read.choice("LOG_LEVEL", LOG_LEVELS, "INFO"),
            log_format=read.choice("LOG_FORMAT", LOG_FORMATS, "TEXT"),
            database_url=read.text("DATABASE_URL") or DEFAULT_DATABASE_URL,
            ctr_admins=frozenset(
                filter(None, (read.text("CTR_ADMINS") or "").replace(" ", ",").split(","))
            ),
            sync_interval_minutes=read.number("SYNC_INTERVAL", float, 15.0, 1, 1440),
            summary_min_impressions=read.number("SUMMARY_MIN_IMPRESSIONS", int, 1000, 0, 10**12),
            sheets=SheetsSettings.read(read),
        )
        read.check("See docs/slack.md.")
        return settings
