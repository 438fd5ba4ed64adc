"""The commands' shared shell: argparse that fails in one line, and the one error edge."""

from __future__ import annotations

import argparse
import io
import logging
import sys
from collections.abc import Callable
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
        raise UsageError(f"{message[:1].upper()}{message[1:]}.", self.prog)


def guarded(prog: str, body: Callable[[], int]) -> int:
    """Run a command's body; every failure becomes one line on stderr and an exit code.

    CtrError (anything the user can fix) renders itself and exits with its ``exit_code``; a
    reader closing the pipe early (``| head``) ends quietly; anything else is a bug.
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
        logging.getLogger(prog).debug("%s failed", prog, exc_info=error)
        _say(prog, f"internal error ({type(error).__name__}); please report it.")
        return EXIT_INTERNAL
    return code


def _say(prog: str, text: str) -> None:
    print(f"{prog.split(maxsplit=1)[0]}: {' '.join(text.split())}", file=sys.stderr)
