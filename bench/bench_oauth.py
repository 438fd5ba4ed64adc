"""Signed `/ctr` requests at ctr-bot in OAuth mode vs single-workspace mode (issue #20's goal:
OAuth mode keeps >= 0.9x the single-workspace throughput).

Run: .venv/bin/python bench/bench_oauth.py [--requests 2000]
Each server runs in its own process on loopback, composed as ctr-bot composes it; in OAuth mode
workspace T1's installation is in its SQLite database, so every request looks it up (Bolt's
authorize) before the answer. Load from this process, keep-alive, concurrency 1 and 32.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_bot import TEXT, load, start_server
from bench.interrupt import run_main

TOKEN = "xoxb-T1-bench-fake"


def serve(kind: str, port: int, folder: str) -> None:
    """Child process: ctr-bot's app in ``kind`` mode behind waitress, against the fake Slack."""
    import waitress
    from slack_sdk.oauth.installation_store import Installation

    from bot.app import create_app, make_client
    from bot.compose import open_store
    from bot.oauth import installations
    from bot.server import wsgi_app
    from bot.settings import Settings
    from tests.bot.conftest import SIGNING_SECRET
    from tests.fakes.slack_api import BOT_TOKEN, running_fake_slack
    from tests.fakes.slack_oauth import CLIENT_ID, CLIENT_SECRET, Grant

    fake_slack = running_fake_slack()  # kept referenced: collecting it would stop the fake
    fake = fake_slack.__enter__()
    common = {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{folder}/state.sqlite3",
    }
    if kind == "single":
        settings = Settings.from_env(common | {"SLACK_BOT_TOKEN": BOT_TOKEN})
        app = create_app(settings, make_client(settings))
    else:
        oauth = {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
        settings = Settings.from_env(common | oauth)
        assert settings.oauth is not None
        installs = installations(
            settings.oauth, open_store(settings).engine, lambda token: make_client(settings, token)
        )
        fake.oauth.grants[TOKEN] = Grant("T1", None, time.time() + 12 * 3600)
        installs.store.save(
            Installation(
                app_id="A0CTR",
                team_id="T1",
                bot_token=TOKEN,
                bot_id="BBOT",
                bot_user_id="UBOT",
                bot_scopes="commands",
                bot_refresh_token="xoxe-1-bench",
                bot_token_expires_in=12 * 3600,  # a fresh token: no refresh during the run
                user_id="U_INSTALLER",
            )
        )
        app = create_app(settings, make_client(settings), installations=installs)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(wsgi_app(app), host="127.0.0.1", port=port, threads=16)


def start(kind: str, folder: str) -> tuple[subprocess.Popen[bytes], str]:
    return start_server(__file__, kind, "--folder", folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--serve", choices=["single", "oauth"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.folder)
        return
    results: dict[tuple[str, int], tuple[float, float, float]] = {}
    for kind in ("single", "oauth"):
        with tempfile.TemporaryDirectory() as folder:
            process, url = start(kind, folder)
            try:
                for concurrency in (1, 32):
                    elapsed, latencies = load(url, args.requests, concurrency)
                    quantiles = statistics.quantiles(latencies, n=100)
                    results[(kind, concurrency)] = (
                        args.requests / elapsed,
                        quantiles[49] * 1e3,
                        quantiles[98] * 1e3,
                    )
            finally:
                process.terminate()
                process.wait(timeout=10)
    print(f"signed /ctr {TEXT} · Python client, {args.requests} requests per cell")
    print(f"{'mode':<7}{'conc.':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for (kind, concurrency), (rate, p50, p99) in results.items():
        print(f"{kind:<7}{concurrency:>6}{rate:>10.0f}{p50:>9.2f}{p99:>9.2f}")
    for concurrency in (1, 32):
        ratio = results[("oauth", concurrency)][0] / results[("single", concurrency)][0]
        print(f"concurrency {concurrency}: OAuth mode throughput = {ratio:.2f}x single-workspace")


if __name__ == "__main__":
    run_main(main)
