"""Watched sheets to posted summaries through the real source (fake Google, fake Slack), as
ctr-bot composes them: hostile titles and dates that would once have stopped every channel."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.app import make_client
from bot.settings import Settings
from bot.store.records import NewWatch
from bot.weekly.delivery import Outcome
from bot.weekly.runtime import build_weekly
from core.schedule import Weekday
from tests.bot.weekly.conftest import Clock
from tests.fakes.google_api import FakeGoogle, Value
from tests.fakes.google_fixtures import KEY, campaign_sheet
from tests.fakes.slack_api import BOT_TOKEN, FakeSlack

OTHER = KEY[:-1] + "k"
WEEK = date(2026, 11, 16)
DUE = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)


def rows(extra: list[list[Value]]) -> list[list[Value]]:
    daily: list[list[Value]] = [
        [(WEEK + timedelta(days=d)).isoformat(), name, 10_000, 100 + d, 1.0]
        for d in range(7)
        for name in ("Search $5", "Social")
    ]
    return daily + extra


def test_a_hostile_title_and_impossible_dates_still_post_every_channel(
    env: dict[str, str], google: FakeGoogle, slack: FakeSlack, tmp_path: Path
) -> None:
    google.spreadsheets[KEY] = [
        campaign_sheet(
            rows(
                [
                    ["2062-11-17", "Search $5", 10_000, 900, 1.0],  # would have become "the week"
                    ["0001-01-20", "Social", 10, 1, 1.0],  # once an OverflowError
                ]
            ),
            title="Spend $ & #tags $",  # once matplotlib mathtext, raising
        )
    ]
    google.names[KEY] = "Spend $ & #tags $\n*2026* <!channel>"  # the spreadsheet's name
    google.spreadsheets[OTHER] = [campaign_sheet(rows([]), title="Plain")]
    settings = Settings.from_env(
        env
        | {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "unused-here",
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}",
        }
    )
    clock = Clock(DUE - timedelta(days=2))
    weekly = build_weekly(settings, make_client(settings), clock)
    assert weekly is not None
    watches = weekly.scheduler.watches
    for channel, key in (("C0", KEY), ("C1", OTHER)):
        watches.add_watch(
            NewWatch(
                team_id="T1",
                channel_id=channel,
                sheet_key=key,
                sheet_url=f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0",
                weekday=Weekday.MONDAY,
                at=time(9),
                timezone="UTC",
                created_by="U1",
            )
        )
    clock.now = DUE
    outcomes = weekly.scheduler.run_due()
    assert sorted(outcomes.values()) == [Outcome.POSTED, Outcome.POSTED]
    (hostile,) = slack.top_level("C0")
    header = hostile["blocks"][0]["text"]["text"]
    # Issue #17.9: the spreadsheet's name (not the tab's title and the key), in plain text
    # on one line, shown as written.
    assert "Weekly CTR · Spend $ & #tags $ *2026* <!channel> · " in header
    assert "16 Nov – 22 Nov 2026" in header
    shown = json.dumps(hostile["blocks"])
    assert "2 row(s) need attention" in shown
    assert "2062-11-17 is after today" in shown
    assert "0001-01-20 is before 2000" in shown
    assert len(slack.top_level("C1")) == 1
    assert {f["channel"] for f in slack.files} == {"C0", "C1"}
