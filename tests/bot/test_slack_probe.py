"""/healthz's Slack part in HTTP mode: auth.test against the fake Slack, asked at most once
per interval however often /healthz is polled."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.slackprobe import Cached, slack_probe
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack, running_fake_slack


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


def settings_for(api_url: str) -> Settings:
    return Settings.from_env(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api_url}
    )


def test_slack_taking_the_token_is_healthy(slack: FakeSlack) -> None:
    assert slack_probe(settings_for(slack.api_url))() is None


def test_a_refused_token_is_the_reason(slack: FakeSlack) -> None:
    slack.token = "xoxb-revoked"  # the workspace removed the app, say
    reason = slack_probe(settings_for(slack.api_url))()
    assert reason is not None
    assert reason.startswith("Slack refused SLACK_BOT_TOKEN (invalid_auth)")


def test_slack_out_of_reach_is_the_reason() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"  # nobody listens
    reason = slack_probe(settings_for(url))()
    assert reason is not None
    assert reason.startswith(f"Can't reach Slack at {url}")


def test_polling_asks_slack_once_per_interval(slack: FakeSlack) -> None:
    probe = slack_probe(settings_for(slack.api_url))
    for _ in range(5):
        assert probe() is None
    assert [name for name, _ in slack.calls].count("auth.test") == 1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 100, allow_nan=False), max_size=40))
def test_cached_asks_exactly_when_the_last_answer_is_an_interval_old(
    advances: list[float],
) -> None:
    clock, asked = Clock(), list[float]()

    def check() -> str | None:
        asked.append(clock.now)
        return f"answer {len(asked)}"

    cached = Cached(check, 60.0, clock)
    last: float | None = None
    for advance in advances:
        clock.now += advance
        due = last is None or clock.now - last >= 60.0
        answer = cached()
        if due:
            last = clock.now
        assert asked[-1] == last  # asked just now when due, else not
        assert answer == f"answer {len(asked)}"  # the latest answer, never an older one
