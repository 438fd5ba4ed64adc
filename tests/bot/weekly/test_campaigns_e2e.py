"""`/ctr … for <campaign>` and `/ctr trend <campaign>` end to end: the real server composed
like ctr-bot, the campaign's history read from a watched sheet on the fake Google, answers
and shares through the fake Slack."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.app import create_app, make_client
from bot.server import wsgi_app
from bot.settings import Settings
from bot.store.records import NewWatch
from bot.weekly.runtime import build_weekly
from core.schedule import Weekday
from tests.bot.conftest import SIGNING_SECRET, action_body, command_body, message_text, signed
from tests.bot.weekly.conftest import Clock
from tests.fakes.google_api import FakeGoogle, Value
from tests.fakes.google_fixtures import KEY, campaign_sheet
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack, running_fake_slack

URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
LAST_WEEK = date(2026, 11, 16)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday: last complete week 16 Nov
# Brand search: 12 weeks of steady ~4.5 % CTR, 10,000 impressions a day.
STEADY = [450, 455, 448, 452, 447, 453, 451, 449, 450, 454, 446, 452]


def rows() -> list[list[Value]]:
    out: list[list[Value]] = []
    for back, clicks in enumerate(reversed(STEADY)):
        monday = LAST_WEEK - timedelta(days=7 * back)
        for day in range(7):
            out.append(
                [(monday + timedelta(days=day)).isoformat(), "Brand search", 10_000, clicks, 1.0]
            )
    out.append(["2026-11-24", "Display $5", 20_000, 40, 1.0])  # this week only
    return out


class Bot:
    def __init__(self, url: str, slack: FakeSlack) -> None:
        self.url, self.slack = url, slack

    def post(self, body: str) -> dict[str, Any]:
        body, headers = signed(body)
        ack = requests.post(
            self.url + "/slack/events", data=body.encode(), headers=headers, timeout=10
        )
        assert ack.status_code == 200
        return ack.json() if ack.content else {}

    def wait_for_response(self, before: int) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while len(self.slack.responses) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.slack.responses) > before, "no follow-up arrived"
        return self.slack.responses[-1]

    def command(self, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
        before = len(self.slack.responses)
        ack = self.post(command_body(text, self.slack.response_url))
        return ack, self.wait_for_response(before)


@pytest.fixture
def bot(env: dict[str, str], google: FakeGoogle, tmp_path: Path) -> Iterator[Bot]:
    google.spreadsheets[KEY] = [campaign_sheet(rows(), title="Q4")]
    with running_fake_slack() as slack:
        settings = Settings.from_env(
            env
            | {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": slack.api_url,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}",
            }
        )
        client = make_client(settings)
        weekly = build_weekly(settings, client, Clock(NOW))
        assert weekly is not None
        weekly.scheduler.watches.add_watch(
            NewWatch(
                team_id="T1",
                channel_id="C1",
                sheet_key=KEY,
                sheet_url=URL,
                weekday=Weekday.MONDAY,
                at=clock_time(9),
                timezone="UTC",
                created_by="U1",
                sheet_name="Campaigns 2026",  # the spreadsheet's own name, saved at watch time
            )
        )
        app = create_app(settings, client, weekly.commands, weekly.campaigns)
        with running_waitress(wsgi_app(app)) as url:
            yield Bot(url, slack)


def test_a_figure_is_judged_against_the_campaigns_usual(bot: Bot) -> None:
    ack, reply = bot.command("300 10000 for brand  SEARCH")
    assert "Checking" in message_text(ack)
    text = message_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert "*Brand search* (Campaigns 2026)" in text
    assert "Usual CTR 4.50% (25,214 clicks / 560,000 impressions over its last 8 weeks)" in text
    assert "*▼ 3.00% is unusually low for it: usual range " in text
    assert "t test on 10 degrees of freedom" in text
    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == "300 10000 for brand  SEARCH"
    _, usual = bot.command("3150 70000 for Brand search")
    assert "is usual for it" in message_text(usual)


def test_sharing_the_answer_posts_it_for_the_channel(bot: Bot) -> None:
    before = len(bot.slack.responses)
    bot.post(action_body("300 10000 for Brand search", bot.slack.response_url))
    shared = bot.wait_for_response(before)
    assert shared["response_type"] == "in_channel"
    assert "unusually low for it" in message_text(shared)
    assert "Shared by <@U1>" in message_text(shared)


def test_trend_is_an_ephemeral_chart_with_a_share_button(bot: Bot) -> None:
    _, reply = bot.command("trend Brand search")
    assert reply["response_type"] == "ephemeral"
    (image,) = [b for b in reply["blocks"] if b["type"] == "image"]
    file_id = image["slack_file"]["id"]
    assert bot.slack.uploads[file_id][:8] == b"\x89PNG\r\n\x1a\n"
    assert bot.slack.top_level("C1") == []  # uploaded privately, not posted
    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == "trend Brand search"
    bot.post(action_body("trend Brand search", bot.slack.response_url))
    deadline = time.monotonic() + 20
    while not bot.slack.top_level("C1") and time.monotonic() < deadline:
        time.sleep(0.02)
    (posted,) = bot.slack.top_level("C1")
    assert "Shared by <@U1>" in posted["text"]
    assert "Weekly CTR of *Brand search*" in posted["text"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("300 10000 for Nope", "No campaign called 'Nope' in the sheets this channel watches."),
        ("trend <!channel>", "No campaign called '&lt;!channel&gt;'"),
    ],
)
def test_an_unknown_campaign_is_explained_with_the_names_it_has(
    bot: Bot, text: str, fragment: str
) -> None:
    _, reply = bot.command(text)
    body = message_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert fragment in body
    assert "It has: Brand search, Display $5." in body
    assert "<!channel>" not in json.dumps(reply)


def test_a_campaign_without_history_says_so(bot: Bot) -> None:
    _, reply = bot.command("40 20000 for Display $5")
    assert "Display $5 has no complete week in Campaigns 2026" in message_text(reply)


def test_bad_counts_are_answered_at_once_in_the_ack(bot: Bot) -> None:
    ack = bot.post(command_body("300 for Brand search", bot.slack.response_url))
    assert "I need two numbers" in message_text(ack)
    ack = bot.post(command_body("trend", bot.slack.response_url))
    assert "Give the campaign's name" in message_text(ack)


def test_a_channel_watching_nothing_is_told_how_to_start(bot: Bot) -> None:
    body = command_body("trend Brand search", bot.slack.response_url).replace(
        "channel_id=C1", "channel_id=C2"
    )
    before = len(bot.slack.responses)
    bot.post(body)
    reply = bot.wait_for_response(before)
    assert "This channel watches no sheets" in message_text(reply)
    assert reply["response_type"] == "ephemeral"


def test_sharing_a_chart_where_the_bot_is_not_a_member_says_how_to_fix_it(bot: Bot) -> None:
    bot.slack.channel_errors["C1"] = "not_in_channel"
    before = len(bot.slack.responses)
    bot.post(action_body("trend Brand search", bot.slack.response_url))
    reply = bot.wait_for_response(before)
    assert "`/invite @CTR`, then share again" in message_text(reply)
    assert bot.slack.top_level("C1") == []
