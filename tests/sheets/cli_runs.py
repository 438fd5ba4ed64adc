"""`ctr-sheets` run in-process as a person runs it, and the one-line error it must give."""

from __future__ import annotations

from pathlib import Path

from sheets.cli import main

ROOT = Path(__file__).resolve().parents[2]  # the checkout a child process imports sheets from


def run(args: list[str]) -> int:
    """The exit code `ctr-sheets ARGS` ends with (argparse's exits included)."""
    try:
        return main(args)
    except SystemExit as stop:
        return int(stop.code or 0)


def one_line(err: str) -> str:
    """``err`` itself, once it is proven one line with no traceback."""
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err
