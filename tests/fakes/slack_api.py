"""A small Slack Web API on 127.0.0.1, shaped like the real one, for slack_sdk to talk to.

It keeps channels' messages (with metadata and threads), the files-upload-v2 flow (the file
shows up as a reply in its thread), deletions, per-channel error injection, a request log,
and gates that hold a chosen call before or after it takes effect, so a test can stop or
kill a poster exactly there.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import FakeServer, Gate, serving
from tests.fakes.slack_limits import SlackLimits
from tests.fakes.slack_oauth import FakeOAuth

BOT_TOKEN = "xoxb-test-not-a-real-token"
APP_TOKEN = "xapp-test-not-a-real-token"


@dataclass
class FakeSlack:
    """State of the fake workspace; every field may be read or set by tests."""

    token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    socket_url: str = ""  # what apps.connections.open hands out
    responses: list[dict[str, Any]] = field(default_factory=list)  # posts to response_url
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    uploads: dict[str, bytes] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    filenames: dict[str, str] = field(default_factory=dict)  # file id -> name given at upload
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    channel_errors: dict[str, str] = field(default_factory=dict)
    # conversations.info answers (every other channel is a public one the bot is in); a DM's
    # id starts with D, as on Slack.
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    upload_status: int = 200  # what the files-upload-v2 PUT of the bytes answers
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: dict[str, str] = field(default_factory=dict)  # method -> error, once
    gates: dict[tuple[str, str], Gate] = field(default_factory=dict)  # (method, when)
    base_url: str = ""  # server root, e.g. http://127.0.0.1:PORT/
    # Slack's published rate limits (tests/fakes/slack_limits.py), on the test's clock: set
    # ``limits = SlackLimits(clock)`` to have calls beyond them answered 429 + Retry-After.
    limits: SlackLimits | None = None
    clock: Callable[[], float] = time.time  # what message ts values are made of
    # "Add to Slack": installed workspaces' tokens, which ``token`` (workspace T1) works beside.
    oauth: FakeOAuth = field(default_factory=FakeOAuth)
    used_tokens: list[tuple[str, str, str]] = field(default_factory=list)  # method, token, channel

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL / WebClient(base_url=...) should be."""
        return self.base_url + "api/"

    _last_ts: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    def hold(self, method: str, *, when: str = "before") -> Gate:
        """Hold the next call to ``method`` "before" it takes effect or "after" (stored, but
        not yet answered). Returns the gate: wait on ``arrived``, then ``go()``."""
        gate = self.gates[(method, when)] = Gate()
        return gate

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages as people see them in the channel (not thread replies)."""
        return [m for m in self.messages.get(channel, []) if "thread_ts" not in m]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(channel, []) if m.get("thread_ts") == ts]

    def _gate(self, method: str, when: str) -> None:
        gate = self.gates.get((method, when))
        if gate is not None:
            gate.hold()

    def _next_ts(self) -> str:
        # Real ts values are epoch seconds with a per-channel unique fraction. (Lock held.)
        ts = f"{max(self.clock(), self._last_ts + 1e-6):.6f}"
        self._last_ts = float(ts)
        return ts

    # Methods ------------------------------------------------------------------------------

    def handle(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """The method's answer; raises RateLimited where Slack would answer 429."""
        if self.limits is not None:
            channel = str(args.get("channel") or args.get("channel_id") or "")
            retry_after = self.limits.check(method, channel)
            if retry_after is not None:
                raise RateLimited(retry_after)
        with self._lock:
            self.calls.append((method, args))
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        self._gate(method, "before")
        with self._lock:
            error = self.fail_next.pop(method, None)
        if error is not None:
            return {"ok": False, "error": error}
        response: dict[str, Any] = handler(args)
        self._gate(method, "after")
        return response

    @property
    def response_url(self) -> str:
        return self.base_url + "response/1"

    def api_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_url}

    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        team = self.oauth.team_of(str(args.get("token", ""))) or "T1"
        return {"ok": True, "team_id": team, "user_id": "UBOT", "bot_id": "BBOT"}

    @property
    def authorize_url(self) -> str:
        """Slack's consent page, as SLACK_AUTHORIZE_URL should name it."""
        return self.base_url + "oauth/v2/authorize"

    def api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        with self._lock:
            ts = self._next_ts()
            message = {"ts": ts, "user": "UBOT", "text": args.get("text")}
            message["blocks"] = _decoded(args.get("blocks"))
            for key in ("metadata", "thread_ts"):
                if args.get(key):
                    message[key] = _decoded(args[key])
            self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        with self._lock:
            kept = [m for m in self.messages.get(channel, []) if m["ts"] != ts]
            if len(kept) == len(self.messages.get(channel, [])):
                return {"ok": False, "error": "message_not_found"}
            self.messages[channel] = kept
        return {"ok": True, "channel": channel, "ts": ts}

    def api_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        parent = [m for m in self.messages.get(channel, []) if m["ts"] == ts]
        if not parent:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": parent + self.thread(channel, ts), "has_more": False}

    def api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        oldest = float(args.get("oldest") or 0)
        keep_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            {k: v for k, v in m.items() if keep_metadata or k != "metadata"}
            for m in reversed(self.messages.get(channel, []))
            if float(m["ts"]) >= oldest and "thread_ts" not in m
        ]
        return {"ok": True, "messages": found, "has_more": False}

    def api_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if self.channel_errors.get(channel) == "channel_not_found":
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("D"):
            found = {"id": channel, "is_im": True, "user": "U1"}
        else:
            found = {"id": channel, "is_channel": True, "is_member": True, "is_archived": False}
        return {"ok": True, "channel": found | self.channels.get(channel, {})}

    def api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            file_id = f"F{len(self.uploads) + 1:05d}"
            self.uploads[file_id] = b""
            self.filenames[file_id] = str(args.get("filename", ""))
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}upload/{file_id}"}

    def api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel_id", ""))
        if channel in self.channel_errors:
            return {"ok": False, "error": self.channel_errors[channel]}
        files = _decoded(args["files"])
        thread_ts = args.get("thread_ts")
        with self._lock:
            shared = []
            for item in files:
                name = self.filenames.get(item["id"], "")
                self.files.append(
                    {
                        **item,
                        "name": name,
                        "channel": channel,
                        "thread_ts": thread_ts,
                        "size": len(self.uploads.get(item["id"], b"")),
                    }
                )
                shared.append({"id": item["id"], "name": name, "title": item.get("title")})
            # As on Slack, a file shared into a thread is a reply carrying the file; one
            # uploaded without a channel stays private to the app (for image blocks).
            reply: dict[str, Any] = {"ts": self._next_ts(), "user": "UBOT", "files": shared}
            if args.get("initial_comment"):
                reply["text"] = str(args["initial_comment"])
            if thread_ts:
                reply["thread_ts"] = thread_ts
            if channel:
                self.messages[channel].append(reply)
        return {"ok": True, "files": [{"id": item["id"]} for item in files]}

    def api_files_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = str(args.get("file", ""))
        with self._lock:
            if not any(f["id"] == file_id for f in self.files):
                return {"ok": False, "error": "file_not_found"}
            self.files = [f for f in self.files if f["id"] != file_id]
            for channel, messages in self.messages.items():
                self.messages[channel] = [
                    m for m in messages if not any(f["id"] == file_id for f in m.get("files", []))
                ]
        return {"ok": True}


