"""OAuth mode: "Add to Slack" with Bolt's OAuthSettings, installations and states in our database.

slack_sdk's SQLAlchemy installation and state stores keep their rows in the bot's own
DATABASE_URL (their tables are in our Alembic history, bot/store/schema.py). Tokens rotate:
an installation's bot token expires (12 hours on Slack) and is refreshed before use, by Bolt
for requests and by ``Installations.client`` for the weekly summaries, one refresh at a time
(``SharedRotator``), since Slack revokes a refresh token once it is used.

Org-wide Enterprise Grid installs are refused (the manifest has ``org_deploy_enabled: false``):
each workspace of an organisation installs the app for itself, and so has its own watches.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.installation_store import (
    ORG_WIDE,
    OrgWideRefused,
    SharedRotator,
    WorkspaceInstallations,
)
from bot.settings import OAuthConfig
from bot.store.records import Clock, utc_now
from bot.store.workspace_watches import pause_workspace, resume_workspace
from bot.workspaces import NotInstalled

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install link works for ten minutes, once
# Refresh a token this long before it expires (Bolt's default): no call meets an expired one.
REFRESH_BEFORE_MINUTES = 120
# oauth.v2.access answers that no retry will change: the workspace must install again.
DEAD_REFRESH = {"invalid_refresh_token", "invalid_client_id", "bad_client_secret", "token_revoked"}
FAILURES = {
    "access_denied": "Installation cancelled: nothing was installed. You can start again.",
    "invalid_browser": "This install link was started in another browser, or its ten minutes "
    "ran out: nothing was installed. Start again from the install page.",
    "invalid_state": "This install link was already used or has expired (a link works once, "
    "for ten minutes): nothing was installed. Start again from the install page.",
    "missing_code": "Slack sent no authorization code: nothing was installed. Start again.",
    "invalid_code": "Slack did not accept the authorization code (it works once, for a few "
    "minutes): nothing was installed. Start again from the install page.",
}


@dataclass(frozen=True)
class Installations:
    """Every workspace's installation, and a Web API client with its current token."""

    store: WorkspaceInstallations
    states: SQLAlchemyOAuthStateStore
    rotator: SharedRotator
    make_client: Callable[[str], WebClient]  # a client like the app's, with this token
    engine: Engine  # the watches paused and resumed with their workspace
    clock: Clock = utc_now
    per_workspace: bool = True

    def client(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        """The workspace's client, its token refreshed first if it expires soon."""
        found = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if found is None or found.bot_token is None:
            raise NotInstalled(
                f"The app is not installed in workspace {team_id} any more: reinstall it "
                "there to resume its weekly summaries."
            )
        try:
            fresh = self.rotator.perform_bot_token_rotation(
                bot=found, minutes_before_expiration=REFRESH_BEFORE_MINUTES
            )
        except SlackTokenRotationError as error:
            code = error.api_error.response.get("error")
            if code in DEAD_REFRESH:
                raise NotInstalled(
                    f"Slack no longer accepts workspace {team_id}'s refresh token ({code}): "
                    "reinstall the app there to resume its weekly summaries."
                ) from None
            raise error.api_error from None  # Slack's own answer: retried if passing
        found = fresh or found  # saved by the rotator
        assert found.bot_token is not None
        return self.make_client(found.bot_token)

    def installed(self, installation: Installation) -> None:
        """A (re)install: the watches its removal paused run again."""
        if installation.team_id is not None:
            resumed = resume_workspace(self.engine, installation.team_id)
            log.info(
                "workspace_installed", extra={"team": installation.team_id, "resumed": resumed}
            )

    def removed(self, team_id: str | None, enterprise_id: str | None) -> None:
        """The workspace removed the app or revoked its token: forget its tokens, pause its
        watches (kept, so a reinstall picks up where it stopped)."""
        self.store.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        paused = pause_workspace(self.engine, team_id, self.clock()) if team_id else 0
        log.info("workspace_removed", extra={"team": team_id, "paused": paused})


def installations(
    config: OAuthConfig,
    engine: Engine,
    make_client: Callable[[str | None], WebClient],
    clock: Clock = utc_now,
) -> Installations:
    store = WorkspaceInstallations(client_id=config.client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
    rotator = SharedRotator(store, config.client_id, config.client_secret, make_client(None))
    return Installations(store, states, rotator, make_client, engine, clock)


def oauth_settings(
    config: OAuthConfig,
    found: Installations,
    client: WebClient,
    on_installed: Callable[[Installation], None],
) -> tuple[OAuthSettings, InstallationStoreAuthorize]:
    """Bolt's OAuth settings and the authorize it runs each request through (tokens refreshed
    by ``found.rotator``; auth.test answers cached per token, so a request costs no extra
    Slack call once its token has been seen)."""
    settings = OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        user_scopes=[],
        redirect_uri=config.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=config.authorize_url,
        installation_store=found.store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=REFRESH_BEFORE_MINUTES,
        state_store=found.states,
        state_expiration_seconds=STATE_SECONDS,
        callback_options=CallbackOptions(
            success=lambda args: _installed(args, on_installed), failure=_failed
        ),
    )
    authorize = InstallationStoreAuthorize(
        logger=log,
        installation_store=found.store,
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_rotation_expiration_minutes=REFRESH_BEFORE_MINUTES,
        # Bot tokens only (the app asks for no user scopes): one query a request, find_bot.
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    authorize.token_rotator = found.rotator
    return settings, authorize


def _installed(args: SuccessArgs, on_installed: Callable[[Installation], None]) -> BoltResponse:
    installation = args.installation
    on_installed(installation)
    name = installation.team_name or installation.team_id or "your workspace"
    log.info("installed", extra={"team": installation.team_id})
    body = (
        f"CTR is installed in {html.escape(name)}. Type <code>/ctr help</code> in any "
        "channel; an admin can have a channel receive weekly summaries with "
        "<code>/ctr watch</code>."
    )
    return _page(200, "Installed", body, args.settings.state_utils.build_set_cookie_for_deletion())


def _failed(args: FailureArgs) -> BoltResponse:
    reason = args.reason
    if isinstance(args.error, OrgWideRefused):
        text = ORG_WIDE
    elif reason in FAILURES:
        text = FAILURES[reason]
    else:
        text = f"The installation failed ({reason}): nothing was installed. Please try again."
    log.warning("install_failed", extra={"reason": reason})
    body = f'{html.escape(text)} <a href="{INSTALL_PATH}">Install again</a>'
    cookie = args.settings.state_utils.build_set_cookie_for_deletion()
    return _page(args.suggested_status_code, "Not installed", body, cookie)


def _page(status: int, title: str, body: str, cookie: str) -> BoltResponse:
    page = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{body}</p></body></html>"
    )
    headers: dict[str, Any] = {"Content-Type": "text/html; charset=utf-8", "Set-Cookie": [cookie]}
    return BoltResponse(status=status, body=page, headers=headers)
