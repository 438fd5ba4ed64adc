"""Errors the project raises on purpose; their messages are written for the person reading them."""

from __future__ import annotations

DEFAULT_EXAMPLE = "200 50000"


class CtrError(Exception):
    """Base of every error the project raises on purpose."""


class InputError(CtrError):
    """Something a person typed cannot be understood or has no CTR.

    Args:
        problem: what was wrong, as one sentence for the person who typed it.
        suggestion: corrected command text when we can guess what was meant.
        example: a correct command text to show when there is no suggestion.
    """

    def __init__(
        self, problem: str, *, suggestion: str | None = None, example: str = DEFAULT_EXAMPLE
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.suggestion = suggestion
        self.example = example

    def render(self, command: str) -> str:
        """One line: the problem, then a guess or a correct example for ``command``.

        >>> InputError("Clicks can't be negative.").render("/ctr")
        "Clicks can't be negative. Try `/ctr 200 50000`."
        """
        if self.suggestion is not None:
            return f"{self.problem} Did you mean `{command} {self.suggestion}`?"
        return f"{self.problem} Try `{command} {self.example}`."


class ConfigError(CtrError):
    """A setting is missing or malformed; the message names it and says what to set."""
