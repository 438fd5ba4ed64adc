"""Errors the project raises on purpose; their messages are written for the person reading them."""

from __future__ import annotations

DEFAULT_EXAMPLE = "200 50000"
EXIT_USAGE = 2  # something the person running the command can fix
EXIT_REMOTE = 3  # something outside (a server, the network) failed; the same command may work later


class CtrError(Exception):
    """Base of every error the project raises on purpose.

    Every edge (the CLIs' ``main``, the bot's error handler) shows ``render()`` and exits with
    ``exit_code``, so subclasses change what people see without the edges checking types.
    """

    exit_code = EXIT_USAGE

    def render(self, command: str) -> str:
        """The message as one line for the person who ran ``command``.

        >>> CtrError("PORT must be a number,\\n not 'x'.").render("ctr-bot")
        "PORT must be a number, not 'x'."
        """
        return _one_line(str(self))


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
            return _one_line(f"{self.problem} Did you mean `{command} {self.suggestion}`?")
        return _one_line(f"{self.problem} Try `{command} {self.example}`.")


class UsageError(CtrError):
    """A command line that doesn't fit the command's options; points at its --help.

    Args:
        problem: what was wrong with the arguments.
        prog: the (sub)command whose --help explains them, e.g. "ctr-bot summary".
    """

    def __init__(self, problem: str, prog: str | None = None) -> None:
        super().__init__(problem)
        self.prog = prog

    def render(self, command: str) -> str:
        """One line: the problem, then where the options are explained.

        >>> UsageError("--week: expected a date as YYYY-MM-DD.").render("ctr-bot summary")
        '--week: expected a date as YYYY-MM-DD. See `ctr-bot summary --help`.'
        """
        return _one_line(f"{self} See `{self.prog or command} --help`.")


class ConfigError(CtrError):
    """A setting is missing or malformed; the message names it and says what to set."""


class RemoteError(CtrError):
    """A server we depend on can't be reached or failed (not refused us): exit 3.

    The message names the server, what happened (unreachable, timed out, answered 5xx) and
    which setting points at it, so the person can tell a network problem from their own.
    """

    exit_code = EXIT_REMOTE


def _one_line(text: str) -> str:
    return " ".join(text.split())
