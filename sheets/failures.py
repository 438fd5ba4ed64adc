"""Google's failures as one line each: a key we can't use, a network we can't cross, a refusal,
a server error. Each is a different message and exit code, so nobody fixes the wrong thing.

The rule: credentials are blamed only when Google *answered* and refused them. No answer
(no network, a refused connection, a timeout) is a RemoteError naming the host; an answer of
5xx (or a "try again" from the token endpoint) is a RemoteError naming the status.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.oauth2.service_account import Credentials

from core.errors import ConfigError, CtrError, RemoteError

KEY_HELP = (
    "create a JSON key under IAM & Admin → Service Accounts → Keys → Add key in the Google "
    "Cloud console (`ctr-bot docs sheets`)"
)
JSON_NAMES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
JSON_NAMES[type(None)] = "null"
# Fields google-auth needs from a service-account key (it raises a bare KeyError without them).
KEY_FIELDS = ("client_email", "private_key", "token_uri")


def load_key(path: Path, scopes: list[str]) -> Credentials:
    """The service-account credentials in ``path``; a ConfigError saying what it is instead."""
    info = read_key(path)
    try:
        credentials: Credentials = Credentials.from_service_account_info(info, scopes=scopes)  # type: ignore[no-untyped-call]
        return credentials
    except (ValueError, KeyError, TypeError) as error:  # a damaged private key, mostly
        raise ConfigError(
            f"GOOGLE_APPLICATION_CREDENTIALS: {path} is a service-account key Google's library "
            f"can't use ({type(error).__name__}: {_reason(error)}); {KEY_HELP}."
        ) from None


def read_key(path: Path) -> dict[str, Any]:
    """The key file as a JSON object with a service account's fields, or a ConfigError."""
    where = f"GOOGLE_APPLICATION_CREDENTIALS: {path}"
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file; {KEY_HELP}.") from None
    except IsADirectoryError:
        raise ConfigError(f"{where} is a folder, not a key file; {KEY_HELP}.") from None
    except OSError as error:
        raise ConfigError(f"{where} can't be read: {error.strerror or error}.") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where} is not JSON ({_reason(error)}); {KEY_HELP}.") from None
    if not isinstance(data, dict):
        shape = JSON_NAMES.get(type(data), type(data).__name__)
        raise ConfigError(
            f"{where} holds a JSON {shape}, not a service-account key (an object); {KEY_HELP}."
        )
    kind = data.get("type")
    if kind != "service_account":
        what = f'a "{kind}" key' if isinstance(kind, str) and kind else "a JSON file"
        hint = (
            " (gcloud's own login, from `gcloud auth application-default login`)"
            if kind == "authorized_user"
            else ""
        )
        raise ConfigError(f"{where} is {what}{hint}, not a service-account key; {KEY_HELP}.")
    missing = [name for name in KEY_FIELDS if not data.get(name)]
    if missing:
        raise ConfigError(
            f"{where} is a service-account key without {', '.join(missing)}: download it "
            f"again; {KEY_HELP}."
        )
    return data


def auth_failure(error: GoogleAuthError, key: Path | None) -> CtrError:
    """A failed token refresh: no answer, a server error, or a real refusal of the key."""
    if isinstance(error, TransportError):
        cause = error.__cause__ or (error.args[0] if error.args else None)
        if isinstance(cause, requests.RequestException):
            return unreachable(cause)
        return RemoteError(f"Can't reach Google's sign-in service: {_reason(error)}.")
    if isinstance(error, RefreshError) and error.retryable:
        return RemoteError(
            f"Google's sign-in service is failing ({_reason(error)}); nothing is wrong with "
            "the key: try again later."
        )
    which = f" {key}" if key else ""
    return ConfigError(
        f"Google refused the service-account key{which}: {_reason(error)}. The key may have "
        f"been deleted or its account disabled; {KEY_HELP}."
    )


def unreachable(error: requests.RequestException) -> RemoteError:
    """No answer from a Google host: which host, and why (name, refused, timed out)."""
    url = str(getattr(error.request, "url", None) or "")
    host = urlsplit(url).netloc or "Google"
    return RemoteError(
        f"Can't reach {host}: {network_reason(error)}. Check the network, a proxy, or "
        "SHEETS_API_URL; nothing is wrong with the key or the sheet."
    )


def server_error(status: int, detail: str, what: str) -> RemoteError:
    return RemoteError(f"{what} failed on Google's side ({status} {detail}); try again later.")


def network_reason(error: BaseException) -> str:  # noqa: PLR0911 - one return per reason
    """What went wrong on the way, in words: the innermost cause decides.

    >>> network_reason(ConnectionRefusedError(111, "Connection refused"))
    'connection refused'
    >>> network_reason(TimeoutError())
    'timed out'
    """
    seen: set[int] = set()
    node: BaseException | None = error
    texts: list[str] = []
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, ConnectionRefusedError):
            return "connection refused"
        if isinstance(node, TimeoutError | requests.Timeout):
            return "timed out"
        texts.append(str(node))
        node = node.__cause__ or node.__context__ or _inner(node)
    text = " ".join(texts)
    if "Name or service not known" in text or "NameResolution" in text or "resolve" in text:
        return "its name doesn't resolve (no DNS, no network?)"
    if "refused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    if "Network is unreachable" in text or "No route" in text:
        return "no route to it (no network?)"
    return "no connection"


def _inner(error: BaseException) -> BaseException | None:
    """urllib3 and requests keep the cause in args or .reason instead of __cause__."""
    for candidate in (getattr(error, "reason", None), *getattr(error, "args", ())):
        if isinstance(candidate, BaseException):
            return candidate
    return None


def _reason(error: BaseException) -> str:
    """The error's own words, whole (never cut mid-sentence), or what kind it was."""
    text = " ".join(str(error).split())
    if isinstance(error, RefreshError) and len(error.args) > 1 and isinstance(error.args[1], dict):
        data = error.args[1]
        text = ": ".join(str(data[k]) for k in ("error", "error_description") if data.get(k))
    return text.strip("() '\"") or f"{type(error).__name__}, no reason given"
