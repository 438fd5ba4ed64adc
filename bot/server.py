"""HTTP mode: the Bolt app behind waitress, a production-grade threaded WSGI server."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.health import with_degraded

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, database: Engine | None = None) -> WSGIApp:
    """POST /slack/events to Bolt; GET /healthz (and whether the database answers); /metrics."""
    bolt = SlackRequestHandler(app)

    def route(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        reading = environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        if path == "/healthz" and reading:
            status, body = health(database)
            report = with_degraded(body)  # bot/health.py: parts of the bot that are failing
            return _reply(start_response, status, json.dumps(report).encode(), "application/json")
        if path == "/metrics" and reading:
            return _reply(start_response, "200 OK", generate_latest(), CONTENT_TYPE_LATEST)
        if path == EVENTS_PATH:
            return bolt(environ, start_response)
        return _reply(start_response, "404 Not Found", b"not found\n", "text/plain")

    return route


def health(database: Engine | None) -> tuple[str, dict[str, str]]:
    """Alive, and whether the database answers (503 if not: this replica can't deliver)."""
    if database is None:
        return "200 OK", {"status": "ok", "database": "not used"}
    try:
        with database.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("database_unreachable", extra={"error": str(error).splitlines()[0][:200]})
        return "503 Service Unavailable", {"status": "degraded", "database": "unreachable"}
    return "200 OK", {"status": "ok", "database": "reachable"}


def _reply(
    start_response: Callable[..., Any], status: str, body: bytes, content_type: str
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def serve(
    app: App, host: str, port: int, database: Engine | None = None, threads: int = 16
) -> None:
    """Serve until interrupted. waitress: pure Python, threaded, well kept, no fork (so the
    same server runs in tests and benchmarks), and hardened against slow clients."""
    import waitress  # noqa: PLC0415 - only HTTP mode needs it

    waitress.serve(wsgi_app(app, database), host=host, port=port, threads=threads, ident="ctr-bot")
