"""Settings for `ctr-bot`, read once from the environment (and an optional .env) and checked.

``SETTINGS`` is the one definition of what can be set: ``ctr-bot --help``, ``.env.example``
and the README's table are checked against it, and ``from_env`` reads exactly those names
(tests/bot/test_settings_definition.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot import database_url
from core.config import EnvReader
from sheets.api import SheetsSettings

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///ctr-bot.sqlite3"
DEFAULT_PORT = 3000
DEFAULT_SHUTDOWN_TIMEOUT = 25.0
LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
LOG_FORMATS = {"TEXT", "JSON"}
BOT_TOKEN = "the app's Bot User OAuth Token"
APP_TOKEN = "an app-level token with connections:write"


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable: its name, default as written in .env, and what it does."""

    name: str
    default: str  # "" when unset by default
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SLACK_BOT_TOKEN", "", "the xoxb- Bot User OAuth Token (required)"),
    Setting("SLACK_APP_TOKEN", "", "an xapp- app-level token: when set, Socket Mode"),
    Setting("SLACK_SIGNING_SECRET", "", "verifies requests come from Slack (HTTP mode)"),
    Setting("SLACK_API_URL", DEFAULT_SLACK_API_URL, "Slack Web API base URL (proxies)"),
    Setting(
        "PORT", str(DEFAULT_PORT), "/slack/events (HTTP mode), /healthz, /metrics; 0: any free port"
    ),
    Setting("METRICS_PORT", "", "Socket Mode: port for /healthz and /metrics (default PORT)"),
    Setting("LOG_LEVEL", "INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    Setting("LOG_FORMAT", "TEXT", "TEXT, or JSON for one JSON object per line"),
    Setting("DATABASE_URL", DEFAULT_DATABASE_URL, "sqlite:///FILE or postgresql+psycopg://..."),
    Setting("CTR_ADMINS", "", "Slack user IDs who may manage watches, besides admins"),
    Setting("SYNC_INTERVAL", "15", "minutes within which an edited watched sheet is synced"),
    Setting("SUMMARY_MIN_IMPRESSIONS", "1000", "weekly campaigns below this aren't ranked"),
    Setting(
        "SHUTDOWN_TIMEOUT",
        f"{DEFAULT_SHUTDOWN_TIMEOUT:g}",
        "seconds to finish in-flight work after SIGTERM",
    ),
    Setting("GOOGLE_APPLICATION_CREDENTIALS", "", "service-account key file (weekly summaries)"),
    Setting("SHEETS_API_URL", "", "Google API base URL (default Google's; emulators)"),
    Setting("SHEETS_QUOTA_PER_MINUTE", "60", "Sheets reads, and as many writes, per minute"),
)
DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


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
    port: int = DEFAULT_PORT
    metrics_port: int | None = None
    log_level: str = "INFO"
    log_format: str = "TEXT"
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    ctr_admins: frozenset[str] = frozenset()
    sync_interval_minutes: float = 15.0
    summary_min_impressions: int = 1000
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    sheets: SheetsSettings = field(default_factory=lambda: SheetsSettings(None, None))

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def health_port(self) -> int:
        """Where /healthz and /metrics are served: PORT, or METRICS_PORT in Socket Mode."""
        return self.metrics_port if self.socket_mode and self.metrics_port else self.port

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
        database = read.text("DATABASE_URL") or DEFAULT_DATABASE_URL
        if (problem := database_url.problem(database)) is not None:
            read.problems.append(problem)
        metrics_port = read.number("METRICS_PORT", int, 0, 1, 65535)
        settings = cls(
            slack_bot_token=token,
            slack_signing_secret=secret,
            slack_app_token=app_token,
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            port=read.number("PORT", int, DEFAULT_PORT, 0, 65535),
            metrics_port=metrics_port or None,
            log_level=read.choice("LOG_LEVEL", LOG_LEVELS, DEFAULTS["LOG_LEVEL"]),
            log_format=read.choice("LOG_FORMAT", LOG_FORMATS, DEFAULTS["LOG_FORMAT"]),
            database_url=database,
            ctr_admins=frozenset(
                filter(None, (read.text("CTR_ADMINS") or "").replace(" ", ",").split(","))
            ),
            sync_interval_minutes=read.number(
                "SYNC_INTERVAL", float, float(DEFAULTS["SYNC_INTERVAL"]), 1, 1440
            ),
            summary_min_impressions=read.number(
                "SUMMARY_MIN_IMPRESSIONS", int, int(DEFAULTS["SUMMARY_MIN_IMPRESSIONS"]), 0, 10**12
            ),
            shutdown_timeout=read.number(
                "SHUTDOWN_TIMEOUT", float, DEFAULT_SHUTDOWN_TIMEOUT, 0, 3600
            ),
            sheets=SheetsSettings.read(read),
        )
        read.check("See `ctr-bot --help` and `ctr-bot docs slack`.")
        return settings


def settings_help() -> str:
    """Every setting with its default, for `ctr-bot --help` (from ``SETTINGS``)."""
    width = max(len(setting.name) for setting in SETTINGS)
    lines = [
        f"  {s.name:<{width}}  {s.meaning}" + (f" [default: {s.default}]" if s.default else "")
        for s in SETTINGS
    ]
    return "settings (environment variables, or a .env file here or above):\n" + "\n".join(lines)
