"""A private PostgreSQL server on a loopback port, for tests that need the real thing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = "PostgreSQL server binaries not found; `make test` installs Debian's postgresql."


def find_bin(name: str) -> str:
    """The PostgreSQL tool ``name`` on PATH or in Debian's versioned bin folders."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(INSTALL_HINT)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_server_user(argv: list[str]) -> list[str]:
    # postgres refuses to run as root; CI runs as root, developers usually don't.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a throwaway cluster; yields a SQLAlchemy URL; stops and deletes it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="ctr-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    _run([find_bin("initdb"), "-D", str(data), "-U", "ctr", "--auth=trust"])
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = find_bin("pg_ctl")
    _run([pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start"])
    try:
        yield f"postgresql+psycopg://ctr@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _run(argv: list[str], *, check: bool = True) -> None:
    # A session of its own: the server pg_ctl starts must not get the terminal's Ctrl-C, or it
    # dies under us while the caller's cleanup (stop, then delete the folder) is still to run.
    subprocess.run(
        _as_server_user(argv), check=check, capture_output=True, timeout=120, start_new_session=True
    )
