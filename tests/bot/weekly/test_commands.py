"""watch / unwatch / watching against a fake Slack: admins only, zones, sheet access."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_sdk import WebClient

from bot.blocks import MAX_TEXT
from bot.store.records import NewWatch
from bot.store.repository import Store
from bot.weekly.commands import Invocation, NotAllowed, SheetInfo, WatchCommands
from bot.weekly.status import Operations
from bot.workspaces import OneWorkspace
from core.errors import CtrError, InputError
from core.grammar import parse_command
from core.schedule import Weekday
from sheets.quota import Kind, Usage
from tests.bot.store.conftest import listed, synced
from tests.fakes.slack_api import FakeSlack

URL = "https://docs.google.com/spreadsheets/d/sheet-1/edit"
SERVICE_ACCOUNT = "ctr-bot@example-project.iam.gserviceaccount.com"
TURN = timedelta(minutes=3)


class Sheets:
    """Sheet access as the bot sees it: readable sheets by URL, else a share-with message."""

    def __init__(self, readable: dict[str, SheetInfo]) -> None:
        self.readable = readable
        self.checked: list[tuple[str, date]] = []

    def check(self, url: str, week: date, *, today: date, timezone: str) -> SheetInfo:
        if url not in self.readable:
            raise CtrError(f"I can't open that sheet. Share it with {SERVICE_ACCOUNT}.")
        self.checked.append((url, week))
        return self.readable[url]


@pytest.fixture
def commands(client: WebClient, store: Store, slack: FakeSlack) -> WatchCommands:
    slack.users.update(
        {
            "U_ADMIN": {"id": "U_ADMIN", "is_admin": True, "tz": "America/New_York"},
            "U_OWNER": {"id": "U_OWNER", "is_owner": True, "tz": "Asia/Tokyo"},
            "U_LISTED": {"id": "U_LISTED", "tz": "Europe/Paris"},
            "U_MEMBER": {"id": "U_MEMBER", "tz": "Europe/Paris"},
        }
    )
    sheets = Sheets({URL: SheetInfo(key="sheet-1", title="Q4 <!channel> plan")})
    return WatchCommands(
        OneWorkspace(client),
        store.watches,
        store.deliveries,
        store.syncs,
        sheets,
        admins={"U_LISTED"},
    )


def run(commands: WatchCommands, text: str, user: str = "U_ADMIN") -> str:
    command = parse_command(text)
    assert not isinstance(command, type(parse_command("help")))
    return commands.run(command, Invocation("T1", "C1", user))  # type: ignore[arg-type]


def test_watch_defaults_to_monday_nine_in_the_users_zone(
    commands: WatchCommands, store: Store
) -> None:
    reply = run(commands, f"watch <{URL}>")
    (watch,) = store.watches.all("C1")
    assert (watch.weekday, watch.at, watch.timezone) == (
        Weekday.MONDAY,
        time(9),
        "America/New_York",
    )
    assert watch.created_by == "U_ADMIN"
    assert "Q4 &lt;!channel&gt; plan" in reply
    assert "every Monday at 09:00 (America/New_York)" in reply


@pytest.mark.parametrize("user", ["U_OWNER", "U_LISTED"])
def test_owners_and_listed_admins_may_watch(
    commands: WatchCommands, store: Store, user: str
) -> None:
    run(commands, f"watch {URL} weekly friday 16:30 Europe/London", user=user)
    assert store.watches.all("C1")[0].timezone == "Europe/London"


def test_members_are_refused_clearly(commands: WatchCommands, store: Store) -> None:
    with pytest.raises(NotAllowed, match="Only workspace admins"):
        run(commands, f"watch {URL}", user="U_MEMBER")
    assert store.watches.all() == []
    assert "watches no sheets yet" in run(commands, "watching", user="U_MEMBER")


def test_unreadable_sheet_names_the_account_to_share_with(commands: WatchCommands) -> None:
    with pytest.raises(CtrError, match=SERVICE_ACCOUNT):
        run(commands, "watch https://docs.google.com/spreadsheets/d/other/edit")


def test_unknown_zone(commands: WatchCommands) -> None:
    with pytest.raises(InputError, match="time zone 'Mars/Olympus'"):
        run(commands, f"watch {URL} weekly monday 09:00 Mars/Olympus")


def test_watching_lists_and_unwatch_removes(commands: WatchCommands, store: Store) -> None:
    run(commands, f"watch {URL} weekly tue 08:00 UTC")
    store.watches.pause_watch(store.watches.all()[0].id, "I'm not in <#C1>")
    listing = run(commands, "watching", user="U_MEMBER")
    assert "Tuesday 08:00 (UTC)" in listing
    assert "*paused*: I'm not in &lt;#C1&gt;" in listing
    assert "Stopped" in run(commands, f"unwatch {URL}")
    with pytest.raises(InputError, match="no such watch"):
        run(commands, f"unwatch {URL}")


def test_a_long_watching_list_says_how_many_more_there_are(
    commands: WatchCommands, store: Store
) -> None:
    for n in range(60):
        url = f"https://docs.google.com/spreadsheets/d/sheet-{n:02d}-{'x' * 60}/edit"
        store.watches.add_watch(
            NewWatch("T1", "C1", f"sheet-{n}", url, Weekday.MONDAY, time(9), "UTC", "U_ADMIN")
        )
    listing = run(commands, "watching", user="U_MEMBER")
    assert len(listing) <= MAX_TEXT
    assert not listing.endswith("…")
    shown = len(re.findall(r"^\d+\. ", listing, re.MULTILINE))
    assert 0 < shown < 60
    assert f"…and {60 - shown} more (60 in all)" in listing


def test_status_is_for_admins_and_shows_syncs_backlog_and_quota(
    client: WebClient, store: Store, slack: FakeSlack
) -> None:
    slack.users.update(
        {"U_ADMIN": {"id": "U_ADMIN", "is_admin": True}, "U_MEMBER": {"id": "U_MEMBER"}}
    )
    sheets = Sheets({URL: SheetInfo(key="sheet-1", title="Plan")})
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    operations = Operations(
        backlog=7,
        usage=Usage(
            last_minute={Kind.READ: 42, Kind.WRITE: 3, Kind.DRIVE: 1},
            limits={Kind.READ: 60, Kind.WRITE: 60, Kind.DRIVE: 1000},
            waiting=2,
            waits=5,
            waited_seconds=1.5,
        ),
        quota_sizes={"sheets-read/user/sa": (60, 30)},  # another replica's setting rules
    )
    commands = WatchCommands(
        OneWorkspace(client),
        store.watches,
        store.deliveries,
        store.syncs,
        access=sheets,
        admins=set(),
        operations=lambda: operations,
        clock=lambda: now,
    )
    store.watches.add_watch(
        NewWatch("T1", "C1", "sheet-1", URL, Weekday.MONDAY, time(9), "UTC", "U_ADMIN")
    )
    store.watches.add_watch(
        NewWatch("T1", "C2", "sheet-2", URL + "2", Weekday.MONDAY, time(9), "UTC", "U_ADMIN")
    )
    synced(store, "sheet-1", "v1", now - timedelta(minutes=12))
    listed(store, now, adopt={}, report={"sheet-1": "v2"}, account="sa")  # edited since
    with pytest.raises(NotAllowed):
        run(commands, "status", user="U_MEMBER")
    reply = run(commands, "status")
    assert "2 watched sheet(s)" in reply
    assert "backlog: 7" in reply
    assert "reads 42/60" in reply
    assert "writes 3/60" in reply
    assert "2 waiting" in reply
    assert "12 min ago, changed since" in reply
    assert "never synced" in reply  # sheet-2
    assert "2 waiting for a sync (1 changed)" in reply  # for every replica, from the store
    assert "*Quota settings differ*: the shared bucket sheets-read/user/sa is 30 a minute" in reply


KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz"
TAB_0 = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
TAB_7 = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=7"


def tabbed(commands: WatchCommands) -> WatchCommands:
    sheets = Sheets(
        {
            TAB_0: SheetInfo(key=KEY, title="Budget", tab=0),
            TAB_7: SheetInfo(key=KEY, title="Budget", tab=7),
        }
    )
    return replace(commands, access=sheets)


def test_two_tabs_of_one_spreadsheet_are_two_watches(commands: WatchCommands, store: Store) -> None:
    """Issue #17.4: the second /ctr watch silently replaced the first."""
    commands = tabbed(commands)
    run(commands, f"watch {TAB_0}")
    run(commands, f"watch {TAB_7} weekly friday 16:00")
    assert [(w.tab, w.weekday) for w in store.watches.all("C1")] == [
        (0, Weekday.MONDAY),
        (7, Weekday.FRIDAY),
    ]
    listing = run(commands, "watching")
    assert "1. *Budget* · " in listing
    assert "2. *Budget* (tab 7) · " in listing
    with pytest.raises(InputError, match="matches 2 watches here"):
        run(commands, f"unwatch {KEY}")  # the key names both tabs: which one?
    assert "Stopped" in run(commands, f"unwatch {TAB_7}")
    assert [w.tab for w in store.watches.all("C1")] == [0]


