"""A server on loopback that gives every request the same answer (a status and a JSON body):
how a test plays a remote party failing on its side (5xx) or refusing (4xx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.http import FakeServer, serving


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)  # every request's path, in order


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    do_PUT = do_POST

    def _answer(self) -> None:
        answer: Answer = self.server.fake
        answer.paths.append(self.path)
        body = json.dumps(answer.body).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def answering(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Iterator[tuple[Answer, str]]:
    """(the answer, its base URL ending in /) while the server runs."""
    with serving(_Handler, Answer(status, body, headers or {})) as (answer, url):
        yield answer, url
