"""Where OAuth mode keeps installations: slack_sdk's SQLAlchemy store, refusing org-wide
installs and remembering each workspace's bot briefly, and the token refresh it does one at a
time (Slack revokes a refresh token once it is used)."""

from __future__ import annotations

import threading
import time

from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

BOT_TTL = 10.0  # seconds a workspace's bot is remembered between lookups
ORG_WIDE = (
    "This app is installed one workspace at a time, not across a whole Enterprise Grid "
    "organisation: ask an org admin to add it to each workspace that wants it."
)


class WorkspaceInstallations(SQLAlchemyInstallationStore):
    """slack_sdk's store, refusing org-wide installs before anything is saved, and keeping
    each workspace's bot a few seconds in memory: Bolt looks it up on every request, and a
    query each time cost /ctr a third of its throughput (bench/bench_oauth.py). This process's
    own saves and deletions take effect at once; another replica's within ``BOT_TTL``."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._bots: dict[tuple[str | None, str | None, bool], tuple[float, Bot | None]] = {}
        self._cache_lock = threading.Lock()

    def save(self, installation: Installation) -> None:
        if installation.is_enterprise_install:
            raise OrgWideRefused(ORG_WIDE)
        self._forget()
        super().save(installation)

    def save_bot(self, bot: Bot) -> None:
        self._forget()
        super().save_bot(bot)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._forget()
        super().delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self._forget()
        super().delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = (enterprise_id, team_id, bool(is_enterprise_install))
        now = time.monotonic()
        with self._cache_lock:
            cached = self._bots.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        found = super().find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        with self._cache_lock:
            self._bots[key] = (now + BOT_TTL, found)
        return found

    def fresh_bot(self, *, enterprise_id: str | None, team_id: str | None) -> Bot | None:
        """The stored bot, never the remembered one (before refreshing its token)."""
        self._forget()
        return self.find_bot(enterprise_id=enterprise_id, team_id=team_id)

    def _forget(self) -> None:
        with self._cache_lock:
            self._bots.clear()


class OrgWideRefused(BoltError):
    """An Enterprise Grid org-wide install, which this app does not take."""


class SharedRotator(TokenRotator):
    """One token refresh at a time in this process, from the newest stored tokens.

    Slack revokes a refresh token once used, so two refreshes from the same stored row would
    fail the second: under the lock, the row is read again (a token another thread or replica
    refreshed meanwhile is used as it is) and a refreshed one is saved before the lock opens.
    """

    def __init__(
        self, store: WorkspaceInstallations, client_id: str, secret: str, client: WebClient
    ) -> None:
        super().__init__(client_id=client_id, client_secret=secret, client=client)
        self.store = store
        self._lock = threading.Lock()

    def perform_bot_token_rotation(
        self, *, bot: Bot, minutes_before_expiration: int = 120
    ) -> Bot | None:
        if not _due(bot, minutes_before_expiration):
            return None  # the common case: no lock, no query
        with self._lock:
            latest = self._latest(bot) or bot
            if not _due(latest, minutes_before_expiration):
                # refreshed by someone else since the caller read it
                return latest if latest.bot_token != bot.bot_token else None
            try:
                rotated = super().perform_bot_token_rotation(
                    bot=latest, minutes_before_expiration=minutes_before_expiration
                )
            except SlackTokenRotationError:
                again = self._latest(bot)  # a replica may have refreshed first
                if again is None or again.bot_refresh_token == latest.bot_refresh_token:
                    raise
                return again
            if rotated is not None:
                self.store.save_bot(rotated)  # before the lock opens: the next reader sees it
            return rotated

    def _latest(self, bot: Bot) -> Bot | None:
        return self.store.fresh_bot(enterprise_id=bot.enterprise_id, team_id=bot.team_id)


def _due(bot: Bot, minutes_before_expiration: int) -> bool:
    expires = bot.bot_token_expires_at
    return expires is not None and expires <= time.time() + minutes_before_expiration * 60