@pytest.mark.parametrize("how", ["number", "url", "key", "link"])
def test_unwatch_never_opens_the_sheet(commands: WatchCommands, store: Store, how: str) -> None:
    """Issue #17.3: unwatch opened the sheet first, so an unshared one could not be removed."""
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit"
    store.watches.add_watch(
        NewWatch(
            "T1", "C1", "other-sheet-key-xxxxxxxx", URL, Weekday.MONDAY, time(9), "UTC", "U_ADMIN"
        )
    )
    store.watches.add_watch(
        NewWatch("T1", "C1", KEY, url, Weekday.MONDAY, time(9), "UTC", "U_ADMIN")
    )
    commands = replace(commands, access=Sheets({}))  # every sheet unreadable now
    target = {"number": "2", "url": url, "key": KEY, "link": f"<{url}|{url}>"}[how]
    assert "Stopped" in run(commands, f"unwatch {target}")
    assert [w.sheet_key for w in store.watches.all("C1")] == ["other-sheet-key-xxxxxxxx"]
    with pytest.raises(InputError, match="no such watch"):
        run(commands, "unwatch 9")


def test_a_watch_from_a_direct_message_is_refused(commands: WatchCommands, store: Store) -> None:
    """Issue #17.5: a DM watch was accepted and failed only at its due time."""
    with pytest.raises(CtrError, match="not a direct message"):
        commands.run(parse_command(f"watch {URL}"), Invocation("T1", "D0123", "U_ADMIN"))  # type: ignore[arg-type]
    assert store.watches.all() == []


