"""`make bench` as a person runs it: Ctrl-C mid-benchmark ends it cleanly (no traceback, no
PostgreSQL server or folder left behind), and every benchmark has a small mode."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import find_bin

ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_has_a_small_mode() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.run import SMALL

    assert {p.name for p in (ROOT / "bench").glob("bench_*.py")} == set(SMALL)


def _our_pg_folders(tmp: Path) -> set[Path]:
    return set(tmp.glob("ctr-pg-*"))


@pytest.fixture
def tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temporary folder the postgres user can enter (pytest's own are private to us)."""
    folder = Path(tempfile.mkdtemp(prefix="ctr-bench-test-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_ctrl_c_mid_benchmark_cleans_up(tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal's Ctrl-C, once PostgreSQL is up."""
    try:
        find_bin("initdb")
    except RuntimeError:
        pytest.fail("PostgreSQL binaries missing: `make postgres` installs them")
    env = os.environ | {"TMPDIR": str(tmp_path)}  # the benchmark's temporary folders land here
    bench = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--only", "bench_quota.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert bench.stdout is not None
    lines = []
    for line in bench.stdout:  # the benchmark says when its store is up: no guessing
        lines.append(line)
        if line.startswith("bench_quota: store ready"):
            break
    else:
        pytest.fail("".join(lines))
    assert _our_pg_folders(tmp_path), "no PostgreSQL folder while running?"
    os.killpg(bench.pid, signal.SIGINT)
    rest = bench.stdout.read()
    code = bench.wait(timeout=120)
    output = "".join(lines) + rest
    assert code == 130, output
    assert "Traceback" not in output
    assert "interrupted" in output
    assert _our_pg_folders(tmp_path) == set()
    assert tempfile.gettempdir() != str(tmp_path)  # this process's own TMPDIR is untouched
