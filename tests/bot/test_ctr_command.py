"""`/ctr` end to end: signed HTTP requests to the real server, answers in the ack."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import BotServer, command_body, message_text, signed


def answer(bot: BotServer, text: str) -> dict[str, object]:
    response = bot.command(text)
    assert response.status_code == 200
    message: dict[str, object] = response.json()
    assert message["response_type"] == "ephemeral"
    return message


def test_single_ctr_in_the_ack(bot: BotServer) -> None:
    message = answer(bot, "200 50000")
    shown = message_text(message)
    assert "*0.40%*" in shown
    assert "0.35%–0.46%" in shown
    assert "50,000" in shown
    assert message["text"] == "CTR 0.40%"


def test_comparison_verdicts(bot: BotServer) -> None:
    ahead = message_text(answer(bot, "Spring: 200 50000 vs Summer: 260 48000"))
    assert "Summer is ahead, 95% sure (p = 0.0012)." in ahead
    assert "+35.4%" in ahead
    unsure = message_text(answer(bot, "200 50000 vs 210 50000"))
    assert "Not significant yet: about 1,552,182 more impressions per ad needed" in unsure


@pytest.mark.parametrize("text", ["", "help", "  HELP  "])
def test_help(bot: BotServer, text: str) -> None:
    shown = message_text(answer(bot, text))
    assert "/ctr 200 50000" in shown
    assert "/ctr watch" in shown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50000 200", "Did you mean `/ctr 200 50000`?"),
        ("200 0", "CTR is undefined with 0 impressions"),
        ("lots", "Try `/ctr 200 50000`."),
        ("1 2 vs 3 4 vs 5 6", "two ads at a time"),
    ],
)
def test_bad_input_gets_an_ephemeral_explanation(bot: BotServer, text: str, expected: str) -> None:
    shown = message_text(answer(bot, text))
    assert expected in shown
    assert ":warning:" in shown


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<!channel>: 1 2 vs <!here>: 3 4", ["<!channel>", "<!here>"]),
        ("<@U999>: 1 10", ["<@U999>"]),
        ("<!everyone> 5", ["<!everyone>"]),  # echoed back inside an error message
        ("<!subteam^S123|marketing>: 1 2", ["<!subteam"]),
    ],
)
def test_user_text_never_pings_or_links(bot: BotServer, text: str, forbidden: list[str]) -> None:
    shown = message_text(answer(bot, text))
    assert all(token not in shown for token in forbidden)
    assert "&lt;" in shown


@pytest.mark.parametrize(
    "text", ["x" * 10_000, "١٢ ٣٤", "🙂 🙂", "\u202e200 50000", "\x00\x01", "   "]
)
def test_hostile_text_gets_a_valid_message(bot: BotServer, text: str) -> None:
    message = answer(bot, text)
    assert message["blocks"]
    assert len(json.dumps(message)) < 10_000


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_fuzz_every_request_gets_a_valid_answer(bot: BotServer, text: str) -> None:
    message = answer(bot, text)
    assert isinstance(message["text"], str)
    assert message["text"]
    assert isinstance(message["blocks"], list)


def test_slack_retries_do_not_answer_twice(bot: BotServer) -> None:
    body, headers = signed(command_body("200 50000", bot.slack.response_url), retry="1")
    response = bot.post(body, headers)
    assert response.status_code == 200
    assert response.text == ""


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: signed(body, secret="wrong-secret"),
        lambda body: signed(body, age=6 * 60),
        lambda body: (body, {"Content-Type": "application/x-www-form-urlencoded"}),
        lambda body: (body, {**signed(body)[1], "X-Slack-Signature": "v0=" + "0" * 64}),
        lambda body: (body.replace("200", "999"), signed(body)[1]),
    ],
    ids=["wrong secret", "stale", "unsigned", "bad digest", "tampered body"],
)
def test_forged_requests_are_refused_before_any_listener(bot: BotServer, forge: object) -> None:
    body, headers = forge(command_body("200 50000", bot.slack.response_url))  # type: ignore[operator]
    calls_before = len(bot.slack.calls)
    response = bot.post(body, headers)
    assert response.status_code == 401
    assert "0.40%" not in response.text  # the answer rides in the ack: no listener ran
    assert len(bot.slack.calls) == calls_before


def test_share_button_reposts_in_channel(bot: BotServer) -> None:
    message = answer(bot, "A: 200 50000 vs B: 260 48000")
    assert "ctr_share_in_channel" in json.dumps(message)
    before = len(bot.slack.responses)
    response = bot.action("A: 200 50000 vs B: 260 48000")
    assert response.status_code == 200
    deadline = time.monotonic() + 10
    while len(bot.slack.responses) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    shared = bot.slack.responses[-1]
    assert shared["response_type"] == "in_channel"
    assert "B is ahead, 95% sure" in message_text(shared)
    assert "Shared by <@U1>" in message_text(shared)


def test_healthz_and_unknown_paths(bot: BotServer) -> None:
    assert bot.session.get(bot.url + "/healthz", timeout=5).json()["status"] == "ok"
    assert bot.session.get(bot.url + "/nope", timeout=5).status_code == 404
