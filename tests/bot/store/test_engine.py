"""Replicas starting at the same moment on one SQLite file: both start, and say PostgreSQL is
the store meant for replicas. Real processes, released together by the test (no sleeps)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from bot.store.engine import connect

ROOT = Path(__file__).resolve().parents[3]
# A replica's start-up: import, say ready, wait for the go, migrate, say done, stay up until
# stdin closes (so every replica is alive while the others start).
STARTUP = """
import logging, sys
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
from bot.store.engine import connect, migrate
engine = connect(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
migrate(engine)
print("migrated", flush=True)
sys.stdin.read()
"""
REPLICAS = 4


def test_replicas_starting_together_on_one_sqlite_file_all_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", STARTUP, url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(REPLICAS)
    ]
    for replica in replicas:
        assert replica.stdout is not None
        assert replica.stdout.readline() == "ready\n"
    for replica in replicas:  # all released at once, straight into the first migration
        assert replica.stdin is not None
        replica.stdin.write("go\n")
        replica.stdin.flush()
    for replica in replicas:
        assert replica.stdout is not None
        assert replica.stdout.readline() == "migrated\n", replica.communicate()[1]
    logs = []
    for replica in replicas:
        _, err = replica.communicate(timeout=60)
        assert replica.returncode == 0, err
        logs.append(err)
    assert "alembic_version" not in "".join(logs)
    warned = [log for log in logs if "PostgreSQL" in log]
    assert len(warned) == REPLICAS - 1  # every replica but the first sees the others
    assert "DATABASE_URL" in warned[0]
    tables = set(inspect(connect(url)).get_table_names())
    assert {"watches", "snapshots", "deliveries", "alembic_version"} <= tables
