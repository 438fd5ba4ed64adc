"""What runs on every /ctr request is built once, not inspected per request.

Bolt calls a middleware, matcher or listener *function* through kwargs injection: it
inspects the function's parameters and builds their values on every request, which cost /ctr
more than the checks themselves (bench/README.md, "Slack bot"). So the rule: the app's own
per-request hooks are Bolt objects (Middleware subclasses), and /ctr's listeners have no
matcher functions; only the listener itself and Bolt's built-in command matcher are injected,
as in a bare Bolt app. (A share button's click is rare: its listeners may use matchers.)
"""

from __future__ import annotations

from slack_bolt.listener_matcher.custom_listener_matcher import CustomListenerMatcher
from slack_bolt.middleware.custom_middleware import CustomMiddleware

from bot.app import create_app, make_client
from bot.listeners.commands.ctr import CtrCommand
from bot.settings import Settings
from tests.bot.conftest import SIGNING_SECRET


def test_no_hook_of_ours_is_an_inspected_function() -> None:
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    )
    app = create_app(settings, make_client(settings))
    assert [m for m in app._middleware_list if isinstance(m, CustomMiddleware)] == []
    ctr = [
        m for m in app._listeners if isinstance(getattr(m.ack_function, "__self__", 0), CtrCommand)
    ]
    assert len(ctr) == 2
    for listener in ctr:
        assert [m for m in listener.matchers if isinstance(m, CustomListenerMatcher)] == []
        assert [m for m in listener.middleware if isinstance(m, CustomMiddleware)] == []


def test_the_plain_answer_is_the_first_listener_bolt_tries() -> None:
    """Bolt tries listeners in order: plain /ctr answers, the common case, come first."""
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    )
    app = create_app(settings, make_client(settings))
    first = app._listeners[0]
    assert first.ack_function.__name__ == "answer"
    assert first.lazy_functions == []
