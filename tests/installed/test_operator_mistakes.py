"""Every operator mistake, against the installed wheel: one line on stderr, the right exit code
(2: yours to fix, 3: a remote party failed), never a traceback, never "internal error".

Remote parties are fakes on loopback: a closed port plays "unreachable", a server that answers
the same status to everything plays "failing on its side" or "refusing".
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.answers import answering
from tests.fakes.google_api import FakeGoogle, Worksheet, write_service_account_key
from tests.fakes.google_fixtures import CLIENT_EMAIL, HEADER, KEY
from tests.fakes.slack_api import APP_TOKEN, BOT_TOKEN, running_fake_slack
from tests.installed.conftest import Installed

# How Google's APIs word a failure on their side (gspread reads error.code and .message).
UNAVAILABLE = {
    "error": {
        "code": 503,
        "message": "The service is currently unavailable.",
        "status": "UNAVAILABLE",
    }
}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "campaigns.csv"


@dataclass(frozen=True)
class Mistake:
    id: str
    command: str
    args: tuple[str, ...]
    env: dict[str, str]
    code: int
    says: tuple[str, ...]
    only_line: bool = True  # False: start-up log lines may come first (never an ERROR)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class World:
    """Placeholders the table's settings use, as {name}."""

    values: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        return text.format(**self.values)


def _key(path: Path, content: object) -> str:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


@pytest.fixture
def world(
    tmp_path: Path, rsa_key: rsa.RSAPrivateKey, google: FakeGoogle, key_file: Path
) -> Iterator[World]:
    google.spreadsheets[KEY] = [Worksheet.of("Sheet1", 0, [HEADER, ["2026-11-02", "A", 100, 1]])]
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "folder.json").mkdir()
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    unwritable = Path("/proc")  # not even root can create files in /proc
    with (
        running_fake_slack() as slack,
        answering(503, {"error": "server_error"}, {"Retry-After": "0"}) as (_, failing),
        answering(503, UNAVAILABLE, {"Retry-After": "0"}) as (_, api_failing),
        answering(400, {"error": "invalid_grant", "error_description": "Invalid JWT"}) as (
            _,
            refusing,
        ),
        held,
    ):
        values = {
            "tmp": str(tmp_path),
            "slack": slack.api_url,
            "closed": f"http://127.0.0.1:{closed_port()}/",
            "closed_port": str(closed_port()),
            "held_port": str(held.getsockname()[1]),
            "google": google.base_url.rstrip("/"),
            "failing": failing.rstrip("/"),
            "api_failing": api_failing.rstrip("/"),
            "key": str(key_file),
            "key_5xx": str(
                write_service_account_key(keys / "5xx.json", pem, CLIENT_EMAIL, failing)
            ),
            "key_refused": str(
                write_service_account_key(keys / "refused.json", pem, CLIENT_EMAIL, refusing)
            ),
            "array_key": _key(keys / "array.json", [{"type": "service_account"}]),
            "user_key": _key(keys / "user.json", {"type": "authorized_user", "client_id": "x"}),
            "text_key": _key(keys / "text.json", "-----BEGIN PRIVATE KEY-----"),
            "bare_key": _key(keys / "bare.json", {"type": "service_account"}),
            "folder_key": str(keys / "folder.json"),
            "missing_key": str(keys / "missing.json"),
            "no_folder_db": f"sqlite:///{tmp_path / 'no' / 'such' / 'state.sqlite3'}",
            "unwritable_db": f"sqlite:///{unwritable / 'ctr-bot-state.sqlite3'}",
            "folder_db": f"sqlite:///{tmp_path}",
            "example": str(EXAMPLE),
            "sheet": KEY,
        }
        yield World(values)


SLACK = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN, "SLACK_API_URL": "{slack}"}
LISTEN = SLACK | {"PORT": "0"}
WEEKLY = LISTEN | {"GOOGLE_APPLICATION_CREDENTIALS": "{key}", "SHEETS_API_URL": "{google}"}
POST = ("summary", "{example}", "--channel", "C1", "--post")
DRY_GOOGLE = ("summary", "{sheet}", "--channel", "C1", "--dry-run", "--chart", "{tmp}/c.png")
GOOGLE = {"SHEETS_API_URL": "{google}", "GOOGLE_APPLICATION_CREDENTIALS": "{key}"}


def bot(id: str, env: dict[str, str], code: int, *says: str, only: bool = True) -> Mistake:
    return Mistake(id, "ctr-bot", (), env, code, says, only)


def cli(
    id: str, command: str, args: tuple[str, ...], env: dict[str, str], code: int, *says: str
) -> Mistake:
    return Mistake(id, command, args, env, code, says)


