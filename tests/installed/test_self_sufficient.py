"""The installed wheel explains itself and can be deployed with what ships: docs, versions,
project URLs, no message pointing into a checkout; the systemd unit verified and the container
recipe's RUN commands run (as far as a machine without root-only steps and a daemon allows)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from bot.docs import TOPICS
from tests.installed.conftest import ROOT, Installed


@pytest.mark.parametrize("command", ["ctr", "ctr-bot", "ctr-sheets"])
def test_every_command_has_a_version(installed: Installed, tmp_path: Path, command: str) -> None:
    done = installed.run(command, "--version", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert re.fullmatch(rf"{command} \d+\.\d+\.\d+\S*\n", done.stdout)


@pytest.mark.parametrize("topic", list(TOPICS))
def test_docs_ship_with_the_install(installed: Installed, tmp_path: Path, topic: str) -> None:
    done = installed.run("ctr-bot", "docs", topic, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    source = ROOT / "docs" / TOPICS[topic]
    assert done.stdout == source.read_text()


def test_docs_lists_its_topics(installed: Installed, tmp_path: Path) -> None:
    done = installed.run("ctr-bot", "docs", cwd=tmp_path)
    assert done.returncode == 0
    for topic in TOPICS:
        assert f"ctr-bot docs {topic}" in done.stdout


def test_the_metadata_points_only_at_what_the_install_has(installed: Installed) -> None:
    """No public home exists, so no URL is invented: the summary names `ctr-bot docs` and
    the README is the long description."""
    with zipfile.ZipFile(installed.wheel) as wheel:
        [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = wheel.read(name).decode()
    assert re.findall(r"^Project-URL: .*$", metadata, re.MULTILINE) == []
    [summary] = re.findall(r"^Summary: (.*)$", metadata, re.MULTILINE)
    assert "`ctr-bot docs`" in summary
    assert (ROOT / "README.md").read_text().splitlines()[0] in metadata


def _product_strings() -> list[tuple[str, str]]:
    """Every string literal in the product's code but docstrings (which speak to developers)."""
    found = []
    for path in [
        *ROOT.glob("core/**/*.py"),
        *ROOT.glob("bot/**/*.py"),
        *ROOT.glob("sheets/**/*.py"),
    ]:
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        found += [
            (str(path.relative_to(ROOT)), node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ]
    return found


def test_no_message_points_into_a_checkout() -> None:
    """A message may name a command or a setting the user has, never a repository path."""
    pointing = [
        (path, text[:80])
        for path, text in _product_strings()
        if re.search(r"\bdocs/[\w-]+\.md|\bmake (run|install|test)\b|examples/", text)
    ]
    assert pointing == []


def test_the_systemd_unit_verifies(installed: Installed, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("no systemd-analyze on this machine (docs/deploy.md states the limit)")
    unit = (ROOT / "deploy" / "ctr-bot.service").read_text()
    assert "ExecStart=/opt/ctr-bot/bin/ctr-bot\n" in unit
    here = tmp_path / "ctr-bot.service"
    here.write_text(unit.replace("/opt/ctr-bot/bin/ctr-bot", str(installed.bin / "ctr-bot")))
    done = subprocess.run(
        [analyze, "verify", str(here)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "RestartPreventExitStatus=2" in unit  # a setting to fix: restarting can't help
    timeout = float(re.search(r"TimeoutStopSec=(\d+)", unit).group(1))  # type: ignore[union-attr]
    assert timeout > 25  # longer than SHUTDOWN_TIMEOUT's default


def test_the_container_recipe_runs(installed: Installed, tmp_path: Path) -> None:
    """Each RUN line of deploy/Containerfile, in order, in a fresh folder standing in for the
    image: the wheel copied where COPY puts it, ARGs as in the recipe; useradd needs root and
    the image itself a daemon, so those are the limits (docs/deploy.md)."""
    recipe = (ROOT / "deploy" / "Containerfile").read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", recipe, re.MULTILINE))
    image = tmp_path / "image"
    wheels = image / args["WHEELS"].lstrip("/")
    wheels.mkdir(parents=True)
    shutil.copy(installed.wheel, wheels)
    env = {"VENV": str(image / args["VENV"].lstrip("/")), "WHEELS": str(wheels)}
    pip_settings = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    runs = re.findall(r"^RUN (.+)$", recipe, re.MULTILINE)
    assert runs, "no RUN lines"
    for command in runs:
        if command.startswith("useradd"):
            continue
        done = installed.run(
            "python",
            "-c",
            "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1], shell=True))",
            command,
            cwd=image,
            env=env | pip_settings,
            timeout=600,
        )
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    assert (image / args["VENV"].lstrip("/") / "bin" / "ctr-bot").exists()
