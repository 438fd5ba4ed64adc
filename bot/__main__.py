"""`ctr-bot`: run the Slack app (Socket Mode or HTTP) and its weekly summaries."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values, find_dotenv

from bot import logs
from bot.docs import TOPICS, docs_command
from bot.failures import explain
from bot.lifecycle import start
from bot.settings import Needs, Settings, settings_help
from bot.startup import Stopped
from core.errors import InputError
from core.shell import OneLineParser, guarded, version
from core.weekly import check_day

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    read: list[Settings] = []  # what explain() may name (the URL of an unreachable Slack...)
    return guarded(
        "ctr-bot",
        lambda: _main(argv, read),
        lambda error: explain(error, read[-1] if read else None),
    )


def _main(argv: Sequence[str] | None, read: list[Settings]) -> int:
    args = parser().parse_args(argv)
    if args.command == "demo":
        from bot.weekly.cli import demo_command  # noqa: PLC0415 - loads matplotlib

        return demo_command(args.out, as_json=args.json)
    if args.command == "docs":
        return docs_command(args.topic)
    needs = Needs.LISTEN if args.command is None else Needs.POST if args.post else Needs.NOTHING
    settings = Settings.from_env(environment(), needs=needs)
    read.append(settings)
    logs.configure(settings.log_level, settings.log_format)
    if args.command == "summary":
        from bot.weekly.cli import summary_command  # noqa: PLC0415 - loads matplotlib, the store

        return summary_command(args, settings)
    return run(settings)


def run(settings: Settings) -> int:
    """Start (local checks first), serve until SIGTERM or SIGINT, then stop gracefully."""
    stop = threading.Event()
    received = _on_signals(stop)
    try:
        running = start(settings, stop)
    except Stopped:
        log.info("stopped", extra={"signal": ",".join(received), "during": "start-up"})
        return 0
    stop.wait()
    log.info("signal", extra={"signal": ",".join(received)})
    if not running.shutdown():
        # Past the deadline: the interpreter would wait for the unfinished threads at exit.
        logging.shutdown()
        os._exit(0)
    return 0


def _on_signals(stop: threading.Event) -> list[str]:
    """SIGTERM and SIGINT set ``stop`` (main thread only); returns the names received."""
    received: list[str] = []

    def handle(number: int, _frame: object) -> None:
        received.append(signal.Signals(number).name)
        stop.set()

    for which in (signal.SIGTERM, signal.SIGINT):
        signal.signal(which, handle)
    return received


def environment() -> Mapping[str, str]:
    """The environment over an optional .env (found from the working directory upwards).

    The .env values are merged here rather than loaded into os.environ: settings are read once,
    from this mapping, and nothing else sees them.
    """
    found = find_dotenv(usecwd=True)
    from_file = {k: v for k, v in dotenv_values(found).items() if v is not None} if found else {}
    return from_file | dict(os.environ)


def parser() -> OneLineParser:
    top = OneLineParser(
        prog="ctr-bot",
        description="Run the Slack app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP).",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = top.add_subparsers(dest="command", parser_class=OneLineParser, metavar="COMMAND")
    demo = commands.add_parser("demo", help="offline: sync the example sheet, show its summary")
    demo.add_argument("--out", type=Path, default=Path("out"), help="folder for the results")
    demo.add_argument("--json", action="store_true", help="print the Block Kit payload")
    docs = commands.add_parser("docs", help="print the documentation that came with this install")
    docs.add_argument("topic", nargs="?", help=f"one of: {', '.join(TOPICS)}")
    summary = commands.add_parser("summary", help="render or post a weekly summary now")
    summary.add_argument("sheet", help="Google Sheets URL, key, or a .csv file")
    summary.add_argument("--channel", required=True, help="Slack channel ID, e.g. C0123ABCD")
    mode = summary.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="print the message, write the chart")
    mode.add_argument("--post", action="store_true", help="post it to the channel now")
    summary.add_argument(
        "--week", type=iso_day, help="any day of the week, YYYY-MM-DD (default: the latest)"
    )
    summary.add_argument(
        "--chart", type=Path, default=Path("ctr-weekly-chart.png"), help="where --dry-run draws"
    )
    summary.add_argument(
        "--timezone", type=time_zone, default="UTC", help="IANA zone, e.g. Europe/London"
    )
    summary.add_argument(
        "--min-impressions",
        type=int,
        help="campaigns below this many impressions are not ranked (SUMMARY_MIN_IMPRESSIONS)",
    )
    return top


def iso_day(text: str) -> date:
    """--week: a calendar date written as YYYY-MM-DD, in the range a sheet's rows may have."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date as YYYY-MM-DD, e.g. 2026-11-16, not {text[:30]!r}"
        ) from None
    try:
        return check_day(day, date.today())
    except InputError as error:
        raise argparse.ArgumentTypeError(error.problem) from None


def time_zone(text: str) -> str:
    """--timezone: an IANA zone name; anything else (or markup) never reaches a message."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not an IANA time zone; use a name like Europe/London or UTC"
        ) from None
    return text


if __name__ == "__main__":
    sys.exit(main())
