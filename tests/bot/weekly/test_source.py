"""From a sheet to a weekly message: dated rows, running-total snapshots, the CLI and demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.store.repository import Store
from bot.weekly.rows import ALL_ROWS, campaign_totals, dated_rows
from bot.weekly.source import WeeklyInputs, gather, latest_week, record_snapshot
from core.ctr import Counts
from sheets.headers import Cell, find_layout
from tests.fakes.slack_api import BOT_TOKEN, running_fake_slack

ROOT = Path(__file__).resolve().parents[3]
WEEK = date(2026, 11, 16)


def test_dated_rows_use_the_syncs_rules_and_flag_bad_rows() -> None:
    grid: list[list[Cell]] = [
        ["Date", "Campaign", "Impressions", "Clicks"],
        ["2026-11-16", "Search", "1,000", 10],
        [46343, "Search", 1000, 20],  # a spreadsheet serial: 2026-11-17
        ["16/11/2026", "Search", 1000, 5],  # ambiguous date
        ["2026-11-18", "Video", 10, 50],  # clicks > impressions
        [None, None, None, None],
    ]
    rows, flagged = dated_rows(grid, find_layout(grid), today=WEEK + timedelta(days=7))
    assert [(r.day, r.campaign, r.counts) for r in rows] == [
        (WEEK, "Search", Counts(10, 1000)),
        (WEEK + timedelta(days=1), "Search", Counts(20, 1000)),
    ]
    assert [(f.row, "YYYY-MM-DD" in f.reason or "exceed" in f.reason) for f in flagged] == [
        (4, True),
        (5, True),
    ]


def test_running_totals_become_weeks_through_snapshots(store: Store) -> None:
    grid: list[list[Cell]] = [
        ["Campaign", "Impressions", "Clicks"],
        ["A", 1000, 10],
        ["A", 500, 5],
        ["B", 100, 1],
    ]
    totals, _ = campaign_totals(grid, find_layout(grid))
    assert totals == {"A": Counts(15, 1500), "B": Counts(1, 100)}
    layout = find_layout(grid)

    def read(today: date) -> WeeklyInputs:
        # The shell records this week's totals; gathering from what is stored is pure.
        stored = record_snapshot(store.history, "s", grid, layout, today)
        return gather(grid, layout, today=today, snapshots=stored)

    first = read(WEEK - timedelta(days=7))
    assert first.table == {}  # one snapshot starts the series
    grid[1][1], grid[1][2] = 3000, 40
    later = read(WEEK)
    assert later.table == {WEEK: {"A": Counts(30, 2000), "B": Counts(0, 0)}}
    assert latest_week(later.table, WEEK + timedelta(days=7)) == WEEK
    grid[1][1] = 10  # someone reset the sheet
    reset = read(WEEK + timedelta(days=7))
    assert any("went down" in note for note in reset.notes)
    assert gather(grid, layout, today=WEEK, snapshots=[]).table == {}  # pure: nothing written
    assert len(store.history.snapshots("s")) == 6


def test_sheet_without_campaign_column_is_one_series() -> None:
    grid: list[list[Cell]] = [["Impressions", "Clicks"], [100, 1]]
    totals, _ = campaign_totals(grid, find_layout(grid))
    assert totals == {ALL_ROWS: Counts(1, 100)}


def ctr_bot(
    *args: str, cwd: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    prefixes = ("SLACK_", "GOOGLE_", "DATABASE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["DATABASE_URL"] = f"sqlite:///{cwd / 'state.sqlite3'}"
    env.update(extra or {})
    script = Path(sys.executable).parent / "ctr-bot"
    return subprocess.run(
        [script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_summary_dry_run_prints_message_json_and_writes_the_chart(tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    done = ctr_bot(
        "summary",
        str(ROOT / "examples" / "campaigns.csv"),
        "--channel",
        "C1",
        "--dry-run",
        "--chart",
        str(chart),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    message = json.loads(done.stdout[: done.stdout.rindex("}") + 1])
    assert message["channel"] == "C1"
    texts = json.dumps(message["blocks"])
    assert "16 Nov" in texts
    assert "*Brand search*: 4.66% (usual 4.53%)" in texts
    assert "4 row(s) need attention" in texts
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["summary", "missing.csv", "--channel", "C1", "--dry-run"], "No CSV file"),
        (["summary", "x.csv", "--dry-run"], "--channel"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_summary_errors_are_one_line(tmp_path: Path, args: list[str], fragment: str) -> None:
    done = ctr_bot(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert fragment in done.stderr


def test_demo_runs_offline(tmp_path: Path) -> None:
    done = ctr_bot("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "420 CTRs filled in, 4 bad rows flagged" in done.stdout
    assert "Weekly CTR" in done.stdout
    # The example sheet has 12 weeks: every campaign shows its usual CTR, one is unusual.
    assert "• Brand search: 4.66% (usual 4.53%) · 3,047 / 65,446" in done.stdout
    assert "Unusual for themselves\n   ▲ Lookalike: 0.95% vs usual 0.76%" in done.stdout
    assert "SLACK_BOT_TOKEN" in done.stdout
    assert (tmp_path / "out" / "weekly-chart.png").stat().st_size > 10_000


def test_summary_post_sends_once_with_its_chart(tmp_path: Path) -> None:
    example = str(ROOT / "examples" / "campaigns.csv")
    with running_fake_slack() as slack:
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url}
        first = ctr_bot("summary", example, "--channel", "C9", "--post", cwd=tmp_path, extra=env)
        again = ctr_bot("summary", example, "--channel", "C9", "--post", cwd=tmp_path, extra=env)
        assert first.returncode == 0, first.stderr
        assert "Posted the summary to C9" in first.stdout
        assert again.returncode == 2
        assert "already posted" in again.stderr
        (post,) = slack.posts()
        assert post["channel"] == "C9"
        assert slack.files[0]["thread_ts"] == slack.messages["C9"][0]["ts"]


TODAY = date(2026, 11, 29)  # a Sunday: the week of 23 Nov is not complete yet


def test_rows_after_today_or_out_of_range_are_flagged_never_pick_the_week() -> None:
    grid: list[list[Cell]] = [
        ["Date", "Campaign", "Impressions", "Clicks"],
        ["2026-11-10", "Search", 1000, 10],
        ["2026-11-16", "Search", 1000, 20],
        ["2026-11-24", "Search", 1000, 30],  # this week, still being filled in
        ["2062-01-05", "Search", 1000, 40],  # a typo for 2026
        ["0001-01-20", "Search", 1000, 5],
        ["9999-12-31", "Search", 1000, 5],
        [2_958_465, "Search", 1000, 5],  # the serial of 9999-12-31
    ]
    inputs = gather(grid, find_layout(grid), today=TODAY, snapshots=None)
    assert sorted(inputs.table) == [WEEK - timedelta(days=7), WEEK, WEEK + timedelta(days=7)]
    assert [(f.row, f.reason.split(" ")[1]) for f in inputs.flagged] == [
        (5, "2062-01-05"),
        (6, "0001-01-20"),
        (7, "9999-12-31"),
        (8, "9999-12-31"),
    ]
    assert "after today" in inputs.flagged[0].reason
    assert latest_week(inputs.table, TODAY) == WEEK  # the latest complete week
    assert latest_week(inputs.table, TODAY + timedelta(days=1)) == WEEK + timedelta(days=7)


@pytest.mark.parametrize("header", ["Week", "Week of", "Week starting"])
def test_a_week_column_holding_dates_is_a_date_column(header: str, store: Store) -> None:
    grid: list[list[Cell]] = [
        [header, "Campaign", "Impressions", "Clicks"],
        ["2026-11-09", "Search", 1000, 10],
        ["2026-11-16", "Search", 2000, 30],
    ]
    layout = find_layout(grid)
    inputs = gather(grid, layout, today=TODAY, snapshots=None)
    assert inputs.table == {
        WEEK - timedelta(days=7): {"Search": Counts(10, 1000)},
        WEEK: {"Search": Counts(30, 2000)},
    }
    assert not record_snapshot(store.history, "s", grid, layout, TODAY)  # dated: nothing to record
    assert store.history.snapshots("s") == []
