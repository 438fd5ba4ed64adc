"""One definition of ctr-bot's settings (bot.settings.SETTINGS), and everything that lists them
agrees with it: what from_env reads, `ctr-bot --help`, .env.example, the docs' tables."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.__main__ import parser
from bot.settings import DEFAULTS, SETTINGS, Needs, Settings

ROOT = Path(__file__).resolve().parents[2]
NAMES = [setting.name for setting in SETTINGS]


class Recording(Mapping[str, str]):
    """The environment, noting every name asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values, self.asked = values, set[str]()

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return self._values[name]

    def get(self, name: str, default: object = None) -> str | None:  # type: ignore[override]
        self.asked.add(name)
        return self._values.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@pytest.mark.parametrize("needs", list(Needs))
def test_from_env_reads_exactly_the_defined_settings(needs: Needs) -> None:
    env = Recording({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    Settings.from_env(env, needs=needs)
    assert env.asked == set(NAMES)


def test_the_defaults_written_down_are_the_defaults_used() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    used = {
        "SLACK_API_URL": settings.slack_api_url,
        "PORT": str(settings.port),
        "LOG_LEVEL": settings.log_level,
        "LOG_FORMAT": settings.log_format,
        "DATABASE_URL": settings.database_url,
        "SYNC_INTERVAL": f"{settings.sync_interval_minutes:g}",
        "SUMMARY_MIN_IMPRESSIONS": str(settings.summary_min_impressions),
        "SHUTDOWN_TIMEOUT": f"{settings.shutdown_timeout:g}",
        "SHEETS_QUOTA_PER_MINUTE": str(settings.sheets.quota_per_minute),
    }
    oauth = Settings.from_env(
        {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x"}
    ).oauth
    assert oauth is not None
    used |= {"SLACK_SCOPES": ",".join(oauth.scopes), "SLACK_AUTHORIZE_URL": oauth.authorize_url}
    assert {name: DEFAULTS[name] for name in used} == used
    unset = {name for name, default in DEFAULTS.items() if not default}
    assert unset == set(NAMES) - set(used) - {"CTR_ADMINS"} | {"CTR_ADMINS"}


def test_help_lists_every_setting_with_its_default() -> None:
    text = parser().format_help()
    for setting in SETTINGS:
        (line,) = [line for line in text.splitlines() if line.split()[:1] == [setting.name]]
        if setting.default:
            assert f"[default: {setting.default}]" in line


def test_env_example_lists_exactly_the_settings_with_their_defaults() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    assigned = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    assert assigned == [[setting.name, setting.default] for setting in SETTINGS]


@pytest.mark.parametrize("document", ["README.md", "docs/slack.md"])
def test_the_docs_settings_tables_name_every_setting(document: str) -> None:
    text = (ROOT / document).read_text()
    tabled = set(re.findall(r"^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?", text, re.MULTILINE))
    named = {name for pair in tabled for name in pair if name}
    assert set(NAMES) <= named
