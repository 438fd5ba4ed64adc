"""Serving a fake API on a free loopback port, in a thread, for the length of a test."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

Fake = TypeVar("Fake")


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: Any


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler], fake: Fake) -> Iterator[tuple[Fake, str]]:
    """(the fake, its base URL ``http://127.0.0.1:PORT/``) while the server runs."""
    server = FakeServer(("127.0.0.1", 0), handler)
    server.fake = fake
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Gate:
    """Holds the first request that reaches it until the test says go: how a test stops a
    client (a replica process) at a chosen call without sleeping.

    ``arrived`` is set when a request is held; ``go()`` lets it through. One-shot: later
    requests pass straight through, so other replicas are never held by it.
    """

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self._go = threading.Event()
        self._lock = threading.Lock()
        self._used = False

    def hold(self) -> None:
        with self._lock:
            if self._used:
                return
            self._used = True
        self.arrived.set()
        self._go.wait(timeout=120)

    def go(self) -> None:
        self._go.set()


@contextmanager
def running_waitress(app: Any, threads: int = 4) -> Iterator[str]:
    """A real waitress server for ``app`` on a free loopback port: yields its base URL.

    Stopped from its own loop thread (through waitress's trigger): closing its sockets from
    the test's thread while the loop sits in select() raised EBADF in that thread now and then.
    The close is queued and signalled under the trigger's lock: waitress's own pull_trigger
    queues, then writes, and a loop already woken by a finished request could run the close
    (closing the trigger's pipe) in between, so the write hit a closed descriptor (EBADF at
    teardown, or a write into whatever file reused that number).
    """
    import waitress

    server: Any = waitress.create_server(  # type: ignore[attr-defined]  # missing from the stubs
        app, host="127.0.0.1", port=0, threads=threads
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        trigger = server.trigger
        with trigger.lock:  # the loop runs queued thunks under this lock, so not before the write
            trigger.thunks.append(server.close)
            trigger._physical_pull()
        thread.join(timeout=30)
        server.task_dispatcher.shutdown()
