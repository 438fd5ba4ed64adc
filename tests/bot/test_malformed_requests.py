"""Strangers' bytes at /slack/events: 401 unless signed, 400 unless well formed, never a 500
or a traceback in the log (bot/gate.py). Real waitress, real Bolt, on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import SIGNING_SECRET, BotServer

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _post(bot: BotServer, body: bytes, headers: dict[str, str]) -> int:
    response = bot.session.post(bot.url + "/slack/events", data=body, headers=headers, timeout=10)
    return response.status_code


def _signed_bytes(body: bytes, content_type: str) -> dict[str, str]:
    """Slack's signature over the exact bytes sent (any bytes, not only UTF-8)."""
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"[]", JSON, 400),
        (b"null", JSON, 400),
        (b"{broken", JSON, 400),
        (b'"text"', JSON, 400),
        (urlencode({"payload": "{broken"}).encode(), FORM, 400),
        (urlencode({"payload": "[]"}).encode(), FORM, 400),
        (urlencode({"payload": "null"}).encode(), FORM, 400),
        (b"payload=%7B%7D&payload=%7B%7D", FORM, 400),
        (b"\xff\xfe not utf-8", FORM, 400),
        (b"[" * 100_000, JSON, 400),
    ],
)
def test_signed_but_malformed_is_400(
    bot: BotServer, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, status: int
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert _post(bot, body, _signed_bytes(body, content_type)) == status
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v0=00"},
    ],
)
@pytest.mark.parametrize("body", [b"[]", b"null", b"payload=%7Bbroken", b""])
def test_unsigned_is_401_before_anything_is_parsed(
    bot: BotServer, caplog: pytest.LogCaptureFixture, headers: dict[str, str], body: bytes
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert _post(bot, body, {"Content-Type": JSON} | headers) == 401
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_bad_content_length_is_not_a_500(bot: BotServer) -> None:
    status = _post(bot, b"{}", {"Content-Type": JSON, "Content-Length": "2"})
    assert status == 401


def test_a_huge_body_is_refused_unread(bot: BotServer) -> None:
    assert _post(bot, b"x" * (2 << 20), {"Content-Type": FORM}) in (401, 413)


def test_a_good_command_still_answers(bot: BotServer) -> None:
    response = bot.command("200 50000")
    assert response.status_code == 200
    assert "0.40%" in json.dumps(response.json())


BODIES = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda v: json.dumps(v).encode(),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=8), inner, max_size=3)
            ),
            max_leaves=8,
        ),
    ),
    st.builds(
        lambda v: urlencode({"payload": v}).encode(),
        st.text(max_size=40)
        | st.builds(
            json.dumps,
            st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers(), max_size=3),
        ),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(BODIES, st.sampled_from([JSON, FORM, "text/plain", ""]), st.booleans())
def test_no_body_makes_a_500_or_an_error_log(
    bot: BotServer, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, sign: bool
) -> None:
    headers = _signed_bytes(body, content_type) if sign else {"Content-Type": content_type}
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        status = _post(bot, body, headers)
    assert status in ((200, 400, 404) if sign else (401,)), (body, content_type)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