MISTAKES = [
    # Settings: everything local, one line before any log.
    bot("no settings at all", {}, 2, "SLACK_BOT_TOKEN"),
    bot(
        "database foo",
        LISTEN | {"DATABASE_URL": "foo"},
        2,
        "'foo' is not a database URL",
        "sqlite:///",
    ),
    bot(
        "database postgres://",
        LISTEN | {"DATABASE_URL": "postgres://u:pw@127.0.0.1/ctr"},
        2,
        "postgresql+psycopg://",
        "u:***@",
    ),
    bot(
        "database postgresql:// without a driver",
        LISTEN | {"DATABASE_URL": "postgresql://u@127.0.0.1/ctr"},
        2,
        "names no driver",
    ),
    bot(
        "database mysql",
        LISTEN | {"DATABASE_URL": "mysql://u@127.0.0.1/ctr"},
        2,
        "SQLite or PostgreSQL",
    ),
    bot(
        "database psycopg2 driver",
        LISTEN | {"DATABASE_URL": "postgresql+psycopg2://u@h/ctr"},
        2,
        "psycopg2 driver",
    ),
    bot(
        "database in a missing folder", WEEKLY | {"DATABASE_URL": "{no_folder_db}"}, 2, "no folder"
    ),
    bot("database names a folder", WEEKLY | {"DATABASE_URL": "{folder_db}"}, 2, "names a folder"),
    bot("PORT not a number", LISTEN | {"PORT": "http"}, 2, "PORT must be a number"),
    bot("PORT in use", LISTEN | {"PORT": "{held_port}"}, 2, "already in use", "PORT"),
    bot("METRICS_PORT in use", LISTEN | {"METRICS_PORT": "{held_port}"}, 2, "METRICS_PORT="),
    bot("LOG_LEVEL unknown", LISTEN | {"LOG_LEVEL": "loud"}, 2, "LOG_LEVEL must be one of"),
    bot("SHUTDOWN_TIMEOUT negative", LISTEN | {"SHUTDOWN_TIMEOUT": "-1"}, 2, "SHUTDOWN_TIMEOUT"),
    bot("SLACK_API_URL not a URL", LISTEN | {"SLACK_API_URL": "slack.com"}, 2, "http(s) URL"),
    # The Google key file, checked before Slack.
    bot(
        "key file missing",
        WEEKLY | {"GOOGLE_APPLICATION_CREDENTIALS": "{missing_key}"},
        2,
        "no such file",
    ),
    bot(
        "key file is a JSON array",
        WEEKLY | {"GOOGLE_APPLICATION_CREDENTIALS": "{array_key}"},
        2,
        "JSON array",
        "not a service-account key",
    ),
    bot(
        "key file is gcloud's login",
        WEEKLY | {"GOOGLE_APPLICATION_CREDENTIALS": "{user_key}"},
        2,
        '"authorized_user" key',
        "not a service-account key",
    ),
    bot(
        "key file is not JSON",
        WEEKLY | {"GOOGLE_APPLICATION_CREDENTIALS": "{text_key}"},
        2,
        "is not JSON",
    ),
    bot(
        "key file lacks fields",
        WEEKLY | {"GOOGLE_APPLICATION_CREDENTIALS": "{bare_key}"},
        2,
        "without client_email, private_key, token_uri",
    ),
    bot(
        "key file is a folder",
        WEEKLY | {"GOOGLE_APPLICATION_CREDENTIALS": "{folder_key}"},
        2,
        "is a folder",
    ),
    bot(
        "every local problem at once",
        WEEKLY
        | {
            "GOOGLE_APPLICATION_CREDENTIALS": "{missing_key}",
            "DATABASE_URL": "{no_folder_db}",
            "PORT": "{held_port}",
        },
        2,
        "no such file",
        "no folder",
        "already in use",
    ),
    bot(
        "local before remote: Slack unreachable, key missing",
        WEEKLY
        | {"SLACK_API_URL": "{closed}api/", "GOOGLE_APPLICATION_CREDENTIALS": "{missing_key}"},
        2,
        "no such file",
    ),
    # Slack answers.
    bot(
        "bot token refused",
        LISTEN | {"SLACK_BOT_TOKEN": "xoxb-wrong"},
        2,
        "Slack refused SLACK_BOT_TOKEN (invalid_auth)",
        only=False,
    ),
    bot(
        "app token refused",
        LISTEN | {"SLACK_APP_TOKEN": "xapp-wrong"},
        2,
        "Slack refused SLACK_APP_TOKEN (invalid_auth)",
        only=False,
    ),
    cli(
        "summary --post, Slack unreachable",
        "ctr-bot",
        POST,
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": "{closed}api/"},
        3,
        "Can't reach Slack",
        "connection refused",
    ),
    cli(
        "summary --post, Slack failing",
        "ctr-bot",
        POST,
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": "{failing}/api/"},
        3,
        "Slack is failing (503)",
    ),
    cli(
        "summary --post, token refused",
        "ctr-bot",
        POST,
        {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_API_URL": "{slack}"},
        2,
        "SLACK_BOT_TOKEN",
    ),
    cli(
        "summary --post, database server down",
        "ctr-bot",
        POST,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": "{slack}",
            "DATABASE_URL": "postgresql+psycopg://ctr@127.0.0.1:{closed_port}/ctr",
        },
        3,
        "Can't reach the database",
        "connection refused",
    ),
    cli(
        "summary --post, SQLite folder unwritable",
        "ctr-bot",
        POST,
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": "{slack}",
            "DATABASE_URL": "{unwritable_db}",
        },
        2,
        "can't create",
        "/proc/ctr-bot-state.sqlite3",
    ),
    # Google: no answer, a refusal, and a failure on its side are three different messages.
    cli(
        "summary of a sheet, Google unreachable",
        "ctr-bot",
        DRY_GOOGLE,
        GOOGLE | {"SHEETS_API_URL": "{closed}"},
        3,
        "Can't reach 127.0.0.1",
        "nothing is wrong with the key",
    ),
    cli(
        "summary of a sheet, Sheets failing",
        "ctr-bot",
        DRY_GOOGLE,
        GOOGLE | {"SHEETS_API_URL": "{api_failing}"},
        3,
        "on Google's side",
        "503",
    ),
    cli(
        "summary of a sheet, sign-in failing",
        "ctr-bot",
        DRY_GOOGLE,
        GOOGLE | {"GOOGLE_APPLICATION_CREDENTIALS": "{key_5xx}"},
        3,
        "sign-in service is failing",
    ),
    cli(
        "summary of a sheet, key refused",
        "ctr-bot",
        DRY_GOOGLE,
        GOOGLE | {"GOOGLE_APPLICATION_CREDENTIALS": "{key_refused}"},
        2,
        "Google refused the service-account key",
        "invalid_grant: Invalid JWT",
    ),
    cli(
        "ctr-sheets, Sheets failing",
        "ctr-sheets",
        ("sync", "{sheet}"),
        GOOGLE | {"SHEETS_API_URL": "{api_failing}"},
        3,
        "on Google's side",
    ),
    cli(
        "ctr-sheets, key is a JSON array",
        "ctr-sheets",
        ("sync", "{sheet}"),
        GOOGLE | {"GOOGLE_APPLICATION_CREDENTIALS": "{array_key}"},
        2,
        "JSON array",
    ),
    cli(
        "ctr-sheets, key is gcloud's login",
        "ctr-sheets",
        ("sync", "{sheet}"),
        GOOGLE | {"GOOGLE_APPLICATION_CREDENTIALS": "{user_key}"},
        2,
        "not a service-account key",
    ),
    cli(
        "ctr-sheets, Google unreachable",
        "ctr-sheets",
        ("sync", "{sheet}"),
        GOOGLE | {"SHEETS_API_URL": "{closed}"},
        3,
        "Can't reach",
    ),
    cli(
        "ctr-sheets, key refused",
        "ctr-sheets",
        ("sync", "{sheet}"),
        GOOGLE | {"GOOGLE_APPLICATION_CREDENTIALS": "{key_refused}"},
        2,
        "refused the service-account key",
    ),
    # Commands.
    cli(
        "a week in the future",
        "ctr-bot",
        ("summary", "{example}", "--channel", "C1", "--dry-run", "--week", "2099-01-05"),
        {},
        2,
        "A typo? See",
    ),
    cli("an unknown docs topic", "ctr-bot", ("docs", "nope"), {}, 2, "topics: slack, sheets"),
    cli("ctr with the numbers swapped", "ctr", ("50000", "200"), {}, 2, "Did you mean"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_an_operator_mistake_is_one_line(
    installed: Installed, world: World, tmp_path: Path, mistake: Mistake
) -> None:
    env = {name: world.fill(value) for name, value in mistake.env.items()}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp_path / 'state.sqlite3'}")
    env.setdefault("MPLCONFIGDIR", str(installed.bin.parent / "matplotlib"))
    args = [world.fill(arg) for arg in mistake.args]
    run = tmp_path / "run"
    run.mkdir()
    done = installed.run(mistake.command, *args, cwd=run, env=env, timeout=90)
    lines = done.stderr.splitlines()
    assert done.returncode == mistake.code, done.stderr
    assert "Traceback" not in done.stderr
    assert lines, "nothing said"
    last = lines[-1]
    assert last.startswith(f"{mistake.command}: "), done.stderr
    assert "internal error" not in last
    assert "?." not in last
    assert "docs/" not in last
    assert "make run" not in last
    for fragment in mistake.says:
        assert world.fill(fragment) in last, last
    if mistake.only_line:
        assert len(lines) == 1, done.stderr
    else:
        assert not [line for line in lines[:-1] if " ERROR " in line or '"ERROR"' in line]


def test_the_table_is_long_enough() -> None:
    assert len(MISTAKES) >= 30
    assert len({m.id for m in MISTAKES}) == len(MISTAKES)


def test_the_commands_come_from_the_venv(installed: Installed, tmp_path: Path) -> None:
    done = installed.run(
        "python", "-c", "import bot, core, sheets; print(bot.__file__)", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(installed.bin.parent)), done.stdout
