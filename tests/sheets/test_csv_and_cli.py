"""The offline CSV backend and the ctr-sheets command's exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from prometheus_client import REGISTRY

from core.ctr import Counts
from core.display import format_rate
from sheets.cli import EXIT_API, EXIT_FLAGGED, EXIT_OK, EXIT_USAGE, main
from tests.fakes.google_api import FakeGoogle
from tests.sheets.conftest import KEY, campaign_sheet
from tests.strategies import half_percents

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "campaigns.csv"


def exit_code(args: list[str]) -> int:
    """main()'s code, whether returned or raised by argparse."""
    try:
        return main(args)
    except SystemExit as stop:
        return int(stop.code or 0)


def read(path: Path) -> list[list[str]]:
    with path.open(newline="") as stream:
        return list(csv.reader(stream))


def test_example_sheet_syncs_offline_without_touching_the_original(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    original = EXAMPLE.read_bytes()
    assert main(["sync", str(EXAMPLE), "--output", str(out)]) == EXIT_FLAGGED  # it has bad rows
    assert EXAMPLE.read_bytes() == original
    rows = read(out)
    assert rows[0][-2:] == ["CTR", "CTR status"]
    source = read(EXAMPLE)
    for before, after in zip(source, rows, strict=True):
        assert after[: len(before)] == before  # every user cell kept
    first = rows[1]
    assert float(first[6]) == pytest.approx(int(first[4]) / int(first[3].replace(",", "")))
    assert any("can't exceed impressions" in row[7] for row in rows[1:] if len(row) > 7)
    written = [row for row, before in zip(rows, source, strict=True) if row != before]
    assert {len(row) for row in written} == {len(rows[0])}  # no record ends a field short


def test_csv_resync_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text('Campaign,Impressions,Clicks\nA,"50,000",200\n')
    assert main(["sync", str(path)]) == EXIT_OK
    written = path.stat().st_mtime_ns, path.read_bytes()
    assert main(["sync", str(path)]) == EXIT_OK
    assert (path.stat().st_mtime_ns, path.read_bytes()) == written
    assert "already up to date" in capsys.readouterr().out
    # A record the sync writes to is as wide as its header: the empty status is a field too.
    assert read(path) == [
        ["Campaign", "Impressions", "Clicks", "CTR", "CTR status"],
        ["A", "50,000", "200", "0.004", ""],
    ]


def test_dry_run_prints_a_table_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Impressions,Clicks\n50000,200\n")
    before = path.read_bytes()
    assert main(["sync", str(path), "--dry-run"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "dry run, nothing written" in out
    assert "0.004 (0.40%)" in out
    assert path.read_bytes() == before


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(half_percents)
def test_a_dry_run_shows_the_percent_every_front_end_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], counts: tuple[int, int]
) -> None:
    # Exact halves of the last digit: 21 / 20,000 is 0.105 %, shown "0.11%" by the CLI,
    # Slack and summaries; the dry run once showed its float's "0.10%".
    clicks, impressions = counts
    path = tmp_path / "halves.csv"
    path.write_text(f"Impressions,Clicks\n{impressions},{clicks}\n")
    assert main(["sync", str(path), "--dry-run"]) == EXIT_OK
    assert f"({format_rate(Counts(clicks, impressions))})" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["sync", "not-a-sheet"], "not a Google Sheets URL"),
        (["sync", "missing.csv"], "missing.csv: no such file"),
        (["sync"], "required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(args) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert text in err


def test_layout_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Spend,Reach\n1,2\n")
    assert main(["sync", str(path)]) == EXIT_USAGE
    assert "headers found: 'Spend', 'Reach'" in capsys.readouterr().err


def test_google_sheet_by_url_and_api_failure_codes(
    env: dict[str, str],
    google: FakeGoogle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    google.spreadsheets[KEY] = [campaign_sheet([["2026-11-16", "A", 1000, 10, 1.0]], sheet_id=3)]
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=3"
    assert main(["sync", url]) == EXIT_OK
    assert google.spreadsheets[KEY][0].rows[1][5].value == 0.01
    google.faults = [(500, {"Retry-After": "0"})] * 5  # the CLI sleeps for real: no waiting
    monkeypatch.setenv("SHEETS_QUOTA_PER_MINUTE", "6000")
    assert main(["sync", KEY]) == EXIT_API
    assert "after 5 tries: 500" in capsys.readouterr().err


def test_missing_credentials_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["sync", KEY]) == EXIT_USAGE
    assert "GOOGLE_APPLICATION_CREDENTIALS is not set" in capsys.readouterr().err


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_syncs_and_rows_are_counted_for_metrics(tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Impressions,Clicks\n1000,10\n10,50\n")
    before = [
        metric("ctr_sheet_syncs_total", result="ok"),
        metric("ctr_sheet_sync_rows_total", kind="ctr"),
        metric("ctr_sheet_sync_rows_total", kind="flagged"),
        metric("ctr_sheet_syncs_total", result="failed"),
    ]
    assert main(["sync", str(path)]) == EXIT_FLAGGED
    (tmp_path / "bad.csv").write_text("Spend\n1\n")
    assert main(["sync", str(tmp_path / "bad.csv")]) == EXIT_USAGE
    after = [
        metric("ctr_sheet_syncs_total", result="ok"),
        metric("ctr_sheet_sync_rows_total", kind="ctr"),
        metric("ctr_sheet_sync_rows_total", kind="flagged"),
        metric("ctr_sheet_syncs_total", result="failed"),
    ]
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1, 1]
