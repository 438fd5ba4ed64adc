"""The product as installed: a wheel built once per session, in a fresh venv, run from an
empty folder with nothing from the checkout on its path (as .ci/smoke.sh does).

The venv gets the wheel alone (--no-deps); its dependencies come from the test interpreter's
site-packages through a .pth line, so the session costs seconds, not a full download. Only
paths are added that way: the checkout's editable-install hooks are never processed, and a
test below checks that `bot` is imported from the venv.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Installed:
    bin: Path
    python: Path
    wheel: Path

    def run(
        self,
        command: str,
        *args: str,
        cwd: Path,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """``command`` (ctr, ctr-bot, ctr-sheets) with only ``env`` set beyond PATH and HOME."""
        clean = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(cwd),
            "LANG": "C.UTF-8",
        }
        return subprocess.run(
            [str(self.bin / command), *args],
            cwd=cwd,
            env=clean | (env or {}),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _quiet(*command: str | Path, cwd: Path | None = None) -> None:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, f"{command}: {done.stdout}{done.stderr}"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("installed")
    dist = work / "dist"
    _quiet(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist, ROOT, cwd=work)
    [wheel] = dist.glob("ctr_bundle-*.whl")
    venv = work / "venv"
    _quiet(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _quiet(
        sys.executable,
        "-m",
        "pip",
        "--disable-pip-version-check",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        wheel,
    )
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "zz-test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return Installed(venv / "bin", python, wheel)
