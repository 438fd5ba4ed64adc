"""What an operator sees in HTTP mode: /metrics (Prometheus) and /healthz with the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_app, make_client
from bot.health import Health, report_degraded
from bot.server import database_probe, wsgi_app
from bot.store.engine import connect, migrate
from tests.bot.conftest import BotServer, command_body, settings_for, signed
from tests.fakes.http import running_waitress
from tests.fakes.slack_api import running_fake_slack


def samples(text: str) -> dict[str, float]:
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[BotServer, Path]]:
    database = tmp_path / "state.sqlite3"
    engine = connect(f"sqlite:///{database}")
    migrate(engine)
    with running_fake_slack() as slack:
        settings = settings_for(slack)
        app = create_app(settings, make_client(settings))
        with running_waitress(wsgi_app(app, engine)) as url, requests.Session() as session:
            yield BotServer(url, slack, session), database
    engine.dispose()


def test_metrics_count_ctr_commands(served: tuple[BotServer, Path]) -> None:
    bot, _ = served
    before = samples(bot.session.get(bot.url + "/metrics", timeout=5).text)
    for _ in range(3):
        assert bot.post(*signed(command_body("200 50000", bot.slack.response_url))).ok
    page = bot.session.get(bot.url + "/metrics", timeout=5)
    assert page.headers["Content-Type"].startswith("text/plain")
    after = samples(page.text)
    assert after["ctr_command_seconds_count"] - before["ctr_command_seconds_count"] == 3
    for name in ("ctr_sheets_api_calls_total", "ctr_sheets_api_retries_total"):
        assert name in after


def test_healthz_says_whether_the_database_answers(served: tuple[BotServer, Path]) -> None:
    bot, _ = served
    healthy = bot.session.get(bot.url + "/healthz", timeout=5)
    body = healthy.json()  # other parts the process reported (and recovered) may show as "ok"
    assert (healthy.status_code, body["status"], body["database"]) == (200, "ok", "ok")
    assert set(body.values()) == {"ok"}


def test_healthz_fails_when_the_database_does_not_answer(tmp_path: Path) -> None:
    gone = connect(f"sqlite:///{tmp_path / 'no-such-folder' / 'state.sqlite3'}")
    health = Health()
    health.probe("database", database_probe(gone), critical=True)
    health.state = "serving"
    healthy, body = health.status()
    assert not healthy  # 503: this replica can't deliver
    assert body["status"] == "degraded"
    assert str(body["database"]).startswith("database unreachable: ")
    assert body["degraded"] == {"database": body["database"]}


def test_healthz_names_every_failing_part_and_recovers() -> None:
    health = Health()
    health.state = "serving"
    health.report("drive_changes", "Drive answered 503")
    health.probe("slack", lambda: "Socket Mode connection to Slack is down", critical=True)
    assert health.status() == (
        False,
        {
            "status": "degraded",
            "drive_changes": "Drive answered 503",
            "slack": "Socket Mode connection to Slack is down",
            "degraded": {
                "drive_changes": "Drive answered 503",
                "slack": "Socket Mode connection to Slack is down",
            },
        },
    )
    health.probe("slack", lambda: None, critical=True)
    healthy, body = health.status()
    assert healthy  # a failing Drive feed is the same on every replica: still 200
    assert body["status"] == "degraded"
    health.report("drive_changes", None)
    assert health.status() == (True, {"status": "ok", "drive_changes": "ok", "slack": "ok"})


def test_the_process_registry_counts_in_every_server() -> None:
    """report_degraded (the weekly loops' hook) reaches a server built by wsgi_app."""
    report_degraded("drive_changes", "enable the Drive API")
    try:
        routes = wsgi_app(None)
        assert routes.health.status()[1]["degraded"] == {"drive_changes": "enable the Drive API"}
    finally:
        report_degraded("drive_changes", None)


def test_healthz_is_not_ok_while_starting_or_stopping() -> None:
    health = Health()
    assert health.status() == (False, {"status": "starting"})
    health.state = "stopping"
    assert health.status() == (False, {"status": "stopping"})
