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
DEFAULT_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
# The bot scopes an install asks for: manifest.yml's (tests/bot/test_manifest.py keeps them equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",
    "users:read",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
)
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
    Setting("SLACK_BOT_TOKEN", "", "the xoxb- Bot User OAuth Token (one workspace)"),
    Setting("SLACK_CLIENT_ID", "", "OAuth installs in any workspace: the app's Client ID"),
    Setting("SLACK_CLIENT_SECRET", "", "OAuth installs: the app's Client Secret"),
    Setting("SLACK_SCOPES", ",".join(BOT_SCOPES), "OAuth installs: bot scopes asked for"),
    Setting("SLACK_REDIRECT_URI", "", "OAuth installs: https://HOST/slack/oauth_redirect"),
    Setting("SLACK_AUTHORIZE_URL", DEFAULT_AUTHORIZE_URL, "OAuth: Slack's consent page (proxies)"),
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
    Setting("CTR_ADMINS", "", "user IDs who may manage watches, besides admins (OAuth: TEAM:USER)"),
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


TWO_MODES = (
    "SLACK_BOT_TOKEN (one workspace) and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET (OAuth installs "
    "in any workspace) are both set: remove SLACK_BOT_TOKEN to let workspaces install the app, "
    "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to serve the one workspace of the token."
)


@dataclass(frozen=True, slots=True)
class OAuthConfig:
    """ "Add to Slack": the app's credentials and what an install asks for."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = BOT_SCOPES
    redirect_uri: str | None = None
    authorize_url: str = DEFAULT_AUTHORIZE_URL


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
    oauth: OAuthConfig | None = None  # None: one workspace, SLACK_BOT_TOKEN's

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
        oauth = _oauth(read, needs)
        if oauth is not None or needs is Needs.NOTHING:
            token = read.optional("SLACK_BOT_TOKEN", BOT_TOKEN, prefix="xoxb-") or ""
        else:
            token = read.required("SLACK_BOT_TOKEN", BOT_TOKEN, prefix="xoxb-")
        if oauth is not None and token:
            read.problems.append(TWO_MODES)
        secret = read.text("SLACK_SIGNING_SECRET")
        app_token = read.optional("SLACK_APP_TOKEN", APP_TOKEN, prefix="xapp-")
        if oauth is not None and app_token is not None and needs is Needs.LISTEN:
            read.problems.append(
                "OAuth installs are served over HTTP (/slack/install, /slack/oauth_redirect "
                "and events): remove SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET."
            )
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
            ctr_admins=_admins(read, per_workspace=oauth is not None),
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
            oauth=oauth,
        )
        read.check("See `ctr-bot --help` and `ctr-bot docs slack`.")
        return settings


def _oauth(read: EnvReader, needs: Needs) -> OAuthConfig | None:
    """OAuth mode's settings, when SLACK_CLIENT_ID or SLACK_CLIENT_SECRET is set (every
    OAuth name is read either way, so each is checked)."""
    client_id = read.text("SLACK_CLIENT_ID")
    client_secret = read.text("SLACK_CLIENT_SECRET")
    scopes = tuple(
        filter(
            None, (read.text("SLACK_SCOPES") or ",".join(BOT_SCOPES)).replace(" ", "").split(",")
        )
    )
    redirect = read.url("SLACK_REDIRECT_URI", None)
    authorize = read.url("SLACK_AUTHORIZE_URL", DEFAULT_AUTHORIZE_URL) or DEFAULT_AUTHORIZE_URL
    if client_id is None and client_secret is None:
        return None
    if client_id is None:
        read.missing.append("SLACK_CLIENT_ID (the app's Client ID, for OAuth installs)")
    if client_secret is None:
        read.missing.append("SLACK_CLIENT_SECRET (the app's Client Secret, for OAuth installs)")
    if needs is Needs.POST:
        read.problems.append(
            "ctr-bot summary --post posts with SLACK_BOT_TOKEN (one workspace); with OAuth "
            "installs the running ctr-bot posts each workspace's summaries with its own token."
        )
    if "commands" not in scopes:
        read.problems.append("SLACK_SCOPES must include commands (for /ctr).")
    return OAuthConfig(client_id or "", client_secret or "", scopes, redirect, authorize)


def _admins(read: EnvReader, *, per_workspace: bool) -> frozenset[str]:
    """CTR_ADMINS: user IDs, or TEAM:USER pairs; OAuth installs need the pairs, so one
    workspace's admin list can never name someone of another."""
    entries = frozenset(filter(None, (read.text("CTR_ADMINS") or "").replace(" ", ",").split(",")))
    bare = sorted(entry for entry in entries if ":" not in entry)
    if per_workspace and bare:
        read.problems.append(
            "CTR_ADMINS must name each admin's workspace with OAuth installs, as "
            f"TEAM_ID:USER_ID (e.g. T0123:{bare[0][:20]})."
        )
    return entries


def settings_help() -> str:
    """Every setting with its default, for `ctr-bot --help` (from ``SETTINGS``)."""
    width = max(len(setting.name) for setting in SETTINGS)
    lines = [
        f"  {s.name:<{width}}  {s.meaning}" + (f" [default: {s.default}]" if s.default else "")
        for s in SETTINGS
    ]
    return "settings (environment variables, or a .env file here or above):\n" + "\n".join(lines)
