"""Typed settings read from a mapping (the environment), every problem collected before one error.

Pure: the entry point hands in the mapping (environment plus an optional .env); bot and sheets
settings both read through this, so they check and word their problems the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

from core.errors import ConfigError

N = TypeVar("N", int, float)
T = TypeVar("T")


class EnvReader:
    """Reads settings one by one, noting what's missing or malformed; ``check()`` reports all.

    >>> reader = EnvReader({"PORT": "http"})
    >>> reader.required("SLACK_BOT_TOKEN", "the xoxb- bot token")
    ''
    >>> reader.number("PORT", int, 3000, 1, 65535)
    3000
    >>> try:
    ...     reader.check()
    ... except ConfigError as error:
    ...     print(error)
    Missing setting: SLACK_BOT_TOKEN (the xoxb- bot token). PORT must be a number, not 'http'.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.missing: list[str] = []
        self.problems: list[str] = []

    def text(self, name: str) -> str | None:
        """The value with surrounding blanks removed; None when unset or blank."""
        return (self.env.get(name) or "").strip() or None

    def required(self, name: str, what: str, *, prefix: str = "") -> str:
        """A value that must be set (and start with ``prefix``); "" after noting the problem."""
        value = self.text(name)
        if value is None:
            self.missing.append(f"{name} ({what})")
            return ""
        return self.prefixed(name, value, prefix, what)

    def optional(self, name: str, what: str, *, prefix: str = "") -> str | None:
        value = self.text(name)
        return None if value is None else self.prefixed(name, value, prefix, what)

    def prefixed(self, name: str, value: str, prefix: str, what: str) -> str:
        if not value.startswith(prefix):
            # Never echo the value: it may be a secret pasted into the wrong variable.
            self.problems.append(f"{name} must be {what}, starting with {prefix}.")
        return value

    def number(self, name: str, kind: Callable[[str], N], default: N, low: N, high: N) -> N:
        value = self.text(name)
        if value is None:
            return default
        try:
            number = kind(value)
        except ValueError:
            return self.problem(f"{name} must be a number, not {value[:20]!r}.", default)
        if not low <= number <= high:
            return self.problem(f"{name} must be between {low} and {high}, not {value}.", default)
        return number

    def url(self, name: str, default: str | None) -> str | None:
        value = self.text(name) or default
        if value is not None and not value.startswith(("http://", "https://")):
            return self.problem(f"{name} must be an http(s) URL, not {value[:60]!r}.", default)
        return value

    def choice(self, name: str, choices: Collection[str], default: str) -> str:
        value = (self.text(name) or default).upper()
        if value not in choices:
            return self.problem(f"{name} must be one of {', '.join(sorted(choices))}.", default)
        return value

    def problem(self, message: str, fallback: T) -> T:
        """Note a malformed setting and carry on with ``fallback`` so later ones are checked."""
        self.problems.append(message)
        return fallback

    def check(self, guide: str = "") -> None:
        """Raise one ConfigError naming every problem seen, if there were any."""
        parts = [f"Missing setting: {'; '.join(self.missing)}."] if self.missing else []
        parts += self.problems
        if parts:
            raise ConfigError(" ".join([*parts, guide]).strip())
