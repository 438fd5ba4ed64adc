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
# A date token's fallback (how bot/slacktext.py shows a typed * _ ~ `): kept out of the
# formatting passes as NUL + a private-use character (mrkdwn the bot sends holds no NUL:
# slacktext folds control characters), then put back.
_DATE = re.compile(r"<!date\^[^|<>]*\|(?P<fallback>[^<>]*)>")
_HIDDEN = 0xE000


def plain(text: str) -> str:
    """No styling at all: for pipes and files.

    >>> readable("*Total:* 0.40% · <https://x.test/s|the sheet> &amp; <!channel>", plain)
    'Total: 0.40% · the sheet (https://x.test/s) & @channel'
    >>> readable("*<!date^00000000^{_}|*>Bold<!date^00000000^{_}|*> a_b*", plain)
    '*Bold* a_b'
    """
    return text


def ansi_bold(text: str) -> str:
    """Bold on a terminal that understands ANSI escapes."""
    return f"{ANSI_BOLD}{text}{ANSI_RESET}"


def readable(mrkdwn: str, bold: Callable[[str], str] = plain) -> str:
    """Render Slack's mrkdwn for a terminal; ``bold`` decides how bold text looks."""
    text = _DATE.sub(lambda m: "".join("\0" + chr(_HIDDEN + ord(c)) for c in m["fallback"]), mrkdwn)
    text = _BOLD.sub(lambda m: bold(m["text"]), text)
    text = _ITALIC.sub(lambda m: m["text"], text)
    text = _STRIKE.sub(lambda m: m["text"], text)
    text = _LINK.sub(_link, text)
    for code, emoji in _EMOJI.items():
        text = text.replace(code, emoji)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return re.sub("\0([\ue000-\uf8ff])", lambda m: chr(ord(m[1]) - _HIDDEN), text)


def _link(match: re.Match[str]) -> str:
    target, label = match["target"], match["label"]
    if target.startswith("!"):  # <!channel>, <!here>, <!date^...|fallback>
        return label or "@" + target[1:].split("^")[0]
    if target.startswith(("@", "#")):  # a user or channel mention
        return target[0] + (label or target[1:])
    return f"{label} ({target})" if label and label != target else target
