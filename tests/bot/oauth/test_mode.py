"""The mode is chosen by the settings and checked before anything starts: one workspace
(SLACK_BOT_TOKEN) or OAuth installs (SLACK_CLIENT_ID + SLACK_CLIENT_SECRET), never a mix.

The rule: from any combination of Slack settings, ``Settings.from_env`` either returns exactly
one mode, complete, or raises one ConfigError line that names each setting to add or remove.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.settings import BOT_SCOPES, Needs, Settings
from core.errors import ConfigError

ONE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
SECRET = "client-secret-XYZ"
OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": SECRET, "SLACK_SIGNING_SECRET": "s"}


def refusal(env: dict[str, str], needs: Needs = Needs.LISTEN) -> str:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env, needs=needs)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_bot_token_is_one_workspace_unchanged() -> None:
    settings = Settings.from_env(ONE)
    assert settings.oauth is None
    assert settings.slack_bot_token == "xoxb-1"


def test_client_credentials_are_oauth_installs_with_the_manifests_scopes() -> None:
    settings = Settings.from_env(OAUTH)
    assert settings.oauth is not None
    assert settings.oauth.scopes == BOT_SCOPES
    assert settings.slack_bot_token == ""
    assert SECRET not in repr(settings)  # secrets stay out of logs


def test_both_modes_are_refused_naming_what_to_remove() -> None:
    message = refusal(ONE | OAUTH)
    assert "remove SLACK_BOT_TOKEN" in message
    assert "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET" in message


@pytest.mark.parametrize("missing", ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"])
def test_half_the_credentials_names_the_other_half(missing: str) -> None:
    env = {k: v for k, v in OAUTH.items() if k != missing}
    assert f"Missing setting: {missing}" in refusal(env)


def test_oauth_is_served_over_http_not_socket_mode() -> None:
    assert "remove SLACK_APP_TOKEN" in refusal(OAUTH | {"SLACK_APP_TOKEN": "xapp-1"})


def test_admins_name_their_workspace_with_oauth_installs() -> None:
    assert "TEAM_ID:USER_ID" in refusal(OAUTH | {"CTR_ADMINS": "U1"})
    settings = Settings.from_env(OAUTH | {"CTR_ADMINS": "T1:U1, T2:U2"})
    assert settings.ctr_admins == {"T1:U1", "T2:U2"}


def test_summary_post_needs_a_bot_token() -> None:
    assert "summary --post posts with SLACK_BOT_TOKEN" in refusal(OAUTH, Needs.POST)


def test_scopes_without_commands_are_refused() -> None:
    assert "SLACK_SCOPES must include commands" in refusal(OAUTH | {"SLACK_SCOPES": "chat:write"})


NAMES = [
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
]
VALUES = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_CLIENT_ID": "1.2",
    "SLACK_CLIENT_SECRET": "c",
    "SLACK_SIGNING_SECRET": "s",
    "SLACK_APP_TOKEN": "xapp-1",
}


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(NAMES)), st.sampled_from(list(Needs)))
def test_any_combination_is_one_whole_mode_or_one_line_naming_settings(
    given_names: set[str], needs: Needs
) -> None:
    env = {name: VALUES[name] for name in given_names}
    try:
        result = Settings.from_env(env, needs=needs)
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message
        assert any(name in message for name in NAMES)
        return
    oauth = "SLACK_CLIENT_ID" in env or "SLACK_CLIENT_SECRET" in env
    assert (result.oauth is not None) == oauth
    if oauth:  # whole: both credentials, no bot token beside them
        assert {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"} <= given_names
        assert "SLACK_BOT_TOKEN" not in given_names
    elif needs is not Needs.NOTHING:
        assert result.slack_bot_token == "xoxb-1"
