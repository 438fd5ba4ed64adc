"""Installing through the real Bolt flow: what each outcome stores and the page says.

The rule for the state: a redirect is honoured only with a state this bot issued, to this
browser (its cookie), unused and under ten minutes old; anything else installs nothing and
says to start again.
"""

from __future__ import annotations

import html
import re

import requests

from bot.app import create_app, make_client
from bot.oauth import REDIRECT_PATH
from bot.server import wsgi_app
from bot.settings import BOT_SCOPES
from tests.bot.conftest import settings_for
from tests.bot.oauth.conftest import OAuthBot, localhost_is_secure
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import running_fake_slack


def installed_teams(bot: OAuthBot) -> list[str | None]:
    found = [bot.installs.store.find_bot(enterprise_id=None, team_id=team) for team in ("T1", "T2")]
    return [i.team_id for i in found if i is not None]


def test_a_workspace_installs_and_its_page_says_so(bot: OAuthBot) -> None:
    page = bot.install("T1")
    assert page.status_code == 200
    assert "CTR is installed in Team T1" in page.text
    (asked,) = bot.slack.oauth.authorize_requests
    assert tuple(asked["scope"].split(",")) == BOT_SCOPES
    installation = bot.installs.store.find_installation(enterprise_id=None, team_id="T1")
    assert installation is not None
    assert installation.bot_token is not None
    assert installation.bot_token.startswith("xoxb-T1-")
    assert installation.bot_refresh_token is not None  # rotation on
    assert installation.bot_token_expires_at is not None


def test_a_command_runs_with_its_workspaces_token(bot: OAuthBot) -> None:
    bot.install("T1")
    ack, _ = bot.command("200 50000", team="T1")
    assert "0.40%" in str(ack)
    token = bot.installs.store.find_installation(enterprise_id=None, team_id="T1").bot_token  # type: ignore[union-attr]
    assert ("auth.test", token, "") in bot.slack.used_tokens


def test_a_workspace_that_never_installed_gets_no_answer_but_a_pointer(bot: OAuthBot) -> None:
    bot.install("T1")
    ack, _ = bot.command("200 50000", team="T9")
    assert ack == {}
    (told,) = bot.slack.responses  # Bolt's own words, to the person only
    assert "installation with this app is no longer available" in told["text"]


def test_cancelling_at_slack_installs_nothing(bot: OAuthBot) -> None:
    page = bot.install("T1", approve=False)
    assert "Installation cancelled" in page.text
    assert installed_teams(bot) == []
    assert bot.slack.posts("oauth.v2.access") == []


def test_a_forged_state_is_refused(bot: OAuthBot) -> None:
    """A state this bot never issued: with no cookie, or a cookie forged to match it."""
    forged = bot.url + REDIRECT_PATH + "?code=code-1&state=forged-state"
    with requests.Session() as stranger:
        no_cookie = stranger.get(forged, timeout=10)
        stranger.cookies.set("slack-app-oauth-state", "forged-state")
        matching_cookie = stranger.get(forged, timeout=10)
    assert no_cookie.status_code == 400
    assert "another browser" in no_cookie.text
    assert matching_cookie.status_code == 401
    assert "already used or has expired" in matching_cookie.text
    assert installed_teams(bot) == []
    assert bot.slack.posts("oauth.v2.access") == []  # no code was ever exchanged


def test_a_replayed_redirect_is_refused_and_exchanges_nothing(bot: OAuthBot) -> None:
    first = bot.install("T1")
    assert first.status_code == 200
    replay = first.url
    state = replay.split("state=")[1]
    bot.browser.cookies.set("slack-app-oauth-state", state)  # even with the original cookie
    again = bot.browser.get(replay, timeout=10)
    assert again.status_code == 401
    assert "already used" in again.text
    assert len(bot.slack.posts("oauth.v2.access")) == 1


def test_an_install_link_opened_in_another_browser_is_refused(bot: OAuthBot) -> None:
    with requests.Session() as other:
        page = bot.browser.get(bot.url + "/slack/install", timeout=10)
        assert page.status_code == 200
        localhost_is_secure(bot.browser)
        # The link is followed, and Slack's redirect opened, in a browser without the cookie.
        (link,) = re.findall(r'href="([^"]*oauth/v2/authorize[^"]*)"', page.text)
        at_slack = other.get(html.unescape(link), allow_redirects=False, timeout=10)
        back = other.get(at_slack.headers["Location"], timeout=10)
    assert back.status_code == 400
    assert installed_teams(bot) == []


def test_an_org_wide_grid_install_is_refused_with_the_reason(bot: OAuthBot) -> None:
    page = bot.install("T1", enterprise_id="E1", org_wide=True)
    assert "one workspace at a time" in page.text
    assert bot.installs.store.find_installation(enterprise_id="E1", team_id=None) is None


def test_a_workspace_of_a_grid_org_installs_for_itself(bot: OAuthBot) -> None:
    page = bot.install("T1", enterprise_id="E1")
    assert "CTR is installed" in page.text
    assert bot.installs.store.find_installation(enterprise_id="E1", team_id="T1") is not None


def test_the_install_pages_are_404_in_one_workspace_mode() -> None:
    with running_fake_slack() as slack:
        settings = settings_for(slack)
        app = create_app(settings, make_client(settings))
        with running_waitress(wsgi_app(app)) as url:
            assert requests.get(url + "/slack/install", timeout=10).status_code == 404
            assert requests.get(url + REDIRECT_PATH, timeout=10).status_code == 404
