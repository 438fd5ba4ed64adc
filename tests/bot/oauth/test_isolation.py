"""No command in one workspace ever sees, lists or changes another workspace's watches.

The rule: every read and write a command makes is keyed by the workspace it came from, so a
watch, its listing number, its URL or its key mean nothing from another workspace, even in a
Slack Connect channel that both workspaces share (one channel id in both). Checked on examples
for each path (list, unwatch by number, URL and key, status) and on generated sequences of
commands from two workspaces: no reply names the other workspace's sheets and no command
changes the other workspace's watches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot.readable import readable
from bot.store.schema import deliveries, watches
from tests.bot.conftest import message_text
from tests.bot.oauth.conftest import OAuthBot, running_oauth_bot
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_fixtures import KEY, campaign_sheet

SHARED = "CSHARED"  # a Slack Connect channel: the same id in both workspaces
SHEETS = {"T1": [KEY[:-1] + "a", KEY[:-1] + "b"], "T2": [KEY[:-1] + "c", KEY[:-1] + "d"]}
OWN_CHANNEL = {"T1": "C1", "T2": "C2"}


def url(key: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"


@pytest.fixture
def two(tmp_path: Path, env: dict[str, str], google: FakeGoogle) -> Iterator[OAuthBot]:
    for keys in SHEETS.values():
        for key in keys:
            google.spreadsheets[key] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    with running_oauth_bot(tmp_path, env) as bot:
        for team in SHEETS:
            bot.install(team)
        yield bot


def reply_text(bot: OAuthBot, text: str, team: str, channel: str) -> str:
    """The reply as the person reads it (keys and URLs whole, as Slack shows them)."""
    ack, follow_up = bot.command(text, team=team, channel=channel)
    return readable(message_text(follow_up if follow_up is not None else ack))


def rows(bot: OAuthBot, team: str) -> set[tuple[Any, ...]]:
    """The team's watches as stored (straight from the table: what a command changed)."""
    query = select(
        watches.c.channel_id, watches.c.sheet_key, watches.c.weekday, watches.c.at_time
    ).where(watches.c.team_id == team)
    with bot.store_engine.connect() as db:
        return {tuple(row) for row in db.execute(query)}


def watch(bot: OAuthBot, team: str, key: str, channel: str = SHARED) -> None:
    assert "Watching" in reply_text(bot, f"watch {url(key)} weekly monday 09:00 UTC", team, channel)


def test_listing_a_shared_channel_shows_only_your_workspaces_watches(two: OAuthBot) -> None:
    watch(two, "T1", SHEETS["T1"][0])
    watch(two, "T2", SHEETS["T2"][0])
    mine = reply_text(two, "watching", "T1", SHARED)
    assert SHEETS["T1"][0] in mine
    assert SHEETS["T2"][0] not in mine


@pytest.mark.parametrize("how", ["number", "url", "key"])
def test_unwatch_can_never_reach_another_workspaces_watch(two: OAuthBot, how: str) -> None:
    theirs = SHEETS["T2"][0]
    watch(two, "T2", theirs)
    target = {"number": "1", "url": url(theirs), "key": theirs}[how]
    answer = reply_text(two, f"unwatch {target}", "T1", SHARED)
    assert "no such watch" in answer
    assert theirs not in answer
    assert len(rows(two, "T2")) == 1


def test_status_counts_and_names_only_your_workspaces_sheets(two: OAuthBot) -> None:
    watch(two, "T1", SHEETS["T1"][0], OWN_CHANNEL["T1"])
    watch(two, "T2", SHEETS["T2"][0], OWN_CHANNEL["T2"])
    watch(two, "T2", SHEETS["T2"][1])
    status = reply_text(two, "status", "T1", OWN_CHANNEL["T1"])
    assert "1 watched sheet(s) in 1 watch(es)" in status
    assert not any(key in status for key in SHEETS["T2"])
    assert OWN_CHANNEL["T2"] not in status


def test_the_same_sheet_and_channel_are_two_watches_in_two_workspaces(two: OAuthBot) -> None:
    """One workspace re-watching can't re-schedule (or take over) the other's watch."""
    key = SHEETS["T1"][0]
    watch(two, "T1", key)
    reply_text(two, f"watch {url(key)} weekly friday 17:00 UTC", "T2", SHARED)
    assert rows(two, "T1") == {(SHARED, key, 0, "09:00")}
    assert rows(two, "T2") == {(SHARED, key, 4, "17:00")}


TEAMS = st.sampled_from(sorted(SHEETS))


@st.composite
def command(draw: st.DrawFn) -> tuple[str, str, str]:
    """(team, channel, text): any workspace command, naming any workspace's sheets."""
    team = draw(TEAMS)
    channel = draw(st.sampled_from([SHARED, SHARED, SHARED, OWN_CHANNEL[team]]))
    key = draw(st.sampled_from([k for keys in SHEETS.values() for k in keys]))
    text = draw(
        st.sampled_from(
            [
                f"watch {url(key)} weekly monday 09:00 UTC",
                f"unwatch {url(key)}",
                f"unwatch {key}",
                "unwatch 1",
                "unwatch 2",
                "watching",
                "status",
            ]
        )
    )
    return team, channel, text


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(command(), min_size=2, max_size=8))
def test_no_command_sequence_crosses_workspaces(
    two: OAuthBot, steps: list[tuple[str, str, str]]
) -> None:
    with two.store_engine.begin() as db:  # each example starts from no watches
        db.execute(delete(deliveries))
        db.execute(delete(watches))
    for team, channel, text in steps:
        other = next(t for t in SHEETS if t != team)
        before = rows(two, other)
        # Theirs: sheets only the other workspace watches, which this command doesn't name.
        theirs = {row[1] for row in before} - {row[1] for row in rows(two, team)}
        answer = reply_text(two, text, team, channel)
        assert not any(key in answer for key in theirs if key not in text), answer
        assert rows(two, other) == before, (team, channel, text)
