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
