"""core/ stays pure: only computation modules may be imported by the engine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
# The CLI is core's imperative shell (argv, stdout, stderr); everything else is pure.
SHELL_MODULES = {"cli.py", "shell.py"}
ALLOWED = {
    "__future__",
    "ast",  # literal_eval only: reading back a quoted text in a message (core/reasons.py)
    "collections",
    "dataclasses",
    "datetime",  # value types only: reading the clock is checked below
    "decimal",
    "enum",
    "fractions",
    "functools",
    "itertools",
    "math",
    "re",
    "statistics",
    "string",  # Formatter.parse: a message template's fields
    "typing",
    "core",
}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}
CLOCK_READS = {"now", "today", "utcnow", "fromtimestamp", "utcfromtimestamp"}


def pure_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if p.name not in SHELL_MODULES)


def imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    return roots


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: p.name)
def test_core_module_imports_only_pure_libraries(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    assert imported_roots(tree) <= ALLOWED, f"{path.name} imports {imported_roots(tree) - ALLOWED}"
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & FORBIDDEN_CALLS, f"{path.name} calls {calls & FORBIDDEN_CALLS}"
    assert not clock_reads(tree), f"{path.name} reads the clock: {clock_reads(tree)}"


def clock_reads(tree: ast.AST) -> set[str]:
    return {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_READS
    }


def test_the_check_sees_a_violation() -> None:
    bad = ast.parse("import os\nfrom slack_sdk import WebClient\n")
    assert imported_roots(bad) - ALLOWED == {"os", "slack_sdk"}
    assert clock_reads(ast.parse("import datetime\nx = datetime.datetime.now()")) == {"now"}


def test_every_core_module_is_checked() -> None:
    assert {p.name for p in pure_modules()} >= {"counts.py", "ctr.py", "grammar.py", "stats.py"}
