"""Two workspaces install through the real Bolt flow, each watches its sheet with /ctr watch,
and each summary goes out with its own workspace's token, into its own channel.

Done-when of #20: tokens refresh on expiry without a lost summary; uninstalling one leaves the
other running; a workspace's commands see and change only its own watches.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from bot.weekly.delivery import Outcome
from tests.bot.conftest import message_text
from tests.bot.oauth.conftest import MovableClock, OAuthBot, running_oauth_bot
from tests.fakes.google_api import FakeGoogle, Value
from tests.fakes.google_fixtures import KEY, campaign_sheet

OTHER = KEY[:-1] + "k"
SHEETS = {"T1": KEY, "T2": OTHER}
CHANNELS = {"T1": "CA", "T2": "CB"}
WEEK = date(2026, 11, 16)
DUE = datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC)


def url(team: str) -> str:
    return f"https://docs.google.com/spreadsheets/d/{SHEETS[team]}/edit#gid=0"


def rows() -> list[list[Value]]:
    return [
        [(WEEK + timedelta(days=d)).isoformat(), name, 10_000, 100 + d, 1.0]
        for d in range(7)
        for name in ("Search", "Social")
    ]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(DUE - timedelta(days=2))


@pytest.fixture
def two(
    tmp_path: Path, env: dict[str, str], google: FakeGoogle, clock: MovableClock
) -> Iterator[OAuthBot]:
    for key in SHEETS.values():
        google.spreadsheets[key] = [campaign_sheet(rows())]
    with running_oauth_bot(tmp_path, env, clock) as bot:
        # Tokens that expire within the two hours the bot refreshes ahead: by the bot's own
        # clock (the rotator reads real time) they are due for a refresh at the next use.
        bot.slack.oauth.lifetime = 3600
        bot.slack.oauth.channel_teams.update({channel: team for team, channel in CHANNELS.items()})
        for team in SHEETS:
            assert "CTR is installed" in bot.install(team).text
            _, reply = bot.command(
                f"watch {url(team)} weekly monday 09:00 UTC", team=team, channel=CHANNELS[team]
            )
            assert reply is not None
            assert "Watching" in str(reply), reply
        yield bot


def posts_by_token(bot: OAuthBot) -> dict[str, set[str]]:
    """channel -> the tokens its summaries were posted with."""
    found: dict[str, set[str]] = {}
    for method, token, channel in bot.slack.used_tokens:
        if method == "chat.postMessage":
            found.setdefault(channel, set()).add(token)
    return found


def posted_metric(team: str) -> float:
    labels = {"outcome": "posted", "team": team}
    return REGISTRY.get_sample_value("ctr_weekly_summaries_total", labels) or 0.0


def token_of(bot: OAuthBot, team: str) -> str:
    found = bot.installs.store.find_bot(enterprise_id=None, team_id=team)
    assert found is not None
    assert found.bot_token is not None
    return found.bot_token


def test_each_summary_goes_out_with_its_own_workspaces_token(
    two: OAuthBot, clock: MovableClock
) -> None:
    assert two.weekly is not None
    clock.now = DUE
    before = {team: posted_metric(team) for team in SHEETS}
    outcomes = two.weekly.scheduler.run_due()
    assert sorted(outcomes.values()) == [Outcome.POSTED, Outcome.POSTED]
    assert {team: posted_metric(team) - before[team] for team in SHEETS} == {"T1": 1, "T2": 1}
    assert posts_by_token(two) == {CHANNELS[team]: {token_of(two, team)} for team in SHEETS}
    for team in SHEETS:
        (summary,) = two.slack.top_level(CHANNELS[team])
        assert "Search" in message_text(summary)


def test_expired_tokens_are_refreshed_and_no_summary_is_lost(
    two: OAuthBot, clock: MovableClock
) -> None:
    assert two.weekly is not None
    before = {team: token_of(two, team) for team in SHEETS}
    used = len(two.slack.used_tokens)
    two.slack.oauth.lifetime = 43200
    two.slack.oauth.offset = 2 * 3600  # past the tokens' hour: Slack refuses them now
    two.slack.oauth.fail_refreshes = ["internal_error"]  # and the first refresh fails
    clock.now = DUE
    first = two.weekly.scheduler.run_due()
    assert list(first.values()) == [Outcome.POSTED]  # the other workspace went ahead
    second = two.weekly.scheduler.run_due()
    assert list(second.values()) == [Outcome.POSTED]  # the failed one, on the next pass
    for team in SHEETS:
        assert len(two.slack.top_level(CHANNELS[team])) == 1
        assert token_of(two, team) != before[team]
    assert posts_by_token(two) == {CHANNELS[team]: {token_of(two, team)} for team in SHEETS}
    assert not {token for _, token, _ in two.slack.used_tokens[used:]} & set(before.values())


def test_uninstalling_one_workspace_leaves_the_other_running(
    two: OAuthBot, clock: MovableClock
) -> None:
    assert two.weekly is not None
    two.slack.oauth.uninstall("T1")
    two.event("app_uninstalled", "T1")
    clock.now = DUE
    outcomes = two.weekly.scheduler.run_due()
    assert list(outcomes.values()) == [Outcome.POSTED]
    assert two.slack.top_level(CHANNELS["T1"]) == []
    assert len(two.slack.top_level(CHANNELS["T2"])) == 1
    assert "CTR is installed" in two.install("T1").text  # back: its watch resumes
    again = two.weekly.scheduler.run_due()
    assert list(again.values()) == [Outcome.POSTED]  # late, not lost
    assert posts_by_token(two)[CHANNELS["T1"]] == {token_of(two, "T1")}


def test_ctr_admins_count_in_their_own_workspace_only(
    tmp_path: Path, env: dict[str, str], google: FakeGoogle, clock: MovableClock
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet(rows())]
    with running_oauth_bot(tmp_path, env | {"CTR_ADMINS": "T1:U_MEMBER"}, clock) as bot:
        for team in SHEETS:
            bot.install(team)
        _, in_t1 = bot.command(f"watch {url('T1')}", team="T1", user="U_MEMBER")
        _, in_t2 = bot.command(f"watch {url('T1')}", team="T2", user="U_MEMBER")
    assert "Watching" in str(in_t1)
    assert "Only workspace admins" in str(in_t2)
