"""`/ctr` answers as Slack messages: pure functions from core results to Block Kit."""

from __future__ import annotations

from typing import Any

from bot.slacktext import escape, literal
from core.counts import format_count
from core.ctr import Comparison, CtrResult, compare, measure
from core.display import (
    USAGE_EXAMPLES,
    format_lift,
    format_p_value,
    format_percent,
    format_pp,
    format_rate,
    verdict,
)
from core.grammar import Compare, Help, Single, Variant

__all__ = ["escape", "literal"]  # re-exported: the one escaping path (bot/slacktext.py)

Message = dict[str, Any]
Block = dict[str, Any]
SHARE_ACTION = "ctr_share_in_channel"
MAX_TEXT = 3000  # Slack's limit for a section's or context element's text
MAX_FIELD = 2000  # and for a section field
# Slack caps a button's value at 2,000 characters; the grammar caps the text at 500.
MAX_SHARE_VALUE = 2000


def answer_message(command: Single | Compare, text: str) -> Message:
    """The ephemeral answer, with a button that shares it; ``text`` is what was typed."""
    blocks = single_blocks(command) if isinstance(command, Single) else compare_blocks(command)
    share = _share_button(text)
    return {
        "response_type": "ephemeral",
        "text": fallback_text(command),
        "blocks": [*blocks, share] if share else blocks,
    }


def shared_message(command: Single | Compare, user_id: str) -> Message:
    """The same answer posted for the whole channel, saying who shared it."""
    blocks = single_blocks(command) if isinstance(command, Single) else compare_blocks(command)
    credit = context(f"Shared by <@{escape(user_id)}> with `/ctr`")
    return {
        "response_type": "in_channel",
        "replace_original": False,
        "text": fallback_text(command),
        "blocks": [*blocks, credit],
    }


def single_blocks(command: Single) -> list[Block]:
    variant = command.variant
    result = measure(variant.counts)
    title = f"*{literal(variant.label)}* CTR" if variant.label else "*CTR*"
    return [
        section(f"{title}  *{format_rate(result.counts)}*"),
        _fields([*_counts_fields(result), f"*95% interval*\n{_interval(result)}"]),
    ]


def compare_blocks(command: Compare) -> list[Block]:
    comparison = compare(command.a.counts, command.b.counts)
    name_a, name_b = _name(command.a, "A"), _name(command.b, "B")
    rows = [_variant_line(name_a, comparison.a), _variant_line(name_b, comparison.b)]
    return [
        section("\n".join(rows)),
        _fields(_comparison_fields(comparison, name_b, name_a)),
        section(
            f"*{literal(verdict(comparison, _plain(command.a, 'A'), _plain(command.b, 'B')))}*"
        ),
    ]


def help_message() -> Message:
    lines = [f"`/ctr {escape(text)}`  {escape(does)}" for text, does in USAGE_EXAMPLES]
    watch = (
        "`/ctr watch &lt;sheet URL&gt; [weekly monday 09:00 Europe/Paris]`  weekly summaries "
        "here (admins) · `/ctr watching` · `/ctr unwatch &lt;number or URL&gt;` · "
        "`/ctr status` (admins: syncs, backlog, quota)\n"
        "`/ctr 200 50000 for &lt;campaign&gt;`  is that unusual for the campaign? · "
        "`/ctr trend &lt;campaign&gt;`  its weekly CTR and usual range (from this channel's "
        "watched sheets)"
    )
    return {
        "response_type": "ephemeral",
        "text": "How to use /ctr",
        "blocks": [
            section("*Click-through rate (clicks ÷ impressions), with its 95% interval*"),
            section("\n".join([*lines, watch])),
            context("Counts may be written 50000, 50,000, 50k, 1.2M or 5e4."),
        ],
    }


def error_message(text: str) -> Message:
    """An ephemeral message for a problem; ``text`` may quote what was typed, so all of it
    is shown as written (bot/slacktext.py)."""
    return warning_message(literal(text))


def warning_message(mrkdwn: str) -> Message:
    """An ephemeral message for a problem, from mrkdwn whose user text is already inert
    (bot/slacktext.error_text)."""
    return {
        "response_type": "ephemeral",
        "text": mrkdwn,  # the notification text is rendered too
        "blocks": [section(f":warning: {mrkdwn}")],
    }


def notice_message(mrkdwn: str) -> Message:
    """An ephemeral message whose mrkdwn the bot wrote (user text already escaped)."""
    return {"response_type": "ephemeral", "text": mrkdwn, "blocks": [section(mrkdwn)]}


def fallback_text(command: Single | Compare | Help) -> str:
    """Notification text: plain, short, escaped."""
    if isinstance(command, Help):
        return "How to use /ctr"
    if isinstance(command, Single):
        return f"CTR {format_rate(command.variant.counts)}"
    return f"CTR {format_rate(command.a.counts)} vs {format_rate(command.b.counts)}"


def _counts_fields(result: CtrResult) -> list[str]:
    counts = result.counts
    return [
        f"*Clicks*\n{format_count(counts.clicks)}",
        f"*Impressions*\n{format_count(counts.impressions)}",
    ]


def _comparison_fields(comparison: Comparison, name_b: str, name_a: str) -> list[str]:
    difference = comparison.b.rate - comparison.a.rate
    return [
        f"*Lift {name_b} vs {name_a}*\n{format_lift(comparison.lift)} ({format_pp(difference)})",
        f"*Significance*\n{format_p_value(comparison.p_value)}",
    ]


def _variant_line(name: str, result: CtrResult) -> str:
    counts = result.counts
    return (
        f"*{name}*  *{format_rate(result.counts)}*  ({format_count(counts.clicks)} / "
        f"{format_count(counts.impressions)} · 95% CI {_interval(result)})"
    )


def _interval(result: CtrResult) -> str:
    return f"{format_percent(result.ci_low)}–{format_percent(result.ci_high)}"


def _name(variant: Variant, default: str) -> str:
    return literal(variant.label) if variant.label else default


def _plain(variant: Variant, default: str) -> str:
    return variant.label or default


def _share_button(text: str) -> Block | None:
    if len(text) > MAX_SHARE_VALUE:
        return None
    button = {
        "type": "button",
        "action_id": SHARE_ACTION,
        "text": {"type": "plain_text", "text": "Share in channel"},
        "value": text,
    }
    return {"type": "actions", "elements": [button]}


def section(mrkdwn: str) -> Block:
    """A mrkdwn section within Slack's 3,000-character limit."""
    return {"type": "section", "text": mrkdwn_text(clip(mrkdwn, MAX_TEXT))}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [mrkdwn_text(clip(mrkdwn, MAX_TEXT))]}


def mrkdwn_text(text: str) -> dict[str, Any]:
    """A mrkdwn text object; verbatim, so Slack links and mentions only what the bot marked
    up itself, never a typed @here, #channel or bare URL."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def clip(text: str, limit: int) -> str:
    """Cut at a line break where possible, so a clipped list never ends mid-entry."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 1)
    return (text[:cut] if cut > 0 else text[: limit - 1]) + "…"


def _fields(items: list[str]) -> Block:
    return {
        "type": "section",
        "fields": [mrkdwn_text(clip(item, MAX_FIELD)) for item in items],
    }


def share_button(text: str) -> Block | None:
    """The "Share in channel" button for an answer to ``text`` (None when it can't carry it)."""
    return _share_button(text)
