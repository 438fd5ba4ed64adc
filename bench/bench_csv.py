"""CsvFile on a 1,000,000-row campaign CSV against a plain csv read-and-write of the same file.

Run: .venv/bin/python bench/bench_csv.py [--rows N] [--repeat R]
Each case runs in its own process (so peak memory doesn't mix) on the same generated file:
- baseline: csv.reader reads every row into a list, csv.writer writes them all to a new file;
- streaming csv: the same, row by row (the least work a rewrite can do, for reference);
- first sync: CsvFile.read, every row's cells, width, write with one new field on every row,
  the changes given as {record: {field: text}};
- by column: the same with the changes given as ByColumn({field: {record: text}});
- no-op: CsvFile.read, every row's cells, width, write({}) (which must write nothing);
- ctr-sheets sync / no-op: the whole sync (header, ownership, plan, write) a first time, and
  again on its own result, which must write nothing.
CPU seconds are the best of --repeat runs; peak memory is the process's max RSS.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.interrupt import run_main
from sheets.backends import CsvSheet
from sheets.csvfile import ByColumn, CsvFile
from sheets.sync import sync

CASES = (
    "baseline",
    "streaming csv",
    "first sync",
    "by column",
    "no-op",
    "ctr-sheets sync",
    "ctr-sheets no-op",
)
HEADER = "Date,Campaign,Channel,Impressions,Clicks,Cost\r\n"
CHANNELS = ("Search", "Display", "Social", "Video")


def generate(path: Path, rows: int, seed: int = 1) -> None:
    """Rows shaped like examples/campaigns.csv: quoted "7,984" impressions, CRLF."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(HEADER)
        for i in range(rows):
            impressions = rng.randint(100, 90_000)
            stream.write(
                f"2026-{i // 84000 % 12 + 1:02d}-{i // 3000 % 28 + 1:02d},C{i % 50},"
                f'{CHANNELS[i % 4]},"{impressions:,}",{rng.randint(0, impressions // 20)},'
                f"{rng.randint(0, 9999) / 100}\r\n"
            )


def run_case(case: str, source: Path, output: Path) -> dict[str, float]:
    """One case, timed in this process; returns CPU and wall seconds."""
    started, cpu = time.perf_counter(), time.process_time()
    if case == "baseline":
        with source.open(newline="", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))
        with output.open("w", newline="", encoding="utf-8") as stream:
            csv.writer(stream).writerows(rows)
    elif case == "streaming csv":
        with (
            source.open(newline="", encoding="utf-8") as stream,
            output.open("w", newline="", encoding="utf-8") as out,
        ):
            csv.writer(out).writerows(csv.reader(stream))
    elif case.startswith("ctr-sheets"):
        before = source.stat().st_mtime_ns
        result = sync(CsvSheet(source))
        assert result.writes == (case == "ctr-sheets sync"), (case, result.writes)
        assert case != "ctr-sheets no-op" or source.stat().st_mtime_ns == before
    else:
        sheet = CsvFile.read(source)
        values = [f"0.0{n:04d}" for n in range(1000)]
        by_record: dict[int, dict[int, str | None]] = {}
        column: dict[int, str | None] = {}
        cells = 0
        for index, row in enumerate(sheet.rows):
            cells += len(row)  # the sync looks at every row's cells
            value = "CTR" if index == 0 else values[index % 1000]
            if case == "first sync":
                by_record[index] = {sheet.width: value}
            elif case == "by column":
                column[index] = value
        changes = ByColumn({sheet.width: column}) if case == "by column" else by_record
        before = source.stat().st_mtime_ns
        written = sheet.write(changes)
        assert written == (case != "no-op"), (case, written)
        assert case != "no-op" or source.stat().st_mtime_ns == before
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - started}


def measure(case: str, source: Path) -> dict[str, float]:
    """Run a case in a fresh process on a fresh copy of the file."""
    work = source.with_name("work.csv")
    work.write_bytes(source.read_bytes())
    if case == "ctr-sheets no-op":  # on a file synced once already, in a process of its own
        prepare = [sys.executable, __file__, "--case", "ctr-sheets sync", "--file", str(work)]
        subprocess.run(prepare, check=True, capture_output=True)
    command = [sys.executable, __file__, "--case", case, "--file", str(work)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    work.unlink()
    source.with_name("out.csv").unlink(missing_ok=True)
    return dict(result)


def child(case: str, path: Path) -> None:
    figures = run_case(case, path, path.with_name("out.csv"))
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    if args.case:
        child(args.case, args.file)
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "campaigns.csv"
        generate(source, args.rows)
        size = os.path.getsize(source) / 1e6
        print(f"{args.rows:,} rows, {size:.1f} MB; best CPU of {args.repeat} runs per case\n")
        best: dict[str, dict[str, float]] = {}
        for _ in range(args.repeat):
            for case in CASES:
                figures = measure(case, source)
                if case not in best or figures["cpu"] < best[case]["cpu"]:
                    best[case] = figures
        empty = measure_interpreter()
        base = best["baseline"]["cpu"]
        print(f"{'case':<14} {'CPU s':>7} {'wall s':>7} {'x baseline':>10} {'peak MB':>8}")
        for case in CASES:
            figures = best[case]
            print(
                f"{case:<14} {figures['cpu']:7.2f} {figures['wall']:7.2f} "
                f"{figures['cpu'] / base:10.2f} {figures['peak_mb']:8.0f}"
            )
        print(f"(an idle interpreter with the project imported peaks at {empty:.0f} MB)")


def measure_interpreter() -> float:
    code = (
        "import resource, sheets.csvfile; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
    return float(result.stdout)


if __name__ == "__main__":
    run_main(main)
