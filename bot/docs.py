"""`ctr-bot docs [topic]`: the documentation that came with this install, and the version.

The guides ship inside the package (bot/manual is the repository's docs/ folder), so an
installed bot can explain itself without the repository: every message that points at
documentation names a `ctr-bot docs TOPIC` command, never a path in a checkout.
"""

from __future__ import annotations

import sys
from importlib.resources import files

from core.errors import UsageError
from core.shell import version

# topic -> file in bot/manual, in the order `ctr-bot docs` lists them
TOPICS = {
    "slack": "slack.md",
    "sheets": "sheets.md",
    "weekly": "weekly.md",
    "deploy": "deploy.md",
    "core-api": "core-api.md",
    "manifest": "manifest.yml",
    "manifest-oauth": "manifest-oauth.yml",
}


def docs_text(topic: str) -> str:
    """The text of ``topic``; a UsageError naming the topics for anything else."""
    name = TOPICS.get(topic.lower().removesuffix(".md"))
    if name is None:
        raise UsageError(f"No documentation called {topic[:40]!r}; topics: {', '.join(TOPICS)}.")
    return (files("bot") / "manual" / name).read_text(encoding="utf-8")


def docs_command(topic: str | None) -> int:
    if topic is None:
        lines = [f"  ctr-bot docs {name:<9} {first_line(name)}" for name in TOPICS]
        print("Documentation shipped with ctr-bundle " + version() + ":\n" + "\n".join(lines))
        return 0
    sys.stdout.write(docs_text(topic))
    return 0


def first_line(topic: str) -> str:
    """A topic's title: its first Markdown heading, or its file name."""
    for line in docs_text(topic).splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return TOPICS[topic]
