"""The `ctr` command as a person runs it: a real process, its stdout, stderr and exit code."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from core.cli import main


def ctr(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_console_script_answers_the_documented_example() -> None:
    script = Path(sys.executable).parent / "ctr"
    done = subprocess.run([script, "200", "50000"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "0.40%" in done.stdout
    assert "0.35%–0.46%" in done.stdout
    assert done.stderr == ""


def test_compare_prints_both_lift_p_value_and_verdict() -> None:
    done = ctr("200", "50000", "vs", "260", "48000")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("A: CTR 0.40%")
    assert lines[1].startswith("B: CTR 0.54%")
    assert "Lift B vs A: +35.4%" in lines[2]
    assert lines[3] == "B is ahead, 95% sure (p = 0.0012)."


def test_json_single_agrees_with_statsmodels() -> None:
    done = ctr("--json", "200", "50000")
    data = json.loads(done.stdout)
    low, high = proportion_confint(200, 50_000, method="wilson")
    assert data["clicks"] == 200
    assert data["impressions"] == 50_000
    assert data["ctr"] == 0.004
    assert math.isclose(data["ci_low"], low, rel_tol=1e-9)
    assert math.isclose(data["ci_high"], high, rel_tol=1e-9)


def test_json_compare_agrees_with_statsmodels() -> None:
    done = ctr("--json", "A: 200 50000 vs B: 260 48000")
    data = json.loads(done.stdout)
    _, p_value = proportions_ztest([260, 200], [48_000, 50_000])
    assert data["a"]["ctr"] == 0.004
    assert data["b"]["impressions"] == 48_000
    assert math.isclose(data["p_value"], p_value, rel_tol=1e-9)
    assert data["significant"] is bool(p_value < 0.05)
    assert (data["a"]["label"], data["b"]["label"]) == ("A", "B")


def test_help_goes_to_stdout_with_examples() -> None:
    for args in ((), ("help",), ("--help",)):
        done = ctr(*args)
        assert done.returncode == 0
        assert "ctr 200 50000" in done.stdout


HOSTILE = [
    ["-5", "100"],
    ["5", "-100"],
    ["50000", "200"],
    ["200", "0"],
    ["0", "0"],
    ["200"],
    ["1", "2", "3"],
    ["1.5", "10"],
    ["1.2345k", "1M"],
    ["nan", "100"],
    ["1", "inf"],
    ["-inf", "5"],
    ["１２", "100"],
    ["12", "١٠٠"],
    ["1e999999", "2"],
    ["9" * 5000, "1"],
    ["1", "1e16"],
    ["two", "ten"],
    ["<!channel>", "5"],
    ["\x01", "5"],
    ["1\x1b[31m", "5"],
    ["1,5", "10"],
    ["5e4k", "1"],
    ["1", "2", "vs"],
    ["vs"],
    ["1 2 vs 3 4 vs 5 6"],
    ["foo=1", "clicks=2"],
    ["clicks=1", "clicks=2"],
    ["clicks=1"],
    ["x" * 600],
    ["A" * 41 + ":", "1", "2"],
    ["--foo"],
    ["--json", "--bogus", "1", "2"],
    ["--json", "1"],
    ["1.5e3", "abc"],
    ["🙂", "100"],
    ["1\n2\n3"],
    ["1", ""],
    ["0x10", "100"],
    ["1_0", "100"],
    ["+-1", "100"],
    ["200", "50000", "--usual"],
    ["200", "50000", "--usual", ""],
    ["200", "50000", "--usual", "180/52,000,210/49000"],
    ["200", "50000", "--usual", "300/200"],
    ["200", "50000", "--usual", "0/0,0/0"],
    ["200", "50000", "--usual", "1/10", "--usual", "2/10"],
    ["200", "50000", "vs", "210", "50000", "--usual", "1/10"],
    ["200", "50000", "--usual", "1/10/100"],
    ["200", "50000", "--usual", ",".join(["1/10"] * 600)],
    ["--usual=🙂/1", "200", "50000"],
]


@pytest.mark.parametrize("args", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_exits_2_with_one_line(args: list[str]) -> None:
    done = ctr(*args)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("ctr: ")
    assert "Traceback" not in done.stderr


def test_swapped_counts_suggest_the_fix() -> None:
    assert "Did you mean `ctr 200 50000`?" in ctr("50000", "200").stderr


def test_main_returns_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["3", "10000000"]) == 0
    assert "0.000030%" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("ctr ")


def test_watch_commands_point_to_slack() -> None:
    done = ctr("watching")
    assert done.returncode == 2
    assert "works in Slack" in done.stderr


def test_spaced_thousands_work_as_the_readme_says() -> None:
    done = ctr("200", "50", "000")
    assert done.returncode == 0, done.stderr
    assert "200 clicks / 50,000 impressions" in done.stdout


def test_a_lone_labelled_number_asks_for_the_other() -> None:
    done = ctr("200", "clicks")
    assert done.returncode == 2
    assert "Give impressions too" in done.stderr
    assert "not a number" not in done.stderr


def closed_pipe_run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reader is already gone, as `ctr ... | head -0` does."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            list(args),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


def test_a_closed_pipe_ends_quietly_with_141() -> None:
    done = closed_pipe_run(sys.executable, "-m", "core.cli", "help")
    assert done.returncode == 141
    assert done.stderr == ""


HISTORY = "180/52000,210/49000,190/50000,205/51000,160/50000"


def test_usual_says_whether_this_week_is_unusual_for_the_campaign() -> None:
    done = ctr("200", "50000", "--usual", HISTORY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "CTR 0.40% (200 clicks / 50,000 impressions) · 95% CI 0.35%–0.46%",
        # 945 / 252,000 is exactly 0.375 %: half-up gives 0.38% (its float, a hair under,
        # showed 0.37% before every CTR was shown from its counts).
        "Usual CTR 0.38% (945 clicks / 252,000 impressions over its last 5 weeks)",
        "0.40% is usual for it: usual range 0.25%–0.51% at 50,000 impressions (p = 0.63).",
        "Allowing for its own week-to-week variation (2.5× binomial, t test on 4 degrees of "
        "freedom); unusual means p < 0.05.",
    ]


def test_usual_with_little_history_falls_back_to_binomial_and_says_so() -> None:
    done = ctr("--usual=180/52000,210/49000", "300", "50000")
    lines = done.stdout.splitlines()
    assert lines[2].startswith("▲ 0.60% is unusually high for it: usual range 0.32%–0.45%")
    assert lines[3].startswith("Only 2 weeks of history: a binomial test")


def test_usual_json_agrees_with_statsmodels() -> None:
    done = ctr("--json", "200", "50000", "--usual", HISTORY)
    usual = json.loads(done.stdout)["usual"]
    assert (usual["clicks"], usual["impressions"], usual["weeks"]) == (945, 252_000, 5)
    assert usual["method"] == "quasi-binomial"
    z, _ = proportions_ztest([200, 945], [50_000, 252_000])
    assert math.isclose(usual["statistic"], z / math.sqrt(usual["dispersion"]), rel_tol=1e-9)
    assert usual["unusual"] is None
    assert usual["range_low"] < 0.004 < usual["range_high"]
