"""Block-action listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import SHARE_ACTION
from bot.listeners.actions.share import (
    ShareHistory,
    ack_only,
    is_history_share,
    is_plain_share,
    share_in_channel,
)
from bot.weekly.campaigns import CampaignHistory


def register(app: App, campaigns: CampaignHistory | None = None) -> None:
    # A campaign-history answer is shared after the ack (a sheet read and maybe a chart
    # away); a plain CTR is recomputed and shared inside it.
    app.action(SHARE_ACTION, matchers=[is_history_share])(
        ack=ack_only, lazy=[ShareHistory(campaigns)]
    )
    app.action(SHARE_ACTION, matchers=[is_plain_share])(share_in_channel)
