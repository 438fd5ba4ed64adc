"""`ctr-bot`: run the Slack app (Socket Mode or HTTP) and its weekly summaries."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from dotenv import find_dotenv, load_dotenv

from bot.app import create_app, make_client
from bot.settings import Settings
from core.errors import CtrError

EXIT_CONFIG = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    # An optional .env in the working directory (not beside this file); real env vars win.
    load_dotenv(find_dotenv(usecwd=True))
    try:
        settings = Settings.from_env(os.environ)
    except CtrError as error:
        print(f"ctr-bot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run(settings)
    return 0


def run(settings: Settings) -> None:
    """Build everything once, here, and serve until interrupted."""
    client = make_client(settings)
    app = create_app(settings, client)
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

        logging.getLogger(__name__).info("ctr-bot: Socket Mode")
        handler = SocketModeHandler(app, settings.slack_app_token, web_client=client)
        handler.start()  # type: ignore[no-untyped-call]
    else:
        from bot.server import serve  # noqa: PLC0415

        logging.getLogger(__name__).info("ctr-bot: HTTP on 0.0.0.0:%d/slack/events", settings.port)
        serve(app, "0.0.0.0", settings.port)


if __name__ == "__main__":
    sys.exit(main())
