"""Slack mrkdwn as a person reads it in a terminal: bold shown as bold, links as "text (url)"."""

from __future__ import annotations

import re
from collections.abc import Callable

_LINK = re.compile(r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*(?P<text>[^*\n]*[^*\s])\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?P<text>[^_\n]*[^_\s])_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?P<text>[^~\n]*[^~\s])~(?![\w~])")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_EMOJI = {":warning:": "⚠", ":white_check_mark:": "✅", ":chart_with_upwards_trend:": "📈"}
ANSI_BOLD, ANSI_RESET = "\033[1m", "\033[0m"


def plain(text: str) -> str:
    """No styling at all: for pipes and files.

    >>> readable("*Total:* 0.40% · <https://x.test/s|the sheet> &amp; <!channel>", plain)
    'Total: 0.40% · the sheet (https://x.test/s) & @channel'
    """
    return text


def ansi_bold(text: str) -> str:
    """Bold on a terminal that understands ANSI escapes."""
    return f"{ANSI_BOLD}{text}{ANSI_RESET}"


def readable(mrkdwn: str, bold: Callable[[str], str] = plain) -> str:
    """Render Slack's mrkdwn for a terminal; ``bold`` decides how bold text looks."""
    text = _BOLD.sub(lambda m: bold(m["text"]), mrkdwn)
    text = _ITALIC.sub(lambda m: m["text"], text)
    text = _STRIKE.sub(lambda m: m["text"], text)
    text = _LINK.sub(_link, text)
    for code, emoji in _EMOJI.items():
        text = text.replace(code, emoji)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def _link(match: re.Match[str]) -> str:
    target, label = match["target"], match["label"]
    if target.startswith("!"):  # <!channel>, <!here>, <!date^...|fallback>
        return label or "@" + target[1:].split("^")[0]
    if target.startswith(("@", "#")):  # a user or channel mention
        return target[0] + (label or target[1:])
    return f"{label} ({target})" if label and label != target else target
