"""ctr-bot as a process: health while it runs, a graceful stop on SIGTERM/SIGINT mid-command.

Each test starts the real `ctr-bot` against the fakes, holds a call at a gate in a fake, signals
the process there, and checks what it finished and what it logged. No sleeps race it: the test
waits for the bot's own log lines and the fakes' gates.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from websockets.sync.server import Server, serve

from bot.store.engine import connect, migrate
from bot.store.records import NewWatch
from bot.store.repository import Store
from core.schedule import Weekday, WeeklySlot, latest_due
from tests.bot.conftest import SIGNING_SECRET, command_body, message_text, signed
from tests.bot.test_socket_mode import SocketFake
from tests.fakes.google_api import FakeGoogle, Value
from tests.fakes.google_fixtures import CLIENT_EMAIL, KEY, campaign_sheet
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack, running_fake_slack

SCRIPT = Path(sys.executable).parent / "ctr-bot"
URL = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
WAIT = 60.0  # seconds before a test gives up waiting for an event that should come at once


@dataclass
class Process:
    """A running ctr-bot whose JSON log lines arrive on a queue, read by a thread."""

    popen: subprocess.Popen[str]
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    seen: list[dict[str, Any]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # lines that are not JSON log lines

    def read(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                self.other.append(line)
        self.events.put({"event": "<exit>"})

    def wait_for(self, event: str) -> dict[str, Any]:
        while True:
            entry = self.events.get(timeout=WAIT)
            self.seen.append(entry)
            if entry["event"] == event:
                return entry
            assert entry["event"] != "<exit>", (event, self.seen, self.other)

    def finish(self) -> int:
        code = self.popen.wait(timeout=WAIT)
        self.wait_for("<exit>")
        return code


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        fake.users["U_ADMIN"] = {"id": "U_ADMIN", "is_admin": True, "tz": "Europe/Paris"}
        yield fake


def start(tmp_path: Path, settings: dict[str, str]) -> Iterator[Process]:
    prefixes = ("SLACK_", "GOOGLE_", "DATABASE_", "SHEETS_", "LOG_", "PORT", "METRICS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'state.sqlite3'}",
        "PORT": "0",
        "LOG_FORMAT": "json",
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    } | settings
    popen = subprocess.Popen(
        [SCRIPT],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    process = Process(popen)
    threading.Thread(target=process.read, daemon=True).start()
    try:
        yield process
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait(timeout=WAIT)


@pytest.fixture
def http_bot(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> Iterator[Process]:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    settings = env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SHUTDOWN_TIMEOUT": "30",
    }
    yield from start(tmp_path, settings)


def refused(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_mid_command_finishes_it_then_stops(
    http_bot: Process, slack: FakeSlack, tmp_path: Path, signum: int
) -> None:
    port = http_bot.wait_for("http_listening")["port"]
    http_bot.wait_for("ready")
    base = f"http://127.0.0.1:{port}"
    assert requests.get(base + "/healthz", timeout=10).json()["status"] == "ok"
    held = slack.hold("users.info")  # the watch command's follow-up, after its ack
    body, headers = signed(command_body(f"watch {URL}", slack.response_url, user="U_ADMIN"))
    ack = requests.post(base + "/slack/events", data=body.encode(), headers=headers, timeout=10)
    assert "Checking" in message_text(ack.json())
    assert held.arrived.wait(WAIT)
    http_bot.popen.send_signal(signum)
    assert http_bot.wait_for("signal")["signal"] == signal.Signals(signum).name
    http_bot.wait_for("stopping")
    assert refused(port)  # no new work once stopping
    held.go()
    stopped = http_bot.wait_for("stopped")
    assert (stopped["requests"], stopped["replies"]) == (0, 0)
    assert http_bot.finish() == 0
    assert "Watching" in message_text(slack.responses[-1])
    (watch,) = Store(connect(f"sqlite:///{tmp_path / 'state.sqlite3'}")).watches.all("C1")
    assert watch.sheet_key == KEY
    assert http_bot.other == []  # nothing but log lines: no traceback


def test_work_left_at_the_deadline_is_logged_and_the_process_ends(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> None:
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]])]
    settings = env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SHUTDOWN_TIMEOUT": "0.5",
    }
    for bot in start(tmp_path, settings):
        port = bot.wait_for("http_listening")["port"]
        bot.wait_for("ready")
        held = slack.hold("users.info")
        body, headers = signed(command_body(f"watch {URL}", slack.response_url, user="U_ADMIN"))
        requests.post(
            f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers, timeout=10
        )
        assert held.arrived.wait(WAIT)
        bot.popen.send_signal(signal.SIGTERM)
        left = bot.wait_for("stopped_with_work_left")
        assert left["replies"] == 1
        assert bot.finish() == 0
        held.go()


@pytest.fixture
def socket_slack(slack: FakeSlack) -> Iterator[tuple[SocketFake, Server]]:
    fake = SocketFake()
    with serve(fake.handle, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
        yield fake, server
        fake.envelopes.put(None)
        server.shutdown()


def test_socket_mode_serves_health_and_says_connected_only_when_connected(
    tmp_path: Path, slack: FakeSlack, socket_slack: tuple[SocketFake, Server]
) -> None:
    settings = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
    }
    for bot in start(tmp_path, settings):
        port = bot.wait_for("http_listening")["port"]
        bot.wait_for("socket_mode_connected")
        bot.wait_for("ready")
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert (health.status_code, health.json()) == (200, {"status": "ok", "slack": "ok"})
        assert (
            "ctr_command_seconds"
            in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        )
        bot.popen.send_signal(signal.SIGTERM)
        bot.wait_for("stopped")
        assert bot.finish() == 0
        assert bot.other == []


def test_socket_mode_that_cannot_connect_never_says_connected(
    tmp_path: Path, slack: FakeSlack
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        slack.socket_url = f"ws://127.0.0.1:{probe.getsockname()[1]}/link"  # nobody listens
    settings = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": slack.api_url,
    }
    for bot in start(tmp_path, settings):
        assert bot.finish() == 3
        events = [entry["event"] for entry in bot.seen]
        assert "socket_mode_connected" not in events
        assert not [e for e in bot.seen if e.get("level") == "ERROR"], bot.seen
        assert bot.other[-1].startswith("ctr-bot: Can't open the Socket Mode connection")


def test_a_signal_mid_delivery_finishes_it_and_claims_no_other(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> None:
    """Two summaries due at start; SIGTERM while the first is being posted: it is finished
    (message and chart), the second is left unclaimed, so another replica may take it at once."""
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    rows: list[list[Value]] = [
        [(now.date() - timedelta(days=d)).isoformat(), name, 10_000, 100 + d, 1.0]
        for d in range(1, 22)
        for name in ("Search", "Social")
    ]
    other = KEY[:-1] + "k"
    google.spreadsheets[KEY] = [campaign_sheet(rows)]
    google.spreadsheets[other] = [campaign_sheet(rows)]
    database = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    watched(database, {"C1": KEY, "C2": other}, slot, since=now - timedelta(days=8))
    held = slack.hold("chat.postMessage")
    settings = env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
    }
    for bot in start(tmp_path, settings):
        assert held.arrived.wait(WAIT)
        bot.popen.send_signal(signal.SIGTERM)
        bot.wait_for("stopping")
        held.go()
        stopped = bot.wait_for("stopped")
        assert stopped["loops"] == "none"
        assert bot.finish() == 0
    posted = {channel for channel in ("C1", "C2") if slack.top_level(channel)}
    assert posted == {"C1"}
    assert {f["channel"] for f in slack.files} == {"C1"}  # the chart too: the delivery finished
    due = latest_due(WeeklySlot(Weekday(slot.weekday()), slot.time(), ZoneInfo("UTC")), now)
    later = Store(connect(database))
    assert later.deliveries.delivery_done("C1", KEY, due.reported_week, team_id="T1")
    claim = later.deliveries.claim_delivery(
        "C2", other, due.reported_week, "replica-2", timedelta(minutes=5)
    )
    assert claim is not None  # nobody holds C2's lease: another replica takes over at once


def watched(database: str, sheets: dict[str, str], slot: datetime, since: datetime) -> None:
    """Watches for ``sheets`` (channel -> key), weekly at ``slot``, created at ``since``."""
    engine = connect(database)
    migrate(engine)
    store = Store(engine, clock=lambda: since)
    for channel, key in sheets.items():
        store.watches.add_watch(
            NewWatch(
                team_id="T1",
                channel_id=channel,
                sheet_key=key,
                sheet_url=f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0",
                weekday=Weekday(slot.weekday()),
                at=slot.time(),
                timezone="UTC",
                created_by="U1",
            )
        )


def short_stop(env: dict[str, str], slack: FakeSlack) -> dict[str, str]:
    """Settings whose stop deadline passes while the test holds a call in a fake."""
    return env | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "SHUTDOWN_TIMEOUT": "0.5",
    }


def weeks_of_rows(now: datetime) -> list[list[Value]]:
    return [
        [(now.date() - timedelta(days=d)).isoformat(), name, 10_000, 100 + d, 1.0]
        for d in range(1, 22)
        for name in ("Search", "Social")
    ]


def test_a_delivery_cut_short_by_the_deadline_is_released_for_another_replica(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    google.spreadsheets[KEY] = [campaign_sheet(weeks_of_rows(now))]
    database = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    watched(database, {"C1": KEY}, slot, since=now - timedelta(days=8))
    held = slack.hold("chat.postMessage")
    for bot in start(tmp_path, short_stop(env, slack)):
        assert held.arrived.wait(WAIT)
        bot.popen.send_signal(signal.SIGTERM)
        left = bot.wait_for("stopped_with_work_left")
        assert "weekly-summaries" in left["loops"]
        assert f"summary C1/{KEY}/" in left["released"]
        assert bot.finish() == 0
        held.go()
    due = latest_due(WeeklySlot(Weekday(slot.weekday()), slot.time(), ZoneInfo("UTC")), now)
    later = Store(connect(database))
    claim = later.deliveries.claim_delivery(
        "C1", KEY, due.reported_week, "replica-2", timedelta(minutes=5)
    )
    assert claim is not None  # at once, not 5 minutes later; it looks in Slack first


def test_a_sync_cut_short_by_the_deadline_releases_the_sheet(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    google.spreadsheets[KEY] = [campaign_sheet(weeks_of_rows(now))]
    database = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    watched(database, {"C1": KEY}, now + timedelta(days=3), since=now)  # no summary due
    read = google.hold_next_read()  # the sync's read of the sheet
    for bot in start(tmp_path, short_stop(env, slack)):
        assert read.arrived.wait(WAIT)
        bot.popen.send_signal(signal.SIGTERM)
        left = bot.wait_for("stopped_with_work_left")
        assert left["released"] == f"sheet {KEY}"
        assert bot.finish() == 0
        read.go()
    later = Store(connect(database))
    assert later.syncs.claim_sheet(KEY, "replica-2", timedelta(minutes=15))  # at once


def test_a_drive_listing_cut_short_by_the_deadline_releases_the_turn(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    google.spreadsheets[KEY] = [campaign_sheet(weeks_of_rows(now))]
    database = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    watched(database, {"C1": KEY}, now + timedelta(days=3), since=now)
    listing = google.hold_next_listing()
    for bot in start(tmp_path, short_stop(env, slack)):
        assert listing.arrived.wait(WAIT)
        bot.popen.send_signal(signal.SIGTERM)
        left = bot.wait_for("stopped_with_work_left")
        assert left["released"] == f"Drive listing {CLIENT_EMAIL}"
        assert bot.finish() == 0
        listing.go()
    later = Store(connect(database))
    turn = later.syncs.claim_change_poll(CLIENT_EMAIL, "replica-2", timedelta(minutes=3))
    assert turn is not None  # at once, not when the 3-minute turn would have run out


def test_a_sync_pass_stops_between_sheets(
    tmp_path: Path, slack: FakeSlack, google: FakeGoogle, env: dict[str, str]
) -> None:
    """SIGTERM mid-sync: the sheet in hand is finished, the next is not started (it stays
    due, unclaimed, for whichever replica runs next)."""
    now = datetime.now(UTC)
    other = KEY[:-1] + "k"
    google.spreadsheets[KEY] = [campaign_sheet(weeks_of_rows(now))]
    google.spreadsheets[other] = [campaign_sheet(weeks_of_rows(now))]
    database = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    watched(database, {"C1": KEY, "C2": other}, now + timedelta(days=3), since=now)
    read = google.hold_next_read()
    for bot in start(tmp_path, short_stop(env, slack) | {"SHUTDOWN_TIMEOUT": "60"}):
        assert read.arrived.wait(WAIT)
        bot.popen.send_signal(signal.SIGTERM)
        bot.wait_for("stopping")  # the loops have been told to stop
        read.go()
        stopped = bot.wait_for("stopped")
        assert (stopped["loops"], stopped["released"]) == ("none", "none")
        assert bot.finish() == 0
    states = Store(connect(database)).syncs.sync_states()
    synced = {key for key, state in states.items() if state.synced_at is not None}
    assert len(synced) == 1  # the one in hand
    (untouched,) = {KEY, other} - synced
    assert Store(connect(database)).syncs.claim_sheet(untouched, "replica-2", timedelta(minutes=15))


def test_http_mode_health_says_when_slack_refuses_the_token(
    http_bot: Process, slack: FakeSlack
) -> None:
    port = http_bot.wait_for("http_listening")["port"]
    http_bot.wait_for("ready")
    slack.token = "xoxb-revoked"  # the app was removed from the workspace after start-up
    health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    body = health.json()
    assert (health.status_code, body["status"]) == (200, "degraded")  # every replica alike
    assert body["slack"].startswith("Slack refused SLACK_BOT_TOKEN (invalid_auth)")
    asked = [name for name, _ in slack.calls].count("auth.test")
    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    assert [name for name, _ in slack.calls].count("auth.test") == asked  # cached
