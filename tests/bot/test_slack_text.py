"""The one escaping path: whatever a person typed (a URL, a sheet's or campaign's name, a label,
a reason quoting them), every message the bot builds for Slack shows it as typed, and nothing
of it is a mention, a link, formatting or a line break (issue #17.7 and #17.9)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import answer_message, error_message, shared_message
from bot.readable import readable
from bot.slacktext import error_text, fold, literal
from bot.store.records import FeedFailure, Watch
from bot.weekly.blocks import fallback_text, summary_blocks
from bot.weekly.campaigns import Found, usual_blocks
from bot.weekly.commands import watching_lines
from bot.weekly.report import FlaggedRow, WeeklyReport
from bot.weekly.scheduler import pause_notice
from bot.weekly.status import status_text
from core.ctr import Counts
from core.errors import InputError
from core.grammar import Compare, Single, Variant
from core.history_commands import UsualRequest
from core.schedule import Weekday
from core.summary import summarize

WEEK = date(2026, 11, 16)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# Our sentinels around the typed text: letters the escaping never touches and the text lacks.
START, END = "QQ", "ZZ"
OURS = re.compile(r"<!date\^00000000\^\{_\}\|[*_~`]>|&(?:amp|lt|gt);")
typed = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("*_~`<>&|!@#:\n\r\t\u2028 >")),
        st.characters(blacklist_characters="QZ", blacklist_categories=["Cs"]),
    ),
    max_size=25,
)


def watch(text: str) -> Watch:
    return Watch(
        team_id="T1",
        channel_id="C1",
        sheet_key="key",
        sheet_url=text,
        weekday=Weekday.MONDAY,
        at=time(9),
        timezone="UTC",
        created_by="U1",
        sheet_name=text,
        id=1,
        created_at=NOW,
        paused_reason=text,
        schedule_since=NOW,
        last_error=text,
        last_error_at=NOW,
    )


def report(text: str) -> WeeklyReport:
    return WeeklyReport(
        summary=summarize({WEEK: {text or "x": Counts(10, 2_000)}}, WEEK),
        sheet_title=text,
        sheet_url="https://docs.google.com/spreadsheets/d/k/edit",
        timezone="UTC",
        min_impressions=1000,
        flagged=(FlaggedRow(3, text),),
        notes=(text,),
    )


# Every sender of user text, as the mrkdwn strings it hands to Slack.
SENDERS: dict[str, Callable[[str], Any]] = {
    "pause DM": lambda text: pause_notice(watch(text), text),
    "/ctr watching": lambda text: watching_lines([watch(text)]),
    "/ctr status": lambda text: status_text(
        [watch(text)], {}, None, NOW, feed=[FeedFailure("sa", text, NOW)]
    ),
    "weekly summary": lambda text: [summary_blocks(report(text)), fallback_text(report(text))],
    "error reply": error_message,
    "/ctr answer": lambda text: answer_message(Single(Variant(text, Counts(1, 10))), "1 10"),
    "/ctr comparison": lambda text: answer_message(
        Compare(Variant(text, Counts(1, 10)), Variant(text, Counts(2, 10))), "x"
    ),
    "shared answer": lambda text: shared_message(Single(Variant(text, Counts(1, 10))), "U1"),
    "/ctr ... for": lambda text: usual_blocks(
        UsualRequest("200 50000", text),
        Found(text, text, {WEEK: {text: Counts(10, 2_000)}}, WEEK + timedelta(days=7)),
    ),
}


def mrkdwn_strings(payload: Any) -> Iterator[str]:
    """Every string Slack would render as mrkdwn (plain_text objects are never parsed)."""
    if isinstance(payload, str):
        yield payload
    elif isinstance(payload, dict):
        if payload.get("type") in ("plain_text", "button"):
            return
        for key, value in payload.items():
            if key not in ("type", "action_id", "value", "response_type"):
                yield from mrkdwn_strings(value)
    elif isinstance(payload, list | tuple):
        for item in payload:
            yield from mrkdwn_strings(item)


@settings(max_examples=60, deadline=None)
@given(text=typed)
def test_typed_text_is_inert_and_shown_as_typed_through_every_sender(text: str) -> None:
    marked = START + text + END
    for name, sender in SENDERS.items():
        found = False
        for string in mrkdwn_strings(sender(marked)):
            for segment in re.findall(f"{START}(.*?){END}", string, re.DOTALL):
                found = True
                inert = OURS.sub("", segment)
                assert not set(inert) & set("<>&*_~`\n\r\u2028"), (name, string)
                assert readable(segment) == fold(text), (name, segment)
        assert found, f"{name} dropped the text"


@settings(max_examples=60, deadline=None)
@given(text=typed)
def test_plain_text_fields_are_one_line(text: str) -> None:
    header = summary_blocks(report(text))[0]
    assert header["type"] == "header"
    assert not set(header["text"]["text"]) & set("\n\r\u2028")


def test_every_mrkdwn_object_is_verbatim() -> None:
    """So Slack links or mentions only what the bot marked up (no typed @here or URL)."""
    objects = re.findall(r'\{"type": "mrkdwn"[^}]*\}', json.dumps(summary_blocks(report("x"))))
    assert objects
    assert all('"verbatim": true' in found for found in objects)


def test_a_watch_url_carrying_a_mention_is_not_a_mention_in_the_pause_dm() -> None:
    """Issue #17.7: escaped in /ctr watching, raw in the pause DM."""
    url = "https://docs.google.com/spreadsheets/d/k/edit#<!channel>"
    text = pause_notice(watch(url), f"run /ctr watch {url} again")
    assert "<!channel>" not in text
    assert literal(url) in text


@settings(max_examples=60, deadline=None)
@given(problem=typed, suggestion=typed)
def test_an_input_errors_suggestion_is_code_and_its_problem_as_typed(
    problem: str, suggestion: str
) -> None:
    text = error_text(InputError(START + problem + END, suggestion=suggestion), "/ctr")
    (segment,) = re.findall(f"{START}(.*?){END}", text, re.DOTALL)
    assert not set(OURS.sub("", segment)) & set("<>&*_~`\n\r\u2028")
    span = text[text.index(" Did you mean `") + len(" Did you mean `") : -2]
    assert not set(span.replace("&lt;", "").replace("&gt;", "").replace("&amp;", "")) & set(
        "<>&`\n\r"
    )
    assert text.endswith("`?")
