"""`ctr-bot`: run the Slack app (Socket Mode or HTTP) and its weekly summaries."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values, find_dotenv

from bot import logs
from bot.app import create_app, make_client
from bot.settings import Needs, Settings
from bot.startup import app_token_refused, verify_bot_token
from core.errors import InputError
from core.shell import OneLineParser, guarded
from core.weekly import check_day

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    return guarded("ctr-bot", lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    if args.command == "demo":
        from bot.weekly.cli import demo_command  # noqa: PLC0415 - loads matplotlib

        return demo_command(args.out, as_json=args.json)
    needs = Needs.LISTEN if args.command is None else Needs.POST if args.post else Needs.NOTHING
    settings = Settings.from_env(environment(), needs=needs)
    logs.configure(settings.log_level, settings.log_format)
    if args.command == "summary":
        from bot.weekly.cli import summary_command  # noqa: PLC0415 - loads matplotlib, the store

        return summary_command(args, settings)
    run(settings)
    return 0


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
    )
    commands = top.add_subparsers(dest="command", parser_class=OneLineParser, metavar="COMMAND")
    demo = commands.add_parser("demo", help="offline: sync the example sheet, show its summary")
    demo.add_argument("--out", type=Path, default=Path("out"), help="folder for the results")
    demo.add_argument("--json", action="store_true", help="print the Block Kit payload")
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


def run(settings: Settings) -> None:
    """Build everything once, here, check the credentials, and serve until interrupted."""
    from bot.weekly.runtime import build_weekly  # noqa: PLC0415

    client = make_client(settings)
    identity = verify_bot_token(client)
    log.info("slack_ok", extra={"team": identity.get("team_id"), "bot": identity.get("user_id")})
    weekly = build_weekly(settings, client)  # loads the Google key: a bad one stops us here
    app = create_app(
        settings,
        client,
        weekly.commands if weekly else None,
        weekly.campaigns if weekly else None,
    )
    if weekly is None:
        log.info("weekly_summaries_off", extra={"reason": "GOOGLE_APPLICATION_CREDENTIALS unset"})
    else:
        weekly.start(threading.Event())
        log.info("weekly_summaries_on", extra={"sync_every_min": settings.sync_interval_minutes})
    if settings.slack_app_token is not None:
        _socket_mode(settings, app, client)
    else:
        from bot.server import serve  # noqa: PLC0415
        from bot.store.engine import connect  # noqa: PLC0415

        database = connect(settings.database_url) if weekly is not None else None
        log.info("http_listening", extra={"port": settings.port, "path": "/slack/events"})
        serve(app, "0.0.0.0", settings.port, database)


def _socket_mode(settings: Settings, app: object, client: object) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415
    from slack_sdk.errors import SlackApiError  # noqa: PLC0415

    handler = SocketModeHandler(app, settings.slack_app_token, web_client=client)  # type: ignore[arg-type]
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        raise app_token_refused(error) or error from None
    log.info("socket_mode_connected")
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
