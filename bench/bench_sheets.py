"""Sheets sync at 1k, 10k and 100k rows against the fake Google API on loopback.

Run: .venv/bin/python bench/bench_sheets.py
Real gspread + google-auth over HTTP. For each size: first sync and no-op resync (wall time,
API calls, bytes sent). Baselines in the same run: the naive approach (gspread update_cell per
row, 1k rows only) and a full rewrite of every column with one values.update.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gspread
from google.auth.transport.requests import AuthorizedSession

from bench.interrupt import run_main
from sheets.backends import GoogleSheet
from sheets.client import ResilientHTTPClient, make_client
from sheets.settings import SheetsSettings
from sheets.sync import sync
from tests.fakes.google_api import (
    FakeGoogle,
    Value,
    Worksheet,
    running_fake_google,
    throwaway_key_pair,
    write_service_account_key,
)

EMAIL = "bench@bench-project.iam.gserviceaccount.com"
HEADER = ["Date", "Campaign", "Channel", "Impressions", "Clicks", "Cost"]


def sheet_of(rows: int, seed: int = 1) -> Worksheet:
    rng = random.Random(seed)
    header: list[Value] = list(HEADER)
    values: list[list[Value]] = [header] + [
        [
            46000 + i // 50,
            f"Campaign {i % 50}",
            "Search",
            (n := rng.randint(100, 90_000)),
            rng.randint(0, n // 20),
            1.5,
        ]
        for i in range(rows)
    ]
    return Worksheet.of("Daily", 0, values, row_count=rows + 1, column_count=len(HEADER))


def measure(google: FakeGoogle, action: Callable[[], object]) -> tuple[float, int, int]:
    google.log.clear()
    started = time.perf_counter()
    action()
    elapsed = time.perf_counter() - started
    calls = google.api_calls()
    return elapsed, len(calls), sum(size for _, _, size in calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--naive-rows", type=int, default=1_000)
    args = parser.parse_args()
    pem, public = throwaway_key_pair()
    with running_fake_google(public, EMAIL) as google, tempfile.TemporaryDirectory() as tmp:
        # This benchmark times requests, not quota (bench_quota.py does that): the fake's
        # per-minute limits run on a virtual clock that nothing advances here.
        google.quota.enabled = False
        key_file = write_service_account_key(
            Path(tmp) / "key.json", pem.decode(), EMAIL, google.base_url
        )
        settings = SheetsSettings(key_file, google.base_url.rstrip("/"), quota_per_minute=60_000)
        client, _ = make_client(settings)
        results: list[tuple[str, int, float, int, int]] = []
        for size in args.sizes:
            results += bench_size(google, client, size)
        google.spreadsheets["naive"] = [sheet_of(args.naive_rows)]
        naive_run = measure(google, lambda: naive(client, "naive"))
        results.append(("naive update_cell per row", args.naive_rows, *naive_run))
    report(results)


def bench_size(
    google: FakeGoogle, client: ResilientHTTPClient, size: int
) -> list[tuple[str, int, float, int, int]]:
    name = f"bench-{size}"
    google.spreadsheets[name] = [sheet_of(size)]
    first = measure(google, lambda: sync(GoogleSheet(client, name)))
    again = measure(google, lambda: sync(GoogleSheet(client, name)))
    google.spreadsheets[name] = [sheet_of(size)]
    rewrite = measure(google, lambda: full_rewrite(client, name, size))
    return [
        ("ctr-sheets first sync", size, *first),
        ("ctr-sheets no-op resync", size, *again),
        ("full rewrite (values.update)", size, *rewrite),
    ]


def full_rewrite(client: ResilientHTTPClient, key: str, size: int) -> None:
    """Read everything, compute, write every column back: the 'simple' bulk approach."""
    rows = client.values_get(key, "Daily", params={"valueRenderOption": "UNFORMATTED_VALUE"})[
        "values"
    ]
    out = [[*HEADER, "CTR"]] + [[*row, row[4] / row[3] if row[3] else ""] for row in rows[1:]]
    client.request(
        "put",
        f"https://sheets.googleapis.com/v4/spreadsheets/{key}/values/Daily!A1",
        params={"valueInputOption": "RAW"},
        json={"values": out},
    )


def naive(client: ResilientHTTPClient, key: str) -> None:
    """What scripts often do: gspread's cell API, one request per row."""
    session = cast(AuthorizedSession, client.session)  # make_client's: carries the credentials
    plain = gspread.Client(session.credentials, session=session)  # no pacing
    worksheet = plain.open_by_key(key).get_worksheet(0)
    for row_number, row in enumerate(worksheet.get_all_values()[1:], start=2):
        worksheet.update_cell(row_number, 7, int(row[4]) / int(row[3]))


def report(results: list[tuple[str, int, float, int, int]]) -> None:
    print(f"{'approach':<30}{'rows':>8}{'wall s':>9}{'API calls':>11}{'MB sent':>9}")
    for name, size, elapsed, calls, sent in results:
        print(f"{name:<30}{size:>8,}{elapsed:>9.2f}{calls:>11}{sent / 1e6:>9.2f}")
    ours = {size: elapsed for name, size, elapsed, *_ in results if name == "ctr-sheets first sync"}
    _, naive_rows, naive_time, *_ = next(r for r in results if r[0].startswith("naive"))
    rewrite = {size: elapsed for name, size, elapsed, *_ in results if name.startswith("full")}
    smallest = min(ours)
    per_row = (naive_time / naive_rows) / (ours[smallest] / smallest)
    print(f"per row: naive / ctr-sheets ({smallest:,} rows) = {per_row:.0f}x slower")
    for size, elapsed in ours.items():
        print(
            f"{size:,} rows: full rewrite / ctr-sheets first sync = {rewrite[size] / elapsed:.2f}"
        )
    if 100_000 in ours:
        print(f"target: 100k first sync < 5 s -> {'met' if ours[100_000] < 5 else 'NOT met'}")


if __name__ == "__main__":
    run_main(main)
