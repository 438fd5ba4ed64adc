"""The one place ctr-bot turns the outside world's failures into one line and an exit code.

The rule: every exception that reaches an edge (a command's ``main``, start-up, a background
loop's log line) is either ours (a CtrError, which says what to do) or passes through
``explain``, which knows each outside party we talk to: the database, Slack, Google, the
port. What the person can fix (a setting, a login, a folder) is a ConfigError, exit 2; a
party that can't be reached or failed on its side is a RemoteError, exit 3. Only an exception
nobody here recognises is a bug (exit 70, "please report it").
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from urllib.error import HTTPError, URLError

import requests
from google.auth.exceptions import GoogleAuthError
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from bot.database_url import ACCEPTED, describe
from bot.settings import Settings
from bot.slackerrors import TOKEN_REFUSED
from core.errors import ConfigError, CtrError, RemoteError
from sheets.api import auth_failure, network_reason, unreachable

# What Slack answers for a token it doesn't accept: the one list, bot/slackerrors.py's.
REFUSED_TOKENS = TOKEN_REFUSED


def explain(  # noqa: PLR0911 - one return per outside party, in one place on purpose
    error: BaseException, settings: Settings | None
) -> CtrError | None:
    """The one-line CtrError for an outside party's failure, or None for a bug of ours."""
    for node in causes(error):
        if isinstance(node, CtrError):
            return node
        if isinstance(node, SQLAlchemyError):
            return database_failure(node, settings.database_url if settings else "")
        if isinstance(node, SlackApiError):
            return slack_answer(node)
        if isinstance(node, URLError | HTTPError):  # slack_sdk is our only urllib user
            return slack_unreachable(node, settings.slack_api_url if settings else "Slack")
        if isinstance(node, GoogleAuthError):
            key = settings.sheets.credentials if settings else None
            return auth_failure(node, key)
        if isinstance(node, requests.RequestException):  # gspread and google-auth use requests
            return unreachable(node)
    return None


def causes(error: BaseException) -> Iterator[BaseException]:
    """The error, then what caused it, innermost last (each once)."""
    seen: set[int] = set()
    node: BaseException | None = error
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        yield node
        node = node.__cause__ or node.__context__


def database_failure(error: SQLAlchemyError, url: str) -> CtrError:
    """The database is misnamed, unreachable, refusing us, or unusable where it is."""
    where = describe(url)
    if isinstance(error, NoSuchModuleError | ArgumentError):
        return ConfigError(f"DATABASE_URL {where} is not a database ctr-bot can use; {ACCEPTED}.")
    text = " ".join(str(getattr(error, "orig", None) or error).split())
    if isinstance(error, DBAPIError) and _backend(url) == "sqlite":
        return ConfigError(
            f"DATABASE_URL {where}: SQLite can't use that file ({text}); the folder must exist "
            "and be writable by this user."
        )
    refusals = ("password authentication failed", "does not exist", "no pg_hba.conf", "role ")
    if any(words in text for words in refusals):
        return ConfigError(
            f"The database at {where} refused us: {_first(text)}. Check DATABASE_URL."
        )
    return RemoteError(
        f"Can't reach the database at {where}: {_database_reason(text)}. Is the server running, "
        "and are DATABASE_URL's host and port right?"
    )


def slack_answer(error: SlackApiError) -> CtrError:
    """Slack answered but not with ok: a refused token, a refused request, or a failure."""
    status = error.response.status_code
    code = str(error.response.get("error"))
    if status >= 500:
        return RemoteError(f"Slack is failing ({status}); try again later.")
    if code in REFUSED_TOKENS:
        return ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token (xoxb-…) "
            "from the app's OAuth & Permissions page (`ctr-bot docs slack`)."
        )
    return ConfigError(f"Slack refused the request ({code}); `ctr-bot docs slack` explains it.")


def slack_unreachable(error: BaseException, api_url: str) -> RemoteError:
    return RemoteError(
        f"Can't reach Slack at {api_url}: {network_reason(error)}. Check the network, a proxy, "
        "or SLACK_API_URL."
    )


def port_failure(error: OSError, port: int, setting: str) -> CtrError:
    """Binding ``port`` failed: taken, or reserved for root."""
    if error.errno == errno.EADDRINUSE:
        return ConfigError(
            f"{setting}={port} is already in use by another program: stop it, or set {setting} "
            "to a free port."
        )
    if error.errno == errno.EACCES:
        return ConfigError(
            f"{setting}={port} needs privileges this user doesn't have (ports below 1024): "
            f"set {setting} to 1024 or above."
        )
    return ConfigError(f"Can't listen on {setting}={port}: {error.strerror or error}.")


def _backend(url: str) -> str:
    try:
        return make_url(url).drivername.partition("+")[0]
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return ""


def _database_reason(text: str) -> str:
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timeout" in lowered or "timed out" in lowered:
        return "timed out"
    if "translate host name" in lowered or "name or service" in lowered:
        return "its host name doesn't resolve"
    return _first(text)


def _first(text: str) -> str:
    """The driver's first sentence, without the SQL and background links SQLAlchemy appends."""
    head = text.split("(Background on this error", 1)[0].split("[SQL:", 1)[0]
    return head.strip().rstrip(".") or "no reason given"
