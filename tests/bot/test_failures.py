"""The rule behind every operator-mistake line: an outside failure is explained by what it is.

No answer is never blamed on credentials; an answer of 5xx is a remote failure (exit 3); only an
answer that refuses us is the operator's to fix (exit 2); a DATABASE_URL is judged by its form
alone and its password is never shown. Properties over generated failures, plus examples.
"""

from __future__ import annotations

import socket
from urllib.error import URLError

import pytest
import requests
from google.auth.exceptions import RefreshError, TransportError
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from bot import database_url
from bot.failures import explain
from bot.settings import Settings
from core.errors import ConfigError, RemoteError
from core.shell import guarded
from sheets.failures import network_reason

SETTINGS = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})

NO_ANSWER = st.sampled_from(
    [
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        socket.gaierror(-2, "Name or service not known"),
        OSError(101, "Network is unreachable"),
    ]
)


def _chain(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@st.composite
def no_answer(draw: st.DrawFn) -> BaseException:
    """A network failure as each client library wraps it."""
    root = draw(NO_ANSWER)
    wrapper = draw(st.sampled_from(["requests", "google-auth", "urllib", "bare-requests"]))
    if wrapper == "urllib":
        return URLError(root)
    connection = requests.ConnectionError(root, request=requests.Request("GET", "http://h/x"))
    if wrapper == "google-auth":
        return _chain(TransportError(connection), connection)  # type: ignore[no-untyped-call]
    if wrapper == "bare-requests":
        return requests.ConnectionError(str(root))
    return connection


@settings(max_examples=60, deadline=None)
@given(no_answer())
def test_no_answer_is_remote_and_never_blames_credentials(error: BaseException) -> None:
    explained = explain(error, SETTINGS)
    assert isinstance(explained, RemoteError)
    text = explained.render("ctr-bot")
    assert explained.exit_code == 3
    assert "refused the" not in text
    assert "Can't reach" in text


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([500, 502, 503, 504]), st.text(max_size=30))
def test_a_sign_in_server_error_is_remote(status: int, detail: str) -> None:
    error = RefreshError(f"{status} {detail}", {"error": "server_error"}, retryable=True)  # type: ignore[no-untyped-call]
    explained = explain(error, SETTINGS)
    assert isinstance(explained, RemoteError)
    assert "nothing is wrong with the key" in explained.render("ctr-bot")


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_a_refusal_is_the_operators_with_the_whole_reason(description: str) -> None:
    error = RefreshError(  # type: ignore[no-untyped-call]
        "invalid_grant", {"error": "invalid_grant", "error_description": description}
    )
    explained = explain(error, SETTINGS)
    assert isinstance(explained, ConfigError)
    text = explained.render("ctr-bot")
    assert "refused the service-account key" in text
    assert " ".join(description.split()).strip("() '\"") in text  # never cut at 80 characters


def test_a_refusal_without_a_reason_says_so() -> None:
    refused = RefreshError("")  # type: ignore[no-untyped-call]
    text = explain(refused, SETTINGS).render("ctr-bot")  # type: ignore[union-attr]
    assert "refused the service-account key" in text
    assert "no reason given" in text


@pytest.mark.parametrize(
    ("driver_message", "kind", "says"),
    [
        (
            'connection to server at "127.0.0.1", port 5999 failed: Connection refused',
            RemoteError,
            "connection refused",
        ),
        ("connection timeout expired", RemoteError, "timed out"),
        ('could not translate host name "db" to address', RemoteError, "doesn't resolve"),
        ('password authentication failed for user "ctr"', ConfigError, "refused us"),
        ('database "nope" does not exist', ConfigError, "refused us"),
    ],
)
def test_database_failures_are_told_apart(
    driver_message: str, kind: type[Exception], says: str
) -> None:
    postgres = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "DATABASE_URL": "postgresql+psycopg://ctr:s3cret@127.0.0.1:5999/ctr",
        }
    )
    error = OperationalError("SELECT 1", {}, Exception(driver_message))
    explained = explain(error, postgres)
    assert isinstance(explained, kind)
    text = explained.render("ctr-bot")
    assert says in text
    assert "s3cret" not in text


URL_PARTS = st.fixed_dictionaries(
    {
        "scheme": st.sampled_from(
            [
                "sqlite",
                "postgres",
                "postgresql",
                "postgresql+psycopg",
                "postgresql+psycopg2",
                "mysql",
                "mysql+pymysql",
                "oracle",
                "foo",
                "",
            ]
        ),
        "password": st.text(alphabet="abcXYZ123!$", min_size=4, max_size=12),
        "rest": st.sampled_from(["@127.0.0.1:5432/ctr", "@db/ctr", "@h", "/x.sqlite3"]),
    }
)


@settings(max_examples=150, deadline=None)
@given(URL_PARTS)
def test_database_url_grammar_accepts_only_the_named_forms(parts: dict[str, str]) -> None:
    text = f"{parts['scheme']}://ctr:{parts['password']}{parts['rest']}"
    problem = database_url.problem(text)
    with_password = parts["rest"].startswith("@")
    accepted = parts["scheme"] == "postgresql+psycopg" and parts["rest"].endswith("/ctr")
    assert (problem is None) == (accepted and with_password), (text, problem)
    if problem is not None:
        assert problem.startswith("DATABASE_URL ")
        if with_password:
            assert parts["password"] not in problem


@pytest.mark.parametrize(
    ("text", "fine"),
    [
        ("sqlite:///state.sqlite3", True),
        ("sqlite:////var/lib/ctr-bot/state.sqlite3", True),
        ("sqlite+pysqlite:///state.sqlite3", True),
        ("sqlite://", True),  # in memory: allowed, if pointless for a bot
        ("sqlite://host/state.sqlite3", False),
        ("sqlite+aiosqlite:///state.sqlite3", False),
    ],
)
def test_sqlite_forms(text: str, fine: bool) -> None:
    assert (database_url.problem(text) is None) == fine


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gets_an_answer_not_an_exception(text: str) -> None:
    problem = database_url.problem(text)
    assert problem is None or problem.startswith("DATABASE_URL ")


def test_an_unknown_failure_is_still_a_bug(capsys: pytest.CaptureFixture[str]) -> None:
    def body() -> int:
        raise ZeroDivisionError

    assert guarded("ctr-bot", body, lambda error: explain(error, SETTINGS)) == 70
    assert "internal error (ZeroDivisionError)" in capsys.readouterr().err


def test_network_reasons_read_the_innermost_cause() -> None:
    wrapped = requests.ConnectionError(
        "HTTPSConnectionPool(host='oauth2.googleapis.com'): Max retries exceeded "
        "(Caused by NameResolutionError: Failed to resolve 'oauth2.googleapis.com')"
    )
    assert network_reason(wrapped) == "its name doesn't resolve (no DNS, no network?)"
