"""Slack's published Web API rate limits, as the fake enforces them, on a clock a test moves.

From https://docs.slack.dev/apis/web-api/rate-limits and each method's page:
- chat.postMessage: "1 message per second per channel", allowing short bursts (special tier);
- Tier 4 (100+ a minute): files.getUploadURLExternal, files.completeUploadExternal;
- Tier 3 (50+ a minute): conversations.history, conversations.replies, chat.delete,
  files.delete. (Commercially distributed apps outside the Marketplace created since
  29 May 2025 get 1 a minute for history/replies; ctr-bot is an app a team installs for
  itself, which keeps Tier 3.)
- Tier 2 (20+ a minute): conversations.info, users.info.

Tiers are counted per method per workspace in a sliding minute; a call beyond a limit is
refused with HTTP 429 and a Retry-After (whole seconds), and does not count, as on Slack.
Kept apart from the bot's own table (bot/weekly/pacing.py) on purpose: the tests check the
bot against Slack's figures, not against themselves.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 60.0
TIERS = {2: 20, 3: 50, 4: 100}  # calls a minute
METHOD_TIER = {
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
    "conversations.history": 3,
    "conversations.replies": 3,
    "chat.delete": 3,
    "files.delete": 3,
    "conversations.info": 2,
    "users.info": 2,
}
POSTS_PER_SECOND = 1.0  # per channel
POST_BURST = 3  # "short bursts": a few at once, then one a second


@dataclass
class SlackLimits:
    """Decides, per call, whether Slack would serve it now; ``clock``: seconds, any epoch."""

    clock: Callable[[], float]
    refused: list[tuple[str, str, float]] = field(default_factory=list)  # method, channel, when
    _calls: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _posts: dict[str, tuple[float, float]] = field(default_factory=dict)  # tokens, updated
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, method: str, channel: str) -> int | None:
        """None: served (and counted); else the Retry-After, in whole seconds."""
        now = self.clock()
        with self._lock:
            if method == "chat.postMessage":
                wait = self._post(channel, now)
            elif method in METHOD_TIER:
                wait = self._tier(method, TIERS[METHOD_TIER[method]], now)
            else:
                wait = None
            if wait is not None:
                self.refused.append((method, channel, now))
            return wait

    def _post(self, channel: str, now: float) -> int | None:
        tokens, updated = self._posts.get(channel, (float(POST_BURST), now))
        tokens = min(float(POST_BURST), tokens + max(0.0, now - updated) * POSTS_PER_SECOND)
        if tokens < 1.0:
            return max(1, math.ceil((1.0 - tokens) / POSTS_PER_SECOND))
        self._posts[channel] = (tokens - 1.0, now)
        return None

    def _tier(self, method: str, per_minute: int, now: float) -> int | None:
        calls = self._calls[method]
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        if len(calls) >= per_minute:
            return max(1, math.ceil(calls[0] + WINDOW - now))
        calls.append(now)
        return None