def test_a_watch_where_the_bot_is_not_a_member_is_refused(
    commands: WatchCommands, store: Store, slack: FakeSlack
) -> None:
    slack.channels["C1"] = {"is_member": False}
    with pytest.raises(CtrError, match="/invite @CTR"):
        run(commands, f"watch {URL}")
    slack.channels["C1"] = {"is_archived": True}
    with pytest.raises(CtrError, match="archived"):
        run(commands, f"watch {URL}")
    slack.channel_errors["C1"] = "channel_not_found"  # a private channel the bot isn't in
    with pytest.raises(CtrError, match="/invite @CTR"):
        run(commands, f"watch {URL}")
    assert store.watches.all() == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("utc", "UTC"),
        ("UTC", "UTC"),
        ("Etc/UTC", "Etc/UTC"),
        ("GMT", "GMT"),
        ("europe/paris", "Europe/Paris"),
    ],
)
def test_common_zone_spellings_are_accepted(
    commands: WatchCommands, store: Store, typed: str, stored: str
) -> None:
    """Issue #17.8: `utc` was refused as a time zone."""
    run(commands, f"watch {URL} weekly monday 09:00 {typed}")
    assert store.watches.all()[0].timezone == stored


def test_the_first_summary_is_checked_for_the_week_it_will_report(
    commands: WatchCommands, store: Store
) -> None:
    sheets = Sheets({URL: SheetInfo(key="sheet-1", title="Plan")})
    commands = replace(commands, access=sheets, clock=lambda: datetime(2026, 11, 25, tzinfo=UTC))
    run(commands, f"watch {URL} weekly monday 09:00 UTC")
    assert sheets.checked == [(URL, date(2026, 11, 23))]  # due 30 Nov, reporting 23-29 Nov


def test_watching_again_after_the_due_time_says_the_owed_summary_goes_out(
    commands: WatchCommands, store: Store
) -> None:
    """Issue #17.1: re-running /ctr watch (as the pause DM says to) skipped that week."""
    now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    clock = lambda: now  # noqa: E731
    commands = replace(commands, clock=clock)
    run(commands, f"watch {URL} weekly monday 09:00 UTC")  # the store's clock: 16 Nov
    now = datetime(2026, 11, 23, 9, 0, 4, tzinfo=UTC)  # 4 s after the due time
    reply = run(commands, f"watch {URL} weekly monday 09:00 UTC")
    assert "was not sent yet: it goes out within a minute" in reply
    (watch,) = store.watches.all()
    assert watch.schedule_since <= datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_status_shows_the_failing_feed_paused_watches_and_last_errors(
    commands: WatchCommands, store: Store
) -> None:
    """Issue #17.6: with Drive off, /ctr status said "0 waiting" and nothing else."""
    first = store.watches.add_watch(
        NewWatch("T1", "C1", "sheet-1", URL, Weekday.MONDAY, time(9), "UTC", "U_ADMIN")
    )
    second = store.watches.add_watch(
        NewWatch("T1", "C2", "sheet-2", URL + "2", Weekday.MONDAY, time(9), "UTC", "U_ADMIN")
    )
    store.watches.pause_watch(first.id, "The channel was archived.")
    store.watches.record_error(second.id, "Google Sheets API get failed after 5 tries: 503")
    poll = store.syncs.claim_change_poll("sa@p.iam.gserviceaccount.com", "r1", TURN)
    assert poll is not None
    store.syncs.record_listing_failure(
        poll, "The Drive API is not enabled: enable the Drive API for project p."
    )
    reply = run(commands, "status")
    assert "Drive's change feed fails" in reply
    assert "enable the Drive API for project p" in reply
    assert "*paused*: sheet-1 in <#C1>: The channel was archived." in reply
    assert "*last error*" in reply
    assert "failed after 5 tries: 503" in reply
