"""Logging for ctr-bot: one line per event, JSON with LOG_FORMAT=json, quiet at INFO."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Libraries that narrate their routine work at INFO.
_CHATTY = ("alembic", "slack_bolt", "slack_sdk", "matplotlib")


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The event's own fields (what was passed as ``extra=``)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "event", ...fields, "exc"}: one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
            **fields(record),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: event key=value …``, tracebacks folded onto the same line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extra = " ".join(
            f"{k}={v!r}" if " " in str(v) else f"{k}={v}" for k, v in fields(record).items()
        )
        line = f"{line} {extra}" if extra else line
        return line.replace("\n", " ⏎ ")

    def formatException(self, ei: Any) -> str:
        return super().formatException(ei).replace("\n", " ⏎ ")


def _value(value: object) -> str:
    text = str(value)
    return repr(text) if not text or any(c.isspace() or c in "'\"=" for c in text) else text


class DropBoltTokenWarning(logging.Filter):
    """Bolt re-reads SLACK_BOT_TOKEN from the environment and warns that our client wins: noise."""

    _text = warning_client_prioritized_and_token_skipped()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self._text


class QuietLibraries(logging.Filter):
    """slack_sdk and Bolt narrate retries and dropped connections, some at ERROR, before
    raising or reconnecting; we report the outcome ourselves (one line at the edge, /healthz,
    ``slack_unreachable``), so their narration is DEBUG: shown only at LOG_LEVEL=DEBUG."""

    _chatter = (
        "Failed to send a request to Slack API server",
        "A retry handler found",
        "Failed to retrieve WSS URL",
        "on_error invoked",
        "Failed to check the current session",
        "Failed to start or stop the current session",
        "The session seems to be already closed",
        "Received CLOSE event",
        "Failed to establish a connection",
        "The connection has been closed",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            not record.name.startswith(("slack_sdk", "slack_bolt"))
            or record.levelno <= logging.DEBUG
        ):
            return True
        if not record.getMessage().startswith(self._chatter):
            return True
        if not logging.getLogger().isEnabledFor(logging.DEBUG):
            return False
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def configure(level: str, log_format: str) -> None:
    """Set up the root logger once, at start-up."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format.upper() == "JSON" else TextFormatter())
    handler.addFilter(DropBoltTokenWarning())
    handler.addFilter(QuietLibraries())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    if logging.getLevelName(level) >= logging.INFO:
        for name in _CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