class RateLimited(Exception):
    """Slack's 429: the call was not served; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _serve(self, body: bytes) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        if parts.path.startswith("/upload/"):
            if fake.upload_status != 200:
                self._reply(fake.upload_status, b"upload failed", "text/plain")
                return
            fake.uploads[parts.path.rsplit("/", 1)[1]] = body
            self._reply(200, b"OK - uploaded", "text/plain")
            return
        if parts.path.startswith("/response/"):
            fake.responses.append(json.loads(body or b"{}"))
            self._reply(200, b"ok", "text/plain")
            return
        method = parts.path.removeprefix("/api/")
        args = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if "json" in (self.headers.get("Content-Type") or ""):
            args.update(json.loads(body or b"{}"))
        elif body:
            args.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
        if self._oauth(parts.path, args):
            return
        # As on Slack: only apps.connections.open takes the app-level (xapp-) token.
        token = fake.app_token if method == "apps.connections.open" else fake.token
        given = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        refused = None if given == token else fake.oauth.refused(given)
        if refused is not None:
            self._json({"ok": False, "error": refused})
            return
        channel = str(args.get("channel") or args.get("channel_id") or "")
        with fake._lock:
            fake.used_tokens.append((method, given, channel))
        if fake.oauth.outside(given, channel):
            self._json({"ok": False, "error": "channel_not_found"})  # as Slack: not visible
            return
        self._answer(method, args | {"token": given} if method == "auth.test" else args)

    def _answer(self, method: str, args: dict[str, Any]) -> None:
        """The method's answer, or Slack's 429 with Retry-After beyond its rate limit."""
        try:
            answer = self.server.fake.handle(method, args)
        except RateLimited as limited:
            body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
            retry_after = {"Retry-After": str(limited.retry_after)}
            self._reply(429, body, "application/json", headers=retry_after)
            return
        self._json(answer)

    def _oauth(self, path: str, args: dict[str, Any]) -> bool:
        """The consent page and oauth.v2.access (client credentials, no token), if asked."""
        fake = self.server.fake
        if path == "/oauth/v2/authorize":
            status, where = fake.oauth.authorize(args)
            self._reply(status, b"", "text/html", location=where if status == 302 else None)
            return True
        if path == "/api/oauth.v2.access":
            with fake._lock:
                fake.calls.append(("oauth.v2.access", args))
            self._json(fake.oauth.access(args, self.headers.get("Authorization")))
            return True
        return False

    def _json(self, payload: dict[str, Any]) -> None:
        self._reply(200, json.dumps(payload).encode(), "application/json")

    def _reply(
        self,
        status: int,
        body: bytes,
        content_type: str,
        location: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            if location is not None:
                self.send_header("Location", location)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was killed mid-request, as some tests intend

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running_fake_slack() -> Iterator[FakeSlack]:
    """Serve a FakeSlack on a free loopback port; ``fake.api_url`` is the API base URL."""
    with serving(_Handler, FakeSlack()) as (fake, url):
        fake.base_url = url
        try:
            yield fake
        finally:
            for gate in fake.gates.values():
                gate.go()  # let a held handler thread finish
