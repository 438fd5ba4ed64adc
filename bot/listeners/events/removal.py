"""`app_uninstalled` and `tokens_revoked`: forget the workspace's tokens, pause its watches.

Bolt runs these without an auth.test (the tokens are already dead). A reinstall resumes the
watches (bot/oauth.py, ``Installations.installed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext

from bot.oauth import Installations


@dataclass(frozen=True)
class Removal:
    installations: Installations

    def uninstalled(self, context: BoltContext) -> None:
        self.installations.removed(context.team_id, context.enterprise_id)

    def revoked(self, event: dict[str, Any], context: BoltContext) -> None:
        # The bot's token is the one that matters: this app asks for no user tokens.
        if (event.get("tokens") or {}).get("bot"):
            self.installations.removed(context.team_id, context.enterprise_id)
