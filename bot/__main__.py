"""`ctr-bot`: run the Slack app (Socket Mode or HTTP) and its weekly summaries."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence

from dotenv import find_dotenv, load_dotenv

from bot.app import create_app, make_client
from bot.settings import Settings
from core.errors import CtrError, InputError

EXIT_CONFIG = 2
EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE
USAGE = """\
ctr-bot            run the Slack app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)
ctr-bot summary SHEET --channel C (--dry-run | --post) [--week YYYY-MM-DD] [--chart FILE]
ctr-bot demo       offline: sync examples/campaigns.csv, show its weekly summary and chart"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    # An optional .env in the working directory (not beside this file); real env vars win.
    load_dotenv(find_dotenv(usecwd=True))
    try:
        if args:
            return _subcommand(args)
        settings = Settings.from_env(os.environ)
    except CtrError as error:
        text = error.render("ctr-bot") if isinstance(error, InputError) else str(error)
        print(f"ctr-bot: {' '.join(text.split())}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception as error:  # the edge: a bug still gets one line, never a traceback
        logging.getLogger(__name__).debug("ctr-bot failed", exc_info=error)
        print(
            f"ctr-bot: internal error ({type(error).__name__}); please report it.", file=sys.stderr
        )
        return EXIT_INTERNAL
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run(settings)
    return 0


def _subcommand(args: list[str]) -> int:
    from bot.weekly.cli import run_subcommand  # noqa: PLC0415 - loads matplotlib and the store

    return run_subcommand(args[0], args[1:], os.environ)


def run(settings: Settings) -> None:
    """Build everything once, here, and serve until interrupted."""
    from bot.weekly.runtime import build_weekly  # noqa: PLC0415

    log = logging.getLogger(__name__)
    client = make_client(settings)
    weekly = build_weekly(settings, client)
    app = create_app(settings, client, weekly.commands if weekly else None)
    if weekly is None:
        log.info("weekly summaries off: GOOGLE_APPLICATION_CREDENTIALS is not set")
    else:
        weekly.start(threading.Event())
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

        log.info("ctr-bot: Socket Mode")
        handler = SocketModeHandler(app, settings.slack_app_token, web_client=client)
        handler.start()  # type: ignore[no-untyped-call]
    else:
        from bot.server import serve  # noqa: PLC0415

        log.info("ctr-bot: HTTP on 0.0.0.0:%d/slack/events", settings.port)
        serve(app, "0.0.0.0", settings.port)


if __name__ == "__main__":
    sys.exit(main())
