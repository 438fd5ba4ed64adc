"""`/ctr watch|unwatch|watching`: schedules, Slack-wrapped links, and clear refusals."""

from __future__ import annotations

from datetime import time

import pytest

from core.errors import InputError
from core.grammar import parse_command
from core.schedule import Weekday
from core.watching import (
    StatusRequest,
    UnwatchRequest,
    WatchingRequest,
    WatchRequest,
    is_watch_command,
    parse_watch_command,
)

URL = "https://docs.google.com/spreadsheets/d/1AbC_dEf-123/edit#gid=0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"watch {URL}", WatchRequest(URL, Weekday.MONDAY, time(9, 0), None)),
        (f"WATCH <{URL}>", WatchRequest(URL, Weekday.MONDAY, time(9, 0), None)),
        (f"watch <{URL}|Q4 sheet>", WatchRequest(URL, Weekday.MONDAY, time(9, 0), None)),
        (
            f"watch {URL} weekly friday 16:30 America/New_York",
            WatchRequest(URL, Weekday.FRIDAY, time(16, 30), "America/New_York"),
        ),
        (f"watch {URL} weekly Tue 8h05", WatchRequest(URL, Weekday.TUESDAY, time(8, 5), None)),
        (
            f"watch {URL} weekly sun 23:59 UTC",
            WatchRequest(URL, Weekday.SUNDAY, time(23, 59), "UTC"),
        ),
        (f"unwatch {URL}", UnwatchRequest(URL)),
        (f"unwatch <{URL}>", UnwatchRequest(URL)),
        ("unwatch 2", UnwatchRequest("2")),
        ("unwatch 1AbC_dEf-123ghIJklmnOPq", UnwatchRequest("1AbC_dEf-123ghIJklmnOPq")),
        (f"watch {URL} weekly mon 09:00 utc", WatchRequest(URL, Weekday.MONDAY, time(9), "utc")),
        (f"watch {URL} weekly mon 09:00 GMT", WatchRequest(URL, Weekday.MONDAY, time(9), "GMT")),
        (
            f"watch {URL} weekly mon 09:00 Etc/UTC",
            WatchRequest(URL, Weekday.MONDAY, time(9), "Etc/UTC"),
        ),
        ("watching", WatchingRequest()),
        ("status", StatusRequest()),
        ("STATUS", StatusRequest()),
    ],
)
def test_watch_commands(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("watch", "Give the sheet's URL"),
        ("unwatch", "its number in /ctr watching"),
        ("unwatch 0", "Google Sheets link"),
        ("watch https://example.com/spreadsheets", "Google Sheets link"),
        ("watch not-a-url", "Google Sheets link"),
        ("watch http://insecure.example/sheet", "Google Sheets link"),
        (f"watch {URL} daily", "weekly <day> <HH:MM>"),
        (f"watch {URL} weekly monday", "weekly <day> <HH:MM>"),
        (f"watch {URL} weekly funday 09:00", "not a day of the week"),
        (f"watch {URL} weekly monday 25:00", "not a time like 09:00"),
        (f"watch {URL} weekly monday 9am", "not a time like 09:00"),
        (f"watch {URL} weekly monday 09:00 <!channel>", "not a time zone name"),
        (f"unwatch {URL} now", "takes one watch"),
        ("watching everything", "takes nothing"),
    ],
)
def test_watch_command_errors(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_command(text)
    assert fragment in caught.value.render("/ctr")
    assert "/ctr sync" not in caught.value.render("/ctr")  # issue #17.8: no such command


@pytest.mark.parametrize("space", ["\t", "\n", "  ", "\u00a0"])
def test_any_whitespace_separates_the_words(space: str) -> None:
    url = "https://docs.google.com/spreadsheets/d/1AbC_dEf-123/edit"
    text = space.join(["watch", url, "weekly", "friday", "16:30"])
    assert is_watch_command(text)
    assert parse_watch_command(text) == WatchRequest(url, Weekday.FRIDAY, time(16, 30), None)
