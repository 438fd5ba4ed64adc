"""Socket Mode round trip: Bolt's built-in client against a websocket fake on loopback."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from websockets.sync.server import Server, ServerConnection, serve

from bot.app import create_app, make_client
from bot.settings import Settings
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, FakeSlack, running_fake_slack


class SocketFake:
    """Plays Slack's Socket Mode end: hello, then each queued envelope; collects the acks."""

    def __init__(self) -> None:
        self.envelopes: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()

    def handle(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        while (envelope := self.envelopes.get()) is not None:
            connection.send(json.dumps(envelope))
            self.acks.put(json.loads(connection.recv(timeout=10)))


@pytest.fixture
def socket_fake() -> Iterator[tuple[SocketFake, Server]]:
    fake = SocketFake()
    with serve(fake.handle, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield fake, server
        fake.envelopes.put(None)  # let the connection handler return
        server.shutdown()


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


def slash_command(text: str) -> dict[str, Any]:
    return {
        "envelope_id": "env-1",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/ctr",
            "text": text,
            "api_app_id": "A1",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "1.2.3",
        },
    }


def test_slash_command_answered_through_the_socket(
    slack: FakeSlack, socket_fake: tuple[SocketFake, Server]
) -> None:
    fake, server = socket_fake
    slack.socket_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": slack.api_url}
    )
    client = make_client(settings)
    handler = SocketModeHandler(create_app(settings, client), APP_TOKEN, web_client=client)
    handler.connect()  # type: ignore[no-untyped-call]
    try:
        fake.envelopes.put(slash_command("200 50000"))
        ack = fake.acks.get(timeout=20)
    finally:
        handler.close()  # type: ignore[no-untyped-call]
    assert ack["envelope_id"] == "env-1"
    rendered = json.dumps(ack["payload"], ensure_ascii=False)
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "0.40%" in rendered
    assert "0.35%–0.46%" in rendered
    assert ("apps.connections.open", {}) in [(m, {}) for m, _ in slack.calls]
