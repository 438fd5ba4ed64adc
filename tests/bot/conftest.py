"""The real Bolt app behind the real waitress server on loopback, and signed requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk import WebClient

from bot.app import create_app, make_client
from bot.server import wsgi_app
from bot.settings import Settings
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack, running_fake_slack

SIGNING_SECRET = "test-signing-secret-not-real"


@pytest.fixture(autouse=True)
def no_slack_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from a clean environment, as bolt's own tests do."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class BotServer:
    url: str
    slack: FakeSlack
    session: requests.Session

    def post(self, body: str, headers: dict[str, str]) -> requests.Response:
        return self.session.post(
            self.url + "/slack/events", data=body.encode(), headers=headers, timeout=10
        )

    def command(self, text: str, **extra: Any) -> requests.Response:
        return self.post(*signed(command_body(text, self.slack.response_url), **extra))

    def action(self, value: str) -> requests.Response:
        return self.post(*signed(action_body(value, self.slack.response_url)))


def command_body(text: str, response_url: str, user: str = "U1") -> str:
    return urlencode(
        {
            "token": "legacy-unused",
            "team_id": "T1",
            "team_domain": "acme",
            "channel_id": "C1",
            "channel_name": "marketing",
            "user_id": user,
            "user_name": "ada",
            "command": "/ctr",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def action_body(value: str, response_url: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "container": {"type": "message", "is_ephemeral": True},
        "channel": {"id": "C1"},
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": "ctr_share_in_channel",
                "block_id": "b",
                "value": value,
                "action_ts": "1",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def signed(
    body: str, *, secret: str = SIGNING_SECRET, age: float = 0, retry: str | None = None
) -> tuple[str, dict[str, str]]:
    timestamp = str(int(time.time() - age))
    digest = hmac.new(
        secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
    return body, headers


def settings_for(slack: FakeSlack) -> Settings:
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
        }
    )


@pytest.fixture(scope="module")
def bot() -> Iterator[BotServer]:
    with running_fake_slack() as slack:
        settings = settings_for(slack)
        app = create_app(settings, make_client(settings))
        with running_waitress(wsgi_app(app), threads=8) as url, requests.Session() as session:
            yield BotServer(url, slack, session)


def message_text(message: dict[str, Any]) -> str:
    """Everything Slack would render of a message (every "text" string), for assertions."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message)
    return "\n".join(found)


@pytest.fixture
def client(bot: BotServer) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
