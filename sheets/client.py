"""The gspread client: service-account auth, retries, quota scheduling, configurable endpoints."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2.service_account import Credentials
from gspread.exceptions import APIError
from requests import PreparedRequest, RequestException, Response, Session
from requests.adapters import HTTPAdapter

from core.errors import ConfigError, CtrError, RemoteError
from sheets import metrics
from sheets.errors import (
    SheetAccessError,
    SheetsApiError,
    SheetsRequestRefused,
    SheetsServerError,
)
from sheets.failures import auth_failure, load_key, unreachable
from sheets.quota import QuotaScheduler, classify
from sheets.settings import GOOGLE_SHEETS_URL, SheetsSettings

# Drive's read-only metadata scope lets the sync ask which spreadsheets changed (changes.py).
SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
]
# Drive's API host (files.list for change detection).
GOOGLE_APIS_URL = "https://www.googleapis.com"
# google-auth's own side call (regional access boundary lookup) goes here.
GOOGLE_IAM_URL = "https://iamcredentials.googleapis.com"
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_TRIES = 5
MAX_DELAY = 32.0


class EndpointAdapter(HTTPAdapter):
    """Send Google's API hosts to a configured base URL (an emulator or proxy).

    A transport adapter is requests' public extension point; the URL is rewritten just before
    sending, so gspread and google-auth run unmodified.
    """

    def __init__(self, replacements: dict[str, str]) -> None:
        super().__init__()
        self.replacements = replacements

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        for prefix, target in self.replacements.items():
            if request.url and request.url.startswith(prefix):
                request.url = target + request.url[len(prefix) :]
        return super().send(request, *args, **kwargs)


class ResilientHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client plus quota scheduling and bounded exponential backoff with jitter.

    429 and 5xx are retried up to MAX_TRIES times, waiting Retry-After when Google sends it,
    otherwise 1, 2, 4… seconds (capped) times a random factor so replicas don't retry in step.
    """

    def __init__(
        self,
        auth: Credentials,
        session: Session,
        quota: QuotaScheduler,
        sleep: Callable[[float], None] = time.sleep,
        key: Path | None = None,
    ) -> None:
        super().__init__(auth, session=session)
        self.quota, self.sleep, self.key = quota, sleep, key
        self.calls = 0  # requests sent, retries included: shown by the CLI

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Response:
        api = "Drive" if "/drive/" in endpoint else "Sheets"
        try:
            response = self._request(method, endpoint, *args, **kwargs)
        except CtrError as error:
            if isinstance(error, RemoteError | ConfigError | SheetsServerError):
                metrics.GOOGLE.failed(api, error.render("google"))  # for /healthz
            raise
        metrics.GOOGLE.ok(api)
        return response

    def _request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> Response:
        for attempt in range(MAX_TRIES):
            self.quota.acquire(classify(method, endpoint))
            self.calls += 1
            metrics.API_CALLS.inc()
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except APIError as error:
                status = error.response.status_code
                if status not in RETRY_STATUSES or attempt == MAX_TRIES - 1:
                    raise _translated(error, method) from None
                metrics.RETRIES.inc()
                self.sleep(_delay(error.response, attempt))
            except GoogleAuthError as error:  # the token refresh: no answer, 5xx or refused
                raise auth_failure(error, self.key) from None
            except RequestException as error:  # no answer from the API itself
                raise unreachable(error) from None
        raise AssertionError("unreachable")  # pragma: no cover


def _delay(response: Response, attempt: int) -> float:
    header = response.headers.get("Retry-After", "")
    if header.isdigit():
        return min(float(header), MAX_DELAY)
    return min(2.0**attempt, MAX_DELAY) * random.uniform(0.5, 1.0)  # jitter, not crypto


def _translated(error: APIError, method: str) -> SheetsApiError:
    status = error.response.status_code
    message = str(error.error.get("message") or error.response.reason)
    if status in (403, 404):
        return SheetAccessError(f"Google Sheets refused access ({status}): {message}")
    if status in RETRY_STATUSES:
        return SheetsServerError(
            f"Google Sheets API {method} failed on Google's side after {MAX_TRIES} tries: "
            f"{status} {message}; nothing is wrong with the key or the sheet, try again later."
        )
    if status == 400:
        return SheetsRequestRefused(f"Google Sheets API {method} failed: {status} {message}")
    return SheetsApiError(f"Google Sheets API {method} failed: {status} {message}")


def make_client(
    settings: SheetsSettings,
    sleep: Callable[[float], None] = time.sleep,
    quota: QuotaScheduler | None = None,
) -> tuple[ResilientHTTPClient, str]:
    """(HTTP client, the service account's e-mail) from the key in the settings.

    ``quota`` defaults to buckets of SHEETS_QUOTA_PER_MINUTE reads and as many writes a
    minute, in this process, on the real clock. Its buckets are named after the key's account
    and project, so replicas sharing a ledger share that account's quota.
    """
    key = settings.require_credentials()
    credentials = load_key(key, SCOPES)
    session = AuthorizedSession(credentials, auth_request=Request(_session(settings)))  # type: ignore[no-untyped-call]
    session.mount("https://", _adapter(settings))
    if quota is None:
        quota = QuotaScheduler(per_user=settings.quota_per_minute)
    account = credentials.service_account_email
    quota.name_buckets(account, credentials.project_id or account.partition("@")[2])
    client = ResilientHTTPClient(credentials, session, quota, sleep, key)
    return client, account


def _session(settings: SheetsSettings) -> Session:
    """The session google-auth uses for its own calls (token refresh, boundary lookup)."""
    session = Session()
    session.mount("https://", _adapter(settings))
    return session


def _adapter(settings: SheetsSettings) -> HTTPAdapter:
    if settings.api_url is None:
        return HTTPAdapter()
    return EndpointAdapter(
        {
            GOOGLE_SHEETS_URL: settings.api_url,
            GOOGLE_IAM_URL: settings.api_url,
            GOOGLE_APIS_URL: settings.api_url,
        }
    )
