"""Signed `/ctr` requests at the real HTTP server (waitress) vs a bare Bolt app that only acks.

Run: .venv/bin/python bench/bench_bot.py [--requests 2000]
Each server runs in its own process on loopback; the load comes from this process with
keep-alive connections at concurrency 1 and 32. Prints requests/s, p50 and p99 and the ratio
of /ctr to the bare app measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.interrupt import run_main
from bot.server import Routes
from tests.bot.conftest import SIGNING_SECRET, command_body, signed

TEXT = "A: 200 50000 vs B: 260 48000"


_FAKES: list[contextlib.AbstractContextManager[object]] = []  # referenced until closed


def close_fakes() -> None:
    """Stop the fake Slacks ``build`` started (left to the garbage collector, a fake's
    shutdown can wait forever at interpreter exit)."""
    while _FAKES:
        _FAKES.pop().__exit__(None, None, None)


def build(kind: str) -> Routes:
    """The routes ``kind`` serves: the real ctr app, or a bare Bolt app on the same settings."""
    from slack_bolt import Ack, App

    from bot.app import create_app, make_client
    from bot.server import wsgi_app
    from bot.settings import Settings
    from tests.fakes.slack_api import BOT_TOKEN, running_fake_slack

    # Bolt asks auth.test once, on the first request: a loopback fake answers it.
    fake_slack = running_fake_slack()
    _FAKES.append(fake_slack)
    fake = fake_slack.__enter__()
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
        }
    )
    if kind == "ctr":
        app = create_app(settings, make_client(settings))
    else:
        app = App(
            client=make_client(settings),
            signing_secret=SIGNING_SECRET,
            token_verification_enabled=False,
            process_before_response=True,
        )

        @app.command("/ctr")
        def bare(ack: Ack) -> None:
            ack("ok")

    return wsgi_app(app)


def serve(kind: str, port: int) -> None:
    """Child process: ``kind``'s routes on the real server (waitress, 16 threads)."""
    import waitress

    routes = build(kind)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # queueing is the point here
    # terminate() ends the server cleanly (profile_bot.py's instruction count is written then)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress.serve(routes, host="127.0.0.1", port=port, threads=16)
    finally:
        close_fakes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str) -> tuple[subprocess.Popen[bytes], str]:
    return start_server(__file__, kind)


def start_server(script: str, kind: str, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``script --serve kind`` in its own process on a free port, once its /healthz answers."""
    port = free_port()
    command = [sys.executable, script, "--serve", kind, "--port", str(port), *extra]
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/healthz", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{kind} server did not start")


def load(url: str, total: int, concurrency: int) -> tuple[float, list[float]]:
    local = threading.local()
    body = command_body(TEXT, "http://127.0.0.1:9/response")

    def one(_: int) -> float:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        data, headers = signed(body)  # signed per request: timestamps must be fresh
        started = time.perf_counter()
        response = session.post(url + "/slack/events", data=data, headers=headers, timeout=10)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:200]}")
        return elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(min(total, 50))))  # warm-up: connections, imports, caches
        started = time.perf_counter()
        latencies = list(pool.map(one, range(total)))
        return time.perf_counter() - started, latencies


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
{headers}
"""


def load_wrk(url: str, concurrency: int, seconds: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from wrk, a C load generator that leaves the server the CPU.

    One signed body serves the whole run: a signature stays valid for Slack's 5 minutes.
    """
    body, headers = signed(command_body(TEXT, "http://127.0.0.1:9/response"))
    lines = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(body=json.dumps(body), headers=lines))
    threads = min(concurrency, 2)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            url + "/slack/events",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    return rate, _wrk_ms(out, "50%"), _wrk_ms(out, "99%")


def _wrk_ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--serve", choices=["ctr", "bare"])
    parser.add_argument("--port", type=int)
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk when installed (apt-get install wrk), else Python",
    )
    parser.add_argument("--seconds", type=int, default=8, help="duration of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
    servers = {kind: start(kind) for kind in ("bare", "ctr")}
    rounds: dict[tuple[str, int], list[Cell]] = {}
    try:
        for url in (url for _, url in servers.values()):
            load(url, 50, 1)  # warm-up: imports, caches, Bolt's auth.test
        # Interleaved, bare then ctr in each round: a load that changes during the run (other
        # work on the machine) weighs on both alike, and the median of each cell is reported.
        for _ in range(args.rounds):
            for concurrency in (1, 32):
                for kind, (_, url) in servers.items():
                    cell = measure(url, concurrency, use_wrk, args)
                    rounds.setdefault((kind, concurrency), []).append(cell)
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)
    load_desc = (
        f"wrk, {args.seconds} s per cell"
        if use_wrk
        else f"Python client, {args.requests} requests per cell"
    )
    print(f"signed /ctr {TEXT} · load: {load_desc}, median of {args.rounds} interleaved rounds")
    print(f"load average before/after: {LOAD_BEFORE} / {os.getloadavg()[0]:.2f}")
    print(f"{'app':<6}{'conc.':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    results = {key: median_cell(cells) for key, cells in rounds.items()}
    for (kind, concurrency), (rate, p50, p99) in sorted(results.items()):
        print(f"{kind:<6}{concurrency:>6}{rate:>10.0f}{p50:>9.2f}{p99:>9.2f}")
    for concurrency in (1, 32):
        ratios = [
            ctr[0] / bare[0]
            for bare, ctr in zip(
                rounds[("bare", concurrency)], rounds[("ctr", concurrency)], strict=True
            )
        ]
        ratio = results[("ctr", concurrency)][0] / results[("bare", concurrency)][0]
        tail = results[("ctr", concurrency)][2] / results[("bare", concurrency)][2]
        each = ", ".join(f"{r:.2f}" for r in ratios)
        print(
            f"concurrency {concurrency}: /ctr throughput = {ratio:.2f}x the bare app "
            f"(rounds: {each}); p99 = {tail:.2f}x bare's"
        )


Cell = tuple[float, float, float]  # requests/s, p50 ms, p99 ms
LOAD_BEFORE = f"{os.getloadavg()[0]:.2f}"


def measure(url: str, concurrency: int, use_wrk: bool, args: argparse.Namespace) -> Cell:
    if use_wrk:
        return load_wrk(url, concurrency, args.seconds)
    elapsed, latencies = load(url, args.requests, concurrency)
    quantiles = statistics.quantiles(latencies, n=100)
    return args.requests / elapsed, quantiles[49] * 1e3, quantiles[98] * 1e3


def median_cell(cells: list[Cell]) -> Cell:
    """Each figure's median over the rounds."""
    return (
        statistics.median(c[0] for c in cells),
        statistics.median(c[1] for c in cells),
        statistics.median(c[2] for c in cells),
    )


if __name__ == "__main__":
    run_main(main)
