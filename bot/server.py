"""HTTP mode: the Bolt app behind waitress, a production-grade threaded WSGI server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

EVENTS_PATH = "/slack/events"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App) -> WSGIApp:
    """Route POST /slack/events to Bolt and GET /healthz to a liveness answer."""
    bolt = SlackRequestHandler(app)

    def route(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
            return [b"ok\n"]
        if path == EVENTS_PATH:
            return bolt(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"not found\n"]

    return route


def serve(app: App, host: str, port: int, threads: int = 16) -> None:
    """Serve until interrupted. waitress: pure Python, threaded, well kept, no fork (so the
    same server runs in tests and benchmarks), and hardened against slow clients."""
    import waitress  # noqa: PLC0415 - only HTTP mode needs it

    waitress.serve(wsgi_app(app), host=host, port=port, threads=threads, ident="ctr-bot")
