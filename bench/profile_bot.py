"""Where a signed `/ctr` request's time goes: the ctr app vs the bare Bolt app.

Run: .venv/bin/python bench/profile_bot.py [--requests 300] [--callgrind [--server]]
     [--cprofile ctr]
The same WSGI routes bench/bench_bot.py serves, called directly (no HTTP, no threads), so the
figures isolate the app's own work per request. ``--callgrind`` counts instructions under
valgrind (repeatable on a loaded machine, unlike time): each app is run twice, after the same
warm-up with and without N more requests, and the difference divided by N is its cost per
request; with ``--server``, of the whole bench_bot.py server process (waitress included)
answering requests sent one at a time over loopback, whose ratio is the throughput ratio a
saturated single-core server would show. ``--cprofile ctr`` prints the top functions.
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

import requests as http

from bench.bench_bot import TEXT, build, close_fakes, free_port
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


def server_instructions(kind: str, requests: int) -> int:
    """Instructions the whole server process (waitress, the gate, Bolt, the app) ran from its
    start to its stop, ``requests`` signed /ctr requests having been sent one at a time."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/out",
                sys.executable,
                str(ROOT / "bench" / "bench_bot.py"),
                "--serve",
                kind,
                "--port",
                str(port),
            ],
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        url = f"http://127.0.0.1:{port}"
        with http.Session() as session:
            while True:
                try:
                    session.get(url + "/healthz", timeout=600)
                    break
                except http.ConnectionError:
                    if server.poll() is not None:  # died starting: say why, don't wait forever
                        raise SystemExit(
                            f"{kind} server under valgrind exited:\n"
                            f"{server.communicate()[1][-2000:]}"
                        ) from None
                    time.sleep(1)  # starting under valgrind takes a minute or two
            body = command_body(TEXT, "http://127.0.0.1:9/response")
            for _ in range(requests):
                data, headers = signed(body)
                answer = session.post(url + "/slack/events", data=data, headers=headers)
                if answer.status_code != 200:
                    raise SystemExit(f"{kind}: {answer.status_code}")
        server.terminate()
        _, err = server.communicate(timeout=600)
    return int(re.search(r"Collected : (\d+)", err)[1])  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--run", choices=["ctr", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--callgrind", action="store_true", help="instructions per request")
    parser.add_argument(
        "--server", action="store_true", help="with --callgrind: the whole HTTP server's"
    )
    parser.add_argument("--cprofile", choices=["ctr", "bare"], help="top functions of one app")
    args = parser.parse_args()
    try:
        _main(args)
    finally:
        close_fakes()


def _main(args: argparse.Namespace) -> None:
    if args.run:
        run(args.run, args.requests)
    elif args.cprofile:
        profiled(args.cprofile, args.requests)
    else:
        print(f"signed /ctr {TEXT} · in-process, {args.requests} requests after {WARM_UP} warm-up")
        wall_clock(args.requests)
        if args.callgrind:
            if shutil.which("valgrind") is None:
                raise SystemExit("--callgrind needs valgrind (apt-get install valgrind)")
            counted(args.requests, server=args.server)


def profiled(kind: str, requests: int) -> None:
    one = requester(kind)
    for _ in range(WARM_UP):
        one()
    profile = cProfile.Profile()
    profile.runcall(lambda: [one() for _ in range(requests)])
    pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


def wall_clock(requests: int) -> None:
    ones = {kind: requester(kind) for kind in ("bare", "ctr")}
    costs: dict[str, float] = {kind: float("inf") for kind in ones}
    for one in ones.values():
        for _ in range(WARM_UP):
            one()
    for _ in range(ROUNDS):  # interleaved, best of each: the machine's load varies
        for kind, one in ones.items():
            started = time.perf_counter()
            for _ in range(requests):
                one()
            costs[kind] = min(costs[kind], (time.perf_counter() - started) / requests * 1e6)
    for kind, cost in costs.items():
        print(f"{kind:<6}{cost:>8.0f} µs per request (wall clock, best of {ROUNDS} rounds)")


def counted(requests: int, *, server: bool) -> None:
    """Instructions per request: the difference of two runs, with and without ``requests``."""
    count = server_instructions if server else instructions
    where = "the whole server" if server else "in-process"
    per: dict[str, float] = {}
    for kind in ("bare", "ctr"):
        base = count(kind, WARM_UP)
        per[kind] = (count(kind, WARM_UP + requests) - base) / requests
        print(f"{kind:<6}{per[kind] / 1e3:>8.0f} k instructions per request ({where})")
    print(f"ctr - bare: {(per['ctr'] - per['bare']) / 1e3:.0f} k instructions")
    print(f"bare / ctr: {per['bare'] / per['ctr']:.2f}")


if __name__ == "__main__":
    run_main(main)
