"""`ctr`: the command-line twin of `/ctr` (the imperative shell around the pure core)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from core.baseline import check, usual_ctr
from core.ctr import Counts, compare, measure
from core.display import USAGE_EXAMPLES, describe_comparison, describe_single
from core.errors import InputError
from core.grammar import Compare, Help, Single, parse_command
from core.history_commands import TrendRequest, UsualRequest
from core.serialize import check_to_dict, comparison_to_dict, result_to_dict
from core.shell import OneLineParser, guarded
from core.usual import USUAL_EXAMPLE, describe_check, parse_history

_FLAGS = {"--json", "--help", "-h", "--version"}
_USUAL = "--usual"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `ctr`; returns the exit code (2 for bad input, with one line on stderr)."""
    args = list(sys.argv[1:] if argv is None else argv)
    return guarded("ctr", lambda: _print(run(args)))


def _print(output: str) -> int:
    print(output)
    return 0


def parser() -> OneLineParser:
    """`ctr`'s options; the counts themselves go to the `/ctr` grammar as typed."""
    options = OneLineParser(prog="ctr", add_help=False)
    options.add_argument("--json", action="store_true")
    options.add_argument("-h", "--help", action="store_true")
    options.add_argument("--version", action="store_true")
    return options


def run(args: list[str]) -> str:
    """The text `ctr` prints for ``args``; raises CtrError for anything it can't answer."""
    # Options are read by argparse, but the counts are handed to the grammar as typed: argparse
    # would read "-5" or "-inf" as options and answer with its own words, not the grammar's.
    args, history = _take_usual(args)
    options, _ = parser().parse_known_args([a for a in args if a in _FLAGS])
    unknown = sorted(a for a in args if a.startswith("--") and a not in _FLAGS)
    if unknown:
        raise InputError(f"Unknown option {unknown[0]!r}; options are --usual, --json and --help.")
    if options.version:
        return _version()
    text = " ".join(arg for arg in args if arg not in _FLAGS)
    command = Help() if options.help else parse_command(text)
    if isinstance(command, UsualRequest | TrendRequest):
        raise InputError(
            "`for <campaign>` and `trend` read the history of a sheet a Slack channel watches; "
            "here, give the campaign's previous weeks with --usual.",
            example=USUAL_EXAMPLE,
        )
    if not isinstance(command, Help | Single | Compare):
        raise InputError(
            "Watching sheets works in Slack, in the channel that should get the summaries."
        )
    if history is not None and not isinstance(command, Help):
        return _against_usual(command, history, as_json=options.json)
    if options.json:
        return json.dumps(_as_json(command))
    return _as_text(command)


def _take_usual(args: list[str]) -> tuple[list[str], list[Counts] | None]:
    """``--usual WEEKS`` (or ``--usual=WEEKS``) taken out of ``args``, its weeks parsed."""
    rest: list[str] = []
    values: list[str] = []
    items = iter(args)
    for arg in items:
        if arg == _USUAL:
            value = next(items, None)
            if value is None:
                raise InputError(
                    "--usual needs the campaign's previous weeks.", example=USUAL_EXAMPLE
                )
            values.append(value)
        elif arg.startswith(_USUAL + "="):
            values.append(arg.removeprefix(_USUAL + "="))
        else:
            rest.append(arg)
    if len(values) > 1:
        raise InputError("Give --usual once, with every week in it.", example=USUAL_EXAMPLE)
    return rest, parse_history(values[0]) if values else None


def _against_usual(command: Single | Compare, history: list[Counts], *, as_json: bool) -> str:
    """One CTR and its campaign's usual: is this figure unusual for it?"""
    if isinstance(command, Compare):
        raise InputError(
            "--usual goes with one CTR (this week's), not with a comparison.",
            example=USUAL_EXAMPLE,
        )
    counts, label = command.variant.counts, command.variant.label
    usual = usual_ctr(history)
    if usual is None:
        raise InputError("Every week given to --usual has 0 impressions.", example=USUAL_EXAMPLE)
    result, checked = measure(counts), check(counts, usual)
    if as_json:
        return json.dumps({**result_to_dict(result, label), "usual": check_to_dict(checked)})
    return "\n".join([describe_single(result, label), *describe_check(checked, counts.impressions)])


def _as_text(command: Help | Single | Compare) -> str:
    if isinstance(command, Help):
        return usage()
    if isinstance(command, Single):
        return describe_single(measure(command.variant.counts), command.variant.label)
    comparison = compare(command.a.counts, command.b.counts)
    return "\n".join(describe_comparison(comparison, *_labels(command)))


def _as_json(command: Help | Single | Compare) -> dict[str, object]:
    if isinstance(command, Help):
        return {
            "usage": [{"command": f"ctr {text}", "does": does} for text, does in USAGE_EXAMPLES]
        }
    if isinstance(command, Single):
        return result_to_dict(measure(command.variant.counts), command.variant.label)
    comparison = compare(command.a.counts, command.b.counts)
    return comparison_to_dict(comparison, command.a.label, command.b.label)


def _labels(command: Compare) -> tuple[str, str]:
    return command.a.label or "A", command.b.label or "B"


def usage() -> str:
    """The help screen: what `ctr` does and a few examples."""
    width = max(len(text) for text, _ in USAGE_EXAMPLES) + 4
    lines = ["ctr: click-through rate (clicks ÷ impressions) with its 95% interval.", ""]
    lines += [f"  ctr {text:<{width}} {does}" for text, does in USAGE_EXAMPLES]
    lines += [
        f"  ctr {USUAL_EXAMPLE}",
        f"  {'':<{width + 4}} is this week unusual for the campaign? (its previous weeks,",
        f"  {'':<{width + 4}} oldest first, as clicks/impressions)",
    ]
    lines += ["", "Add --json for machine-readable output."]
    return "\n".join(lines)


def _version() -> str:
    try:
        return f"ctr {version('ctr-bundle')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "ctr (development copy)"


if __name__ == "__main__":
    sys.exit(main())
