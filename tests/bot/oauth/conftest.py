"""The bot in OAuth mode as ctr-bot composes it, behind waitress, against the fake Slack: a
browser (a requests session with its cookies) installs it through the real Bolt flow."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from bot.app import create_app, make_client
from bot.compose import open_store
from bot.oauth import INSTALL_PATH, REDIRECT_PATH, Installations, installations
from bot.server import wsgi_app
from bot.settings import Settings
from bot.store.records import Clock, utc_now
from bot.store.repository import Store
from bot.weekly.runtime import Weekly, build_weekly
from tests.bot.conftest import SIGNING_SECRET, signed
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import FakeSlack, running_fake_slack
from tests.fakes.slack_oauth import CLIENT_ID, CLIENT_SECRET, Installer


@dataclass
class OAuthBot:
    url: str
    slack: FakeSlack
    installs: Installations
    store: Store
    weekly: Weekly | None
    browser: requests.Session

    def __repr__(self) -> str:  # hypothesis prints the fixture with a failing example
        return f"OAuthBot({self.url})"

    @property
    def store_engine(self) -> Any:
        return self.installs.engine

    def install(self, team: str, browser: requests.Session | None = None, **how: Any) -> Any:
        """A person in ``team`` opens the install page, approves (or not) at Slack, and comes
        back: the redirect page's response."""
        browser = browser or self.browser
        self.slack.oauth.installer = Installer(team, team_name=f"Team {team}", **how)
        page = browser.get(self.url + INSTALL_PATH, timeout=10)
        assert page.status_code == 200, page.text
        localhost_is_secure(browser)
        (link,) = re.findall(r'href="([^"]*oauth/v2/authorize[^"]*)"', page.text)
        at_slack = browser.get(html.unescape(link), allow_redirects=False, timeout=10)
        assert at_slack.status_code == 302, at_slack.text
        back = at_slack.headers["Location"]
        assert back.startswith(self.url + REDIRECT_PATH)
        return browser.get(back, timeout=10)

    def command(
        self, text: str, team: str, *, user: str = "U_ADMIN", channel: str = "C1"
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """(the ack, the follow-up posted to response_url, if one came: watch commands)."""
        before = len(self.slack.responses)
        body = command_body(text, self.slack.response_url, team=team, user=user, channel=channel)
        ack = self.browser.post(
            self.url + "/slack/events", data=body.encode(), headers=signed(body)[1], timeout=10
        )
        assert ack.status_code == 200, ack.text
        answer: dict[str, Any] = ack.json() if ack.text else {}
        if "Checking" not in json.dumps(answer):
            return answer, None
        deadline = time.monotonic() + 15
        while len(self.slack.responses) == before and time.monotonic() < deadline:
            time.sleep(0.01)  # the lazy listener posts to response_url on its own thread
        assert len(self.slack.responses) > before, "no follow-up arrived"
        return answer, self.slack.responses[-1]

    def event(self, kind: str, team: str, **event: Any) -> requests.Response:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": team,
                "api_app_id": "A0CTR",
                "event": {"type": kind, **event},
                "event_id": f"Ev{time.monotonic_ns()}",
                "event_time": int(time.time()),
            }
        )
        headers = signed(body)[1] | {"Content-Type": "application/json"}
        return self.browser.post(
            self.url + "/slack/events", data=body.encode(), headers=headers, timeout=10
        )


def localhost_is_secure(browser: requests.Session) -> None:
    """Browsers send Secure cookies to http://localhost (a secure context); requests doesn't."""
    for cookie in browser.cookies:
        cookie.secure = False


def command_body(text: str, response_url: str, *, team: str, user: str, channel: str) -> str:
    return urlencode(
        {
            "team_id": team,
            "team_domain": team.lower(),
            "channel_id": channel,
            "channel_name": "marketing",
            "user_id": user,
            "user_name": "ada",
            "command": "/ctr",
            "text": text,
            "api_app_id": "A0CTR",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def oauth_settings(
    slack: FakeSlack, database: str, extra: dict[str, str] | None = None
) -> Settings:
    return Settings.from_env(
        (extra or {})
        | {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.api_url,
            "SLACK_AUTHORIZE_URL": slack.authorize_url,
            "DATABASE_URL": database,
        }
    )


@contextmanager
def running_oauth_bot(
    tmp_path: Path, extra: dict[str, str] | None = None, clock: Clock = utc_now
) -> Iterator[OAuthBot]:
    """ctr-bot in OAuth mode (with weekly summaries when ``extra`` configures Google)."""
    with running_fake_slack() as slack:
        slack.users.update(
            {
                "U_ADMIN": {"id": "U_ADMIN", "is_admin": True, "tz": "UTC"},
                "U_MEMBER": {"id": "U_MEMBER", "tz": "UTC"},
            }
        )
        settings = oauth_settings(slack, f"sqlite:///{tmp_path / 'state.sqlite3'}", extra)
        assert settings.oauth is not None
        engine = open_store(settings, clock).engine
        installs = installations(
            settings.oauth, engine, lambda token: make_client(settings, token), clock
        )
        store = Store(engine, clock)  # the one opened above, with the test's clock
        weekly = build_weekly(settings, installs, clock, store=store)
        app = create_app(
            settings,
            make_client(settings),
            weekly.commands if weekly else None,
            weekly.campaigns if weekly else None,
            installations=installs,
        )
        with running_waitress(wsgi_app(app), threads=8) as url, requests.Session() as browser:
            slack.oauth.redirect_uri = url + REDIRECT_PATH  # the app's configured Redirect URL
            yield OAuthBot(url, slack, installs, store, weekly, browser)


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[OAuthBot]:
    with running_oauth_bot(tmp_path) as running:
        yield running


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
