"""Slack's side of "Add to Slack" for the fake: the consent page, oauth.v2.access, token expiry.

Shaped by Slack's documentation: ``/oauth/v2/authorize`` sends the browser back to the app's
redirect URL with ``code`` and ``state`` (or ``error=access_denied`` when the person cancels);
``oauth.v2.access`` swaps a code, once, for a bot token, and with token rotation on, a
refresh token and ``expires_in`` (12 hours); ``grant_type=refresh_token`` swaps a refresh token
for a new pair and revokes the old refresh token. Expired tokens answer ``token_expired``,
revoked ones ``token_revoked``, unknown ones ``invalid_auth``.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

CLIENT_ID = "1111.2222-test-client-id"
CLIENT_SECRET = "test-client-secret-not-real"
APP_ID = "A0CTR"
LIFETIME = 43200.0  # Slack's rotating tokens last 12 hours


@dataclass(frozen=True)
class Installer:
    """Who is at Slack's consent screen next, and what they do there."""

    team_id: str
    team_name: str = "Acme"
    enterprise_id: str | None = None
    user_id: str = "U_INSTALLER"
    org_wide: bool = False  # an Enterprise Grid org-wide install
    approve: bool = True  # False: the person presses Cancel


@dataclass
class Grant:
    """One access token and the workspace it acts in."""

    team_id: str | None
    enterprise_id: str | None
    expires_at: float | None
    revoked: bool = False


@dataclass
class FakeOAuth:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    redirect_uri: str = ""  # the app's configured Redirect URL
    rotation: bool = True  # the app's token_rotation_enabled
    lifetime: float = LIFETIME
    offset: float = 0.0  # tests move Slack's clock forward instead of sleeping
    installer: Installer = field(default_factory=lambda: Installer("T1"))
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, tuple[Installer, str, str]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh -> access token
    refreshes: int = 0
    fail_refreshes: list[str] = field(default_factory=list)  # errors the next refreshes get
    # Which workspace each channel is in: an installed workspace's token sees only its own.
    channel_teams: dict[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> float:
        return self.clock() + self.offset

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """GET /oauth/v2/authorize: (status, Location or error page text)."""
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id:
            return 400, "invalid_client_id"
        redirect = query.get("redirect_uri") or self.redirect_uri
        if self.redirect_uri and redirect != self.redirect_uri:
            return 400, "bad_redirect_uri"
        state = {"state": query["state"]} if query.get("state") else {}
        who = self.installer
        if not who.approve:
            return 302, f"{redirect}?{urlencode({'error': 'access_denied'} | state)}"
        with self._lock:
            code = f"code-{next(self._serial)}"
            self.codes[code] = (who, redirect, query.get("scope", ""))
        return 302, f"{redirect}?{urlencode({'code': code} | state)}"

    def access(  # noqa: PLR0911 - one answer per documented error
        self, args: dict[str, Any], authorization: str | None
    ) -> dict[str, Any]:
        """oauth.v2.access: a code (once) or a refresh token for tokens."""
        client_id, secret = _credentials(args, authorization)
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        if args.get("grant_type") == "refresh_token":
            return self._refresh(str(args.get("refresh_token", "")))
        if args.get("grant_type") not in (None, "", "authorization_code"):
            return {"ok": False, "error": "invalid_grant_type"}
        with self._lock:
            found = self.codes.pop(str(args.get("code", "")), None)  # a code works once
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        who, redirect, scope = found
        if args.get("redirect_uri") and args["redirect_uri"] != redirect:
            return {"ok": False, "error": "bad_redirect_uri"}
        team = None if who.org_wide else {"id": who.team_id, "name": who.team_name}
        enterprise = {"id": who.enterprise_id, "name": "Grid"} if who.enterprise_id else None
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": who.user_id},
            "scope": scope,
            "token_type": "bot",
            "bot_user_id": "UBOT",
            "team": team,
            "enterprise": enterprise,
            "is_enterprise_install": who.org_wide,
            **self._issue(None if who.org_wide else who.team_id, who.enterprise_id),
        }

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        with self._lock:
            if self.fail_refreshes:  # the refresh token stays good: nothing was exchanged
                return {"ok": False, "error": self.fail_refreshes.pop(0)}
            old = self.refresh_tokens.pop(refresh_token, None)  # revoked once used
            grant = self.grants.get(old) if old else None
        if grant is None or grant.revoked:
            return {"ok": False, "error": "invalid_refresh_token"}
        self.refreshes += 1
        issued = self._issue(grant.team_id, grant.enterprise_id)
        return {"ok": True, "app_id": APP_ID, "token_type": "bot", "scope": "", **issued}

    def _issue(self, team_id: str | None, enterprise_id: str | None) -> dict[str, Any]:
        with self._lock:
            n = next(self._serial)
            token = f"xoxb-{team_id or enterprise_id}-{n}-fake"
            expires = self.now() + self.lifetime if self.rotation else None
            self.grants[token] = Grant(team_id, enterprise_id, expires)
            if not self.rotation:
                return {"access_token": token}
            refresh = f"xoxe-1-{team_id or enterprise_id}-{n}-fake"
            self.refresh_tokens[refresh] = token
        return {"access_token": token, "refresh_token": refresh, "expires_in": int(self.lifetime)}

    def refused(self, token: str) -> str | None:
        """Why Slack refuses ``token`` now (Slack's error code), or None."""
        grant = self.grants.get(token)
        if grant is None:
            return "invalid_auth"
        if grant.revoked:
            return "token_revoked"
        if grant.expires_at is not None and self.now() >= grant.expires_at:
            return "token_expired"
        return None

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: every token it had stops working."""
        with self._lock:
            for grant in self.grants.values():
                if grant.team_id == team_id:
                    grant.revoked = True

    def outside(self, token: str, channel: str) -> bool:
        """An installed workspace's token naming another workspace's channel."""
        grant = self.grants.get(token)
        owner = self.channel_teams.get(channel)
        return grant is not None and owner is not None and owner != grant.team_id

    def team_of(self, token: str) -> str | None:
        grant = self.grants.get(token)
        return grant.team_id if grant else None


def _credentials(args: dict[str, Any], authorization: str | None) -> tuple[str, str]:
    """client_id and client_secret: HTTP Basic (as slack_sdk sends them) or form fields."""
    if authorization and authorization.startswith("Basic "):
        decoded = base64.b64decode(authorization[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return str(args.get("client_id", "")), str(args.get("client_secret", ""))
