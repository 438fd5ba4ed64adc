"""Where a signed `/ctr` request's time goes: the ctr app vs the bare Bolt app, in-process.

Run: .venv/bin/python bench/profile_bot.py [--requests 300] [--callgrind] [--cprofile ctr]
The same WSGI routes bench/bench_bot.py serves, called directly (no HTTP, no threads), so the
figures isolate the app's own work per request. ``--callgrind`` counts instructions under
valgrind (repeatable on a loaded machine, unlike time): each app is run twice, with 0 and
with N requests after the same warm-up, and the difference divided by N is its cost per
request. ``--cprofile ctr`` prints the top functions of N requests (cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_bot import TEXT, build, close_fakes
from bench.interrupt import run_main
from tests.bot.conftest import command_body, signed

WARM_UP = 30
ROUNDS = 5


def requester(kind: str) -> Callable[[], None]:
    """One signed /ctr request through the routes ``kind`` serves (the answer is checked)."""
    routes = build(kind)
    data, headers = signed(command_body(TEXT, "http://127.0.0.1:9/response"))
    body = data.encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    statuses: list[str] = []

    def start_response(status: str, _headers: list[tuple[str, str]], *_: Any) -> None:
        statuses.append(status)

    def one() -> None:
        request = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        b"".join(routes(request, start_response))
        if statuses.pop() != "200 OK":
            raise SystemExit(f"{kind}: request refused")

    return one


def run(kind: str, requests: int) -> None:
    one = requester(kind)
    for _ in range(WARM_UP):
        one()
    for _ in range(requests):
        one()


def instructions(kind: str, requests: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/out",
                sys.executable,
                __file__,
                "--run",
                kind,
                "--requests",
                str(requests),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
    if out.returncode != 0:
        raise SystemExit(f"{kind} under valgrind failed:\n{out.stdout}\n{out.stderr[-2000:]}")
    return int(re.search(r"Collected : (\d+)", out.stderr)[1])  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--run", choices=["ctr", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--callgrind", action="store_true", help="instructions per request")
    parser.add_argument("--cprofile", choices=["ctr", "bare"], help="top functions of one app")
    args = parser.parse_args()
    try:
        _main(args)
    finally:
        close_fakes()


def _main(args: argparse.Namespace) -> None:
    if args.run:
        run(args.run, args.requests)
        return
    if args.cprofile:
        one = requester(args.cprofile)
        for _ in range(WARM_UP):
            one()
        profile = cProfile.Profile()
        profile.runcall(lambda: [one() for _ in range(args.requests)])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
        return
    print(f"signed /ctr {TEXT} · in-process, {args.requests} requests after {WARM_UP} warm-up")
    ones = {kind: requester(kind) for kind in ("bare", "ctr")}
    costs: dict[str, float] = {kind: float("inf") for kind in ones}
    for one in ones.values():
        for _ in range(WARM_UP):
            one()
    for _ in range(ROUNDS):  # interleaved, best of each: the machine's load varies
        for kind, one in ones.items():
            started = time.perf_counter()
            for _ in range(args.requests):
                one()
            elapsed = (time.perf_counter() - started) / args.requests * 1e6
            costs[kind] = min(costs[kind], elapsed)
    for kind, cost in costs.items():
        print(f"{kind:<6}{cost:>8.0f} µs per request (wall clock, best of {ROUNDS} rounds)")
    if args.callgrind:
        if shutil.which("valgrind") is None:
            raise SystemExit("--callgrind needs valgrind (apt-get install valgrind)")
        counted: dict[str, float] = {}
        for kind in ("bare", "ctr"):
            base = instructions(kind, 0)
            counted[kind] = (instructions(kind, args.requests) - base) / args.requests
            print(f"{kind:<6}{counted[kind] / 1e3:>8.0f} k instructions per request")
        print(f"ctr - bare: {(counted['ctr'] - counted['bare']) / 1e3:.0f} k instructions")


if __name__ == "__main__":
    run_main(main)
