"""The commands' shared shell: argparse that fails in one line, and the one error edge."""

from __future__ import annotations

import argparse
import io
import logging
import sys
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from typing import NoReturn

from core.errors import CtrError, UsageError

EXIT_INTERNAL = 70  # sysexits' EX_SOFTWARE: a bug, not something the user did
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what other Unix tools exit with under `| head`
EXIT_INTERRUPTED = 130  # 128 + SIGINT


class OneLineParser(argparse.ArgumentParser):
    """argparse whose mistakes raise UsageError (one line at the edge) instead of a usage block.

    Subcommand parsers made with ``add_subparsers(parser_class=OneLineParser)`` behave the same.
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(sentence(message), self.prog)


def version() -> str:
    """The installed ctr-bundle's version (for every command's --version)."""
    try:
        return installed_version("ctr-bundle")
    except PackageNotFoundError:  # a checkout that was never installed
        return "unknown (not installed)"


def sentence(text: str) -> str:
    """``text`` capitalised and ending in one stop (a message ending in "?" keeps it).

    >>> sentence("argument --week: Date 2062-01-05 is after today. A typo?")
    'Argument --week: Date 2062-01-05 is after today. A typo?'
    >>> sentence("expected one argument")
    'Expected one argument.'
    """
    text = text.strip()
    end = "" if text.endswith((".", "?", "!")) else "."
    return f"{text[:1].upper()}{text[1:]}{end}"


Explain = Callable[[BaseException], CtrError | None]


def guarded(prog: str, body: Callable[[], int], explain: Explain | None = None) -> int:
    """Run a command's body; every failure becomes one line on stderr and an exit code.

    CtrError (anything the user can fix, or a remote failure) renders itself and exits with
    its ``exit_code``; ``explain`` turns the outside world's own exceptions (a database, a
    port, a server) into one (bot/failures.py); a reader closing the pipe early (``| head``)
    ends quietly; anything else is a bug.
    """
    try:
        code = body()
        sys.stdout.flush()  # a closed pipe shows up here, inside the edge, not at exit
    except CtrError as error:
        _say(prog, error.render(prog))
        return error.exit_code
    except BrokenPipeError:
        # Whatever is still buffered can never be written: drop stdout with it, so the
        # interpreter's final flush doesn't complain again (and core needs no os module).
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.detach()
        sys.stdout = None
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # the edge: a bug still gets one line, never a traceback
        explained = explain(error) if explain is not None else None
        if explained is not None:
            _say(prog, explained.render(prog))
            return explained.exit_code
        logging.getLogger(prog).debug("%s failed", prog, exc_info=error)
        _say(prog, f"internal error ({type(error).__name__}); please report it.")
        return EXIT_INTERNAL
    return code


def _say(prog: str, text: str) -> None:
    print(f"{prog.split(maxsplit=1)[0]}: {' '.join(text.split())}", file=sys.stderr)
