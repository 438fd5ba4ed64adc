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
from bot.weekly.source import latest_week, weekly_inputs
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
    rows, flagged = dated_rows(grid, find_layout(grid))
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
    first = weekly_inputs(
        grid, layout, sheet_key="s", this_week=WEEK - timedelta(days=7), store=store
    )
    assert first.table == {}  # one snapshot starts the series
    grid[1][1], grid[1][2] = 3000, 40
    later = weekly_inputs(grid, layout, sheet_key="s", this_week=WEEK, store=store)
    assert later.table == {WEEK: {"A": Counts(30, 2000), "B": Counts(0, 0)}}
    assert latest_week(later.table) == WEEK
    grid[1][1] = 10  # someone reset the sheet
    reset = weekly_inputs(
        grid, layout, sheet_key="s", this_week=WEEK + timedelta(days=7), store=store
    )
    assert any("went down" in note for note in reset.notes)


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
    assert "140 CTRs filled in, 4 bad rows flagged" in done.stdout
    assert "Weekly CTR" in done.stdout
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
