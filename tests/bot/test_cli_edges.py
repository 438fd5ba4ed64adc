"""`ctr-bot` as a person runs it: one line and exit 2 for anything they can fix, never a trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_cli import closed_pipe_run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "campaigns.csv")
SCRIPT = Path(sys.executable).parent / "ctr-bot"


def ctr_bot(
    *args: str, cwd: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    prefixes = ("SLACK_", "GOOGLE_", "DATABASE_", "SHEETS_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["DATABASE_URL"] = f"sqlite:///{cwd / 'state.sqlite3'}"
    env.update(extra or {})
    return subprocess.run(
        [SCRIPT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def one_line_exit_2(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("ctr-bot: ")
    assert "internal error" not in done.stderr
    for fragment in fragments:
        assert fragment in done.stderr


def test_demo_help_explains_and_does_not_run_the_demo(tmp_path: Path) -> None:
    done = ctr_bot("demo", "--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "--json" in done.stdout
    assert not (tmp_path / "out").exists()


def summary(*extra: str) -> list[str]:
    return ["summary", EXAMPLE, "--channel", "C1", "--dry-run", *extra]


def test_bad_week_names_the_expected_format(tmp_path: Path) -> None:
    one_line_exit_2(ctr_bot(*summary("--week", "16/11/2026"), cwd=tmp_path), "YYYY-MM-DD")


@pytest.mark.parametrize(("week", "says"), [("0001-01-01", "before 2000"), ("9999-12-31", "after")])
def test_a_week_at_the_calendars_ends_is_refused_in_one_line(
    tmp_path: Path, week: str, says: str
) -> None:
    one_line_exit_2(ctr_bot(*summary("--week", week), cwd=tmp_path), says)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "<!channel>", "../../etc/passwd"])
def test_timezone_must_be_an_iana_zone(tmp_path: Path, zone: str) -> None:
    one_line_exit_2(ctr_bot(*summary("--timezone", zone), cwd=tmp_path), "IANA time zone")


def test_chart_into_a_missing_folder_creates_it(tmp_path: Path) -> None:
    chart = tmp_path / "new" / "folder" / "chart.png"
    done = ctr_bot(*summary("--chart", str(chart)), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert chart.read_bytes()[:4] == b"\x89PNG"


def test_chart_where_no_file_can_be_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    done = ctr_bot(*summary("--chart", str(tmp_path / "taken" / "chart.png")), cwd=tmp_path)
    one_line_exit_2(done, "Can't write", "--chart")


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    done = closed_pipe_run(str(SCRIPT), "demo", "--out", str(tmp_path / "out"))
    assert done.returncode == 141
    assert done.stderr == ""


def test_demo_shows_the_summary_as_a_person_reads_it(tmp_path: Path) -> None:
    done = ctr_bot("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary_text = done.stdout[done.stdout.index("2. The weekly summary") :]
    assert "Weekly CTR" in summary_text
    assert "*" not in summary_text  # bold is shown, not spelled out
    assert "<http" not in summary_text
    assert "|" not in summary_text
    assert ":warning:" not in summary_text
    assert "unusual: outside its own usual range" in summary_text  # the footer, as text
    assert "Open the sheet" not in summary_text  # a CSV file has no address to link to


def test_demo_json_is_the_block_kit_payload(tmp_path: Path) -> None:
    done = ctr_bot("demo", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["blocks"][0]["type"] == "header"
    assert "*" in json.dumps(payload["blocks"])  # mrkdwn as Slack receives it
