"""`ctr-bot summary` (render or post a weekly summary now) and `ctr-bot demo` (offline).

Both build their parts through bot.compose, as `ctr-bot` itself does; arguments and settings
are read once by bot.__main__.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.compose import existing_store, open_sheet, open_store, slack_client
from bot.readable import ansi_bold, plain, readable
from bot.settings import Settings
from bot.store.deliveries import Deliveries
from bot.store.history import History
from bot.weekly.blocks import blocks_as_text
from bot.weekly.delivery import deliver
from bot.weekly.posts import Rendered, Target
from bot.weekly.source import (
    gather,
    is_running_totals,
    latest_week,
    record_snapshot,
    render_report,
    spreadsheet_name,
)
from core.errors import CtrError
from core.summary import DEFAULT_MIN_IMPRESSIONS
from core.weekly import week_start
from sheets.api import CsvSheet, GoogleSheet, SheetBackend, find_layout, sync


def example_sheet() -> Traversable:
    """The example campaign sheet, shipped inside the package (works from any install)."""
    return files("bot") / "examples" / "campaigns.csv"


def summary_command(args: argparse.Namespace, settings: Settings) -> int:
    # Posting needs the store (the delivery's claim); a dry run uses one only if it exists,
    # so that reading a Google sheet takes from the replicas' shared quota either way.
    # Opened when first needed: a CSV dry run touches no database.
    store = cache(lambda: existing_store(settings) if args.dry_run else open_store(settings))
    backend, key = open_sheet(args.sheet, settings.sheets, store)
    minimum = args.min_impressions
    week, message = _render(
        backend,
        key,
        args.sheet,
        args.week,
        args.timezone,
        history=lambda: (store() or open_store(settings)).history,
        minimum=settings.summary_min_impressions if minimum is None else minimum,
    )
    if args.dry_run:
        write_file(args.chart, message.chart_png, "--chart")  # first: a failure prints nothing
        print(
            json.dumps(
                {"channel": args.channel, "text": message.text, "blocks": message.blocks}, indent=2
            )
        )
        print(f"chart written to {args.chart}")
        return 0
    posting = store()
    assert posting is not None  # open_store's, not a dry run's
    return _post(
        settings,
        posting.deliveries,
        Target(args.channel, key, week, _tab(backend)),
        message,
    )


def demo_command(out: Path, *, as_json: bool = False) -> int:
    """Everything offline: sync the example sheet, show its weekly summary, draw the chart."""
    sheet = out / "campaigns.csv"
    write_file(sheet, example_sheet().read_bytes(), "--out")
    result = sync(CsvSheet(sheet))
    _, message = _render(CsvSheet(sheet), "demo", str(sheet), None, "UTC", history=None)
    chart = out / "weekly-chart.png"
    chart.write_bytes(message.chart_png)
    if as_json:
        print(json.dumps({"text": message.text, "blocks": message.blocks}, indent=2))
        return 0
    plan = result.plan
    print(
        f"1. Synced {sheet}: {plan.computed} CTRs filled in, {len(plan.flagged)} bad rows flagged"
    )
    for flag in plan.flagged:
        print(f"     row {flag.row}: {flag.reason}")
    print("\n2. The weekly summary a channel would receive:\n")
    text = readable(blocks_as_text(message.blocks), ansi_bold if sys.stdout.isatty() else plain)
    print("   " + text.replace("\n", "\n   "))
    print(f"3. Chart (posted in the summary's thread): {chart}")
    print("   The Block Kit payload: ctr-bot demo --json\n")
    print(
        "Connect it: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (`ctr-bot docs slack`) and "
        "GOOGLE_APPLICATION_CREDENTIALS (`ctr-bot docs sheets`), in the environment or a .env "
        "file;\nthen `ctr-bot` starts the bot, and `/ctr watch <sheet URL>` sets up weekly "
        "summaries. Every setting: `ctr-bot --help`."
    )
    return 0


def write_file(path: Path, data: bytes, option: str) -> None:
    """Write ``data``, creating missing folders; a path we can't write is the user's to fix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise CtrError(
            f"Can't write {path}: {error.strerror or error}. Choose another {option}."
        ) from None


def _render(
    backend: SheetBackend,
    key: str,
    url: str,
    week: date | None,
    timezone: str,
    *,
    history: Callable[[], History] | None,
    minimum: int = DEFAULT_MIN_IMPRESSIONS,
) -> tuple[date, Rendered]:
    grid, evidence = backend.read()
    layout = find_layout(grid, evidence=evidence)  # formulas and markers tell owned columns
    today = datetime.now(UTC).date()
    # Only running-total sheets need the database (for snapshots): a dry run of a dated
    # sheet leaves no file behind.
    snapshots = (
        record_snapshot(history(), key, grid, layout, today, tab=_tab(backend))
        if history is not None and is_running_totals(grid, layout)
        else None
    )
    inputs = gather(grid, layout, today=today, snapshots=snapshots)
    last_week = week_start(today) - timedelta(days=7)
    chosen = week_start(week) if week else latest_week(inputs.table, today) or last_week
    return chosen, render_report(
        inputs,
        chosen,
        title=spreadsheet_name(backend),
        url=url,
        timezone=timezone,
        min_impressions=minimum,
    )


def _tab(backend: SheetBackend) -> int:
    """The tab's gid, as a watch of it keeps its history (a URL without #gid: the first, 0)."""
    return backend.gid or 0 if isinstance(backend, GoogleSheet) else 0


def _post(settings: Settings, deliveries: Deliveries, target: Target, message: Rendered) -> int:
    client = slack_client(settings)
    # The token's workspace keys the delivery, as the running bot's watches do.
    team = str(client.auth_test().get("team_id") or "")
    outcome = deliver(
        client,
        deliveries,
        f"cli-{os.getpid()}",
        replace(target, team_id=team),
        lambda: message,
        since=datetime.now(UTC),
    )
    if outcome.value == "elsewhere":
        raise CtrError(f"The summary of that week was already posted to {target.channel_id}.")
    print(f"Posted the summary to {target.channel_id} ({outcome.value}).")
    return 0
