"""Weekly summary for 1,000 campaigns x 52 weeks of daily rows, chart included.

Run: .venv/bin/python bench/bench_summary.py
Prints CPU time and peak memory of each stage, against a baseline measured in the same run
(one pass that only adds up every row's integers: the least any summary could cost).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.interrupt import run_main
from bot.weekly.blocks import summary_blocks
from bot.weekly.chart import render_chart
from bot.weekly.report import WeeklyReport
from core.counts import parse_count
from core.ctr import Counts
from core.summary import summarize
from core.weekly import SHEETS_EPOCH, DatedRow, parse_day, weeks_from_rows

T = TypeVar("T")
WEEK = date(2026, 11, 16)


def make_rows(campaigns: int, weeks: int, seed: int = 7) -> list[DatedRow]:
    rng = random.Random(seed)
    first = WEEK - timedelta(days=7 * (weeks - 1))
    rows = []
    for day in range(7 * weeks):
        for c in range(campaigns):
            impressions = rng.randint(100, 5_000)
            counts = Counts(rng.randint(0, impressions // 50), impressions)
            rows.append(DatedRow(first + timedelta(days=day), f"Campaign {c}", counts))
    return rows


def measure(stage: Callable[[], T], repeats: int = 3) -> tuple[T, float, float]:
    """(result, best CPU seconds of ``repeats``, peak MiB allocated by the stage).

    Memory is traced in a separate run: tracemalloc slows allocation-heavy code severalfold.
    """
    timings = []
    for _ in range(repeats):
        started = time.process_time()
        result = stage()
        timings.append(time.process_time() - started)
    tracemalloc.start()
    stage()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, min(timings), peak


def raw_cells(rows: list[DatedRow]) -> list[tuple[int, str, int, int]]:
    """The rows as the Sheets API returns them unformatted: serial dates, plain numbers."""
    return [
        ((r.day - SHEETS_EPOCH).days, r.campaign, r.counts.impressions, r.counts.clicks)
        for r in rows
    ]


def parse_cells(cells: list[tuple[int, str, int, int]]) -> list[DatedRow]:
    return [
        DatedRow(
            parse_day(day),
            name,
            Counts(parse_count(clicks, "clicks"), parse_count(impr, "impressions")),
        )
        for day, name, impr, clicks in cells
    ]


def baseline(rows: list[DatedRow]) -> int:
    return sum(row.counts.clicks + row.counts.impressions for row in rows)


def full_summary(rows: list[DatedRow]) -> tuple[int, int]:
    table = weeks_from_rows(rows)
    summary = summarize(table, WEEK)
    report = WeeklyReport(summary, "Bench", "https://example.invalid/sheet", "UTC", 1000)
    blocks = summary_blocks(report)
    png = render_chart(summary.history, summary.charted, "Weekly CTR")
    return len(blocks), len(png)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    warmup = summarize({}, WEEK)
    render_chart(warmup.history, warmup.charted, "warm-up")  # import matplotlib outside the timing
    rows = make_rows(args.campaigns, args.weeks)
    print(f"{len(rows):,} daily rows ({args.campaigns:,} campaigns x {args.weeks} weeks)")
    _, base_cpu, base_mem = measure(lambda: baseline(rows))
    table, agg_cpu, agg_mem = measure(lambda: weeks_from_rows(rows))
    _, sum_cpu, sum_mem = measure(lambda: summarize(table, WEEK))
    (blocks, png), all_cpu, all_mem = measure(lambda: full_summary(rows))
    cells = raw_cells(rows)
    _, raw_cpu, raw_mem = measure(lambda: full_summary(parse_cells(cells)), repeats=1)
    print(f"{'stage':<34}{'CPU s':>8}{'x baseline':>12}{'peak MiB':>10}")
    for name, cpu, mem in (
        ("baseline: add up every row", base_cpu, base_mem),
        ("aggregate rows into weeks", agg_cpu, agg_mem),
        ("summarize (tests, rankings)", sum_cpu, sum_mem),
        ("end to end incl. blocks + chart", all_cpu, all_mem),
        ("same, from raw sheet cells", raw_cpu, raw_mem),
    ):
        print(f"{name:<34}{cpu:>8.3f}{cpu / base_cpu:>12.1f}{mem:>10.1f}")
    print(
        f"{blocks} blocks, chart {png:,} bytes; process max RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    print(f"target: end to end < 1 s CPU -> {'met' if all_cpu < 1 else 'NOT met'}")


if __name__ == "__main__":
    run_main(main)
