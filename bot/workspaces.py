"""Which Web API client acts in a workspace: the one bot token's, or its installation's.

Every call the bot makes on its own (weekly summaries, the DMs about paused watches, the
checks behind `/ctr watch`) asks this port for the workspace's client, so no call can carry
another workspace's token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from slack_sdk import WebClient

from core.errors import CtrError


class NotInstalled(CtrError):
    """The workspace has no installation (it removed the app, or never added it)."""


class Workspaces(Protocol):
    @property
    def per_workspace(self) -> bool:
        """True when each workspace has its own installation (OAuth mode): a token Slack
        refuses is that workspace's to fix by reinstalling, not the operator's."""
        ...

    def client(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        """The client for that workspace; raises CtrError when the bot can't act there."""
        ...


@dataclass(frozen=True)
class OneWorkspace:
    """Single-workspace mode: SLACK_BOT_TOKEN's client, the only workspace there is."""

    the_client: WebClient
    per_workspace: bool = False

    def client(self, team_id: str, enterprise_id: str | None = None) -> WebClient:
        return self.the_client


def workspaces_of(clients: WebClient | Workspaces) -> Workspaces:
    """A bare client (single-workspace mode, tests) as the port."""
    return OneWorkspace(clients) if isinstance(clients, WebClient) else clients
