"""`ctr-bot summary` (render or post a weekly summary now) and `ctr-bot demo` (offline)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NoReturn

from bot.app import make_client as slack_client
from bot.settings import Settings, database_url
from bot.store.engine import connect, migrate
from bot.store.repository import Store
from bot.weekly.blocks import blocks_as_text
from bot.weekly.delivery import Rendered, Target, deliver
from bot.weekly.source import gather, is_running_totals, latest_week, record_snapshot, render_report
from core.errors import ConfigError, CtrError, InputError
from core.summary import DEFAULT_MIN_IMPRESSIONS
from core.weekly import week_start
from sheets.backends import CsvSheet, GoogleSheet, SheetBackend
from sheets.client import make_client
from sheets.headers import find_layout
from sheets.refs import parse_sheet_ref
from sheets.settings import SheetsSettings
from sheets.sync import sync

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "campaigns.csv"


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(
            f"{message}.", example="summary examples/campaigns.csv --channel C0123 --dry-run"
        )


def summary_command(argv: Sequence[str], env: Mapping[str, str]) -> int:
    parser = OneLineParser(
        prog="ctr-bot summary", description="Render or post a weekly summary now."
    )
    parser.add_argument("sheet", help="Google Sheets URL, key, or a .csv file")
    parser.add_argument("--channel", required=True, help="Slack channel ID, e.g. C0123ABCD")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--dry-run", action="store_true", help="print the message JSON, write the chart"
    )
    mode.add_argument("--post", action="store_true", help="post it to the channel now")
    parser.add_argument(
        "--week", type=date.fromisoformat, help="any day of the week (default: latest)"
    )
    parser.add_argument("--chart", type=Path, default=Path("ctr-weekly-chart.png"))
    parser.add_argument("--timezone", default="UTC")
    parser.add_argument(
        "--min-impressions",
        type=int,
        default=DEFAULT_MIN_IMPRESSIONS,
        help="campaigns below this many impressions are not ranked",
    )
    args = parser.parse_args(argv)
    backend, key = _backend(args.sheet, env)
    week, message = _render(
        backend,
        key,
        args.sheet,
        args.week,
        args.timezone,
        store=lambda: _store(env),
        minimum=args.min_impressions,
    )
    if args.dry_run:
        print(
            json.dumps(
                {"channel": args.channel, "text": message.text, "blocks": message.blocks}, indent=2
            )
        )
        args.chart.write_bytes(message.chart_png)
        print(f"chart written to {args.chart}")
        return 0
    return _post(env, _store(env), Target(args.channel, key, week), message)


def demo_command(out: Path = Path("out")) -> int:
    """Everything offline: sync the example sheet, show its weekly summary, draw the chart."""
    out.mkdir(exist_ok=True)
    sheet = out / "campaigns.csv"
    shutil.copyfile(EXAMPLE, sheet)
    result = sync(CsvSheet(sheet))
    plan = result.plan
    print(
        f"1. Synced {sheet}: {plan.computed} CTRs filled in, {len(plan.flagged)} bad rows flagged"
    )
    for flag in result.plan.flagged:
        print(f"     row {flag.row}: {flag.reason}")
    backend = CsvSheet(sheet)
    _, message = _render(backend, "demo", str(sheet), None, "UTC", store=None)
    chart = out / "weekly-chart.png"
    chart.write_bytes(message.chart_png)
    (out / "weekly-message.json").write_text(
        json.dumps({"text": message.text, "blocks": message.blocks}, indent=2)
    )
    print("\n2. The weekly summary a channel would receive:\n")
    print("   " + blocks_as_text(message.blocks).replace("\n", "\n   "))
    print(f"3. Chart (posted in the summary's thread): {chart}")
    print(f"   Message JSON: {out / 'weekly-message.json'}\n")
    print(
        "Connect it: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (docs/slack.md) and "
        "GOOGLE_APPLICATION_CREDENTIALS (docs/sheets.md), in the environment or a .env file;\n"
        "then `make run` starts the bot, and `/ctr watch <sheet URL>` sets up weekly summaries."
    )
    return 0


def _render(
    backend: SheetBackend,
    key: str,
    url: str,
    week: date | None,
    timezone: str,
    *,
    store: Callable[[], Store] | None,
    minimum: int = DEFAULT_MIN_IMPRESSIONS,
) -> tuple[date, Rendered]:
    grid, _ = backend.read()
    layout = find_layout(grid)
    today = datetime.now(UTC).date()
    # Only running-total sheets need the database (for snapshots): a dry run of a dated
    # sheet leaves no file behind.
    snapshots = (
        record_snapshot(store(), key, grid, layout, today)
        if store is not None and is_running_totals(grid, layout)
        else None
    )
    inputs = gather(grid, layout, today=today, snapshots=snapshots)
    last_week = week_start(today) - timedelta(days=7)
    chosen = week_start(week) if week else latest_week(inputs.table, today) or last_week
    return chosen, render_report(
        inputs,
        chosen,
        title=backend.describe(),
        url=url,
        timezone=timezone,
        min_impressions=minimum,
    )


def _backend(sheet: str, env: Mapping[str, str]) -> tuple[SheetBackend, str]:
    ref = parse_sheet_ref(sheet)
    if ref.path is not None:
        if not ref.path.is_file():
            raise InputError(
                f"No CSV file at {ref.path}.",
                example="summary examples/campaigns.csv --channel C1 --dry-run",
            )
        return CsvSheet(ref.path), ref.path.stem
    assert ref.key is not None
    client, _ = make_client(SheetsSettings.from_env(env))
    return GoogleSheet(client, ref.key, gid=ref.gid), ref.key


def _store(env: Mapping[str, str]) -> Store:
    engine = connect(database_url(env))
    migrate(engine)
    return Store(engine)


def _post(env: Mapping[str, str], store: Store, target: Target, message: Rendered) -> int:
    settings = Settings.from_env(env, listening=False)
    outcome = deliver(
        slack_client(settings),
        store,
        f"cli-{os.getpid()}",
        target,
        lambda: message,
        since=datetime.now(UTC),
    )
    if outcome.value == "elsewhere":
        raise CtrError(f"The summary of that week was already posted to {target.channel_id}.")
    print(f"Posted the summary to {target.channel_id} ({outcome.value}).")
    return 0


def run_subcommand(name: str, argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Dispatch from `ctr-bot`; CtrError is caught by the caller."""
    if name == "demo":
        return demo_command()
    if name == "summary":
        return summary_command(argv, env)
    raise ConfigError(
        f"Unknown command {name!r}: use `ctr-bot`, `ctr-bot summary` or `ctr-bot demo`."
    )
