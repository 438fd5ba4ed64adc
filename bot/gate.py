"""What a request to /slack/events must be before Bolt sees it: signed, then well formed.

The rule: nothing that can raise on a stranger's bytes runs before the signature is checked,
and nothing Bolt would choke on reaches it. The body is read once (bounded), its signature
checked (401 without one), then its shape: UTF-8, a JSON object, a form whose ``payload`` is a
JSON object (400 otherwise). Only then is it handed to Bolt, from memory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

MAX_BODY = 1 << 20  # Slack's payloads are kilobytes; a megabyte is generous
MAX_AGE = 60 * 5  # seconds: Slack's own replay window


@dataclass(frozen=True, slots=True)
class Refusal:
    status: str
    reason: str


UNSIGNED = Refusal("401 Unauthorized", "missing or invalid Slack signature")


def refusal(
    verifier: Verifier | None,
    body: bytes,
    content_type: str,
    timestamp: str | None,
    signature: str | None,
) -> Refusal | None:
    """Why this request must not reach Bolt, or None. ``verifier`` None: Socket Mode only."""
    if verifier is None:
        return Refusal("404 Not Found", "Socket Mode: this bot takes no HTTP events")
    if not _signed(verifier, body, timestamp, signature):
        return UNSIGNED
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal("400 Bad Request", "body is not UTF-8")
    return _malformed(text, content_type.split(";", maxsplit=1)[0].strip().lower())


def _signed(verifier: Verifier, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return verifier.is_valid(body, timestamp, signature)


class Verifier:
    """Slack's v0 request signature over the body's exact bytes, within five minutes.

    slack_sdk's SignatureVerifier decodes the body as UTF-8 first, which raises on a
    stranger's bytes; this is the same check (HMAC-SHA256 of "v0:timestamp:body") on bytes.
    """

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = signing_secret.encode()
        self._clock = clock

    def is_valid(self, body: bytes, timestamp: str, signature: str) -> bool:
        if abs(self._clock() - int(timestamp)) > MAX_AGE:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature)


def _malformed(text: str, content_type: str) -> Refusal | None:
    """Bolt parses a JSON body, or a form's ``payload`` field, and expects an object."""
    if content_type == "application/json":
        return _object(text, "body")
    if "payload=" not in text:
        return None
    payloads = parse_qs(text).get("payload", [])
    if len(payloads) != 1:
        return Refusal("400 Bad Request", "form with more than one payload")
    return _object(payloads[0], "payload")


def _object(text: str, what: str) -> Refusal | None:
    try:
        data = json.loads(text)
    except ValueError:  # JSONDecodeError, and RecursionError's cousin for deep nesting
        return Refusal("400 Bad Request", f"{what} is not JSON")
    except RecursionError:
        return Refusal("400 Bad Request", f"{what} is nested too deeply")
    if not isinstance(data, dict):
        return Refusal("400 Bad Request", f"{what} is not a JSON object")
    return None
