"""Rotating tokens and a workspace leaving: the bot never uses a token Slack no longer takes,
and one workspace leaving touches no other."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import time

from bot.store.records import NewWatch, Watch
from bot.store.workspace_watches import UNINSTALLED
from core.schedule import Weekday
from tests.bot.oauth.conftest import OAuthBot


def token_of(bot: OAuthBot, team: str) -> str | None:
    found = bot.installs.store.find_bot(enterprise_id=None, team_id=team)
    return None if found is None else found.bot_token


def watch(bot: OAuthBot, team: str, channel: str) -> Watch:
    return bot.store.watches.add_watch(
        NewWatch(
            team_id=team,
            channel_id=channel,
            sheet_key=f"sheet-{team}",
            sheet_url=f"https://docs.google.com/spreadsheets/d/sheet-{team}/edit",
            weekday=Weekday.MONDAY,
            at=time(9),
            timezone="UTC",
            created_by="U_ADMIN",
        )
    )


def test_a_token_near_its_expiry_is_refreshed_before_the_command_uses_it(bot: OAuthBot) -> None:
    bot.slack.oauth.lifetime = 3600  # expires within the two hours Bolt refreshes ahead
    bot.install("T1")
    old = token_of(bot, "T1")
    bot.slack.oauth.lifetime = 43200
    bot.slack.oauth.offset = 3600  # and by Slack's clock it has expired: never usable again
    ack, _ = bot.command("200 50000", team="T1")
    assert "0.40%" in str(ack)
    new = token_of(bot, "T1")
    assert new not in (None, old)
    assert bot.slack.oauth.refreshes == 1
    assert all(token != old for method, token, _ in bot.slack.used_tokens if method != "auth.test")
    assert ("auth.test", new, "") in bot.slack.used_tokens


def test_commands_racing_an_expiring_token_refresh_it_once_and_all_answer(bot: OAuthBot) -> None:
    """Slack revokes a refresh token once used: two refreshes from one row would fail one."""
    bot.slack.oauth.lifetime = 3600
    bot.install("T1")
    bot.slack.oauth.lifetime = 43200
    with ThreadPoolExecutor(8) as pool:
        acks = list(pool.map(lambda _: bot.command("200 50000", team="T1")[0], range(8)))
    assert all("0.40%" in str(ack) for ack in acks)
    assert bot.slack.oauth.refreshes == 1


def test_uninstalling_one_workspace_pauses_its_watches_only_and_reinstalling_resumes(
    bot: OAuthBot,
) -> None:
    bot.install("T1")
    bot.install("T2")
    mine, theirs = watch(bot, "T1", "C1"), watch(bot, "T2", "C2")
    bot.slack.oauth.uninstall("T1")  # Slack revokes its tokens, then tells the app
    assert bot.event("app_uninstalled", "T1").status_code == 200
    assert token_of(bot, "T1") is None
    assert token_of(bot, "T2") is not None
    paused = {w.id: w.paused_reason for w in bot.store.watches.all()}
    assert paused == {mine.id: UNINSTALLED, theirs.id: None}
    ack, _ = bot.command("200 50000", team="T2")
    assert "0.40%" in str(ack)
    bot.install("T1")
    assert {w.id: w.paused_reason for w in bot.store.watches.all()} == {
        mine.id: None,
        theirs.id: None,
    }
    ack, _ = bot.command("200 50000", team="T1")
    assert "0.40%" in str(ack)


def test_a_revoked_bot_token_is_a_removal_a_revoked_user_token_is_not(bot: OAuthBot) -> None:
    bot.install("T1")
    mine = watch(bot, "T1", "C1")
    bot.event("tokens_revoked", "T1", tokens={"oauth": ["U_SOMEONE"], "bot": []})
    assert token_of(bot, "T1") is not None
    bot.event("tokens_revoked", "T1", tokens={"oauth": [], "bot": ["UBOT"]})
    assert token_of(bot, "T1") is None
    assert [w.paused_reason for w in bot.store.watches.all()] == [UNINSTALLED]
    assert mine.paused_reason is None


def test_a_watch_paused_for_its_own_trouble_stays_paused_after_a_reinstall(bot: OAuthBot) -> None:
    bot.install("T1")
    broken = watch(bot, "T1", "C1")
    bot.store.watches.pause_watch(broken.id, "The channel was archived.")
    bot.event("app_uninstalled", "T1")
    bot.install("T1")
    assert [w.paused_reason for w in bot.store.watches.all()] == ["The channel was archived."]
