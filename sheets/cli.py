"""`ctr-sheets sync SHEET...`: fill in CTR columns in Google Sheets or local CSV files."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from fractions import Fraction

from dotenv import find_dotenv, load_dotenv
from tqdm import tqdm

from core.display import format_percent
from core.errors import CtrError, InputError
from core.shell import OneLineParser, guarded, version
from sheets.backends import CsvSheet, GoogleSheet, SheetBackend
from sheets.client import ResilientHTTPClient, make_client
from sheets.errors import SheetsApiError
from sheets.progress import Bar, Meter
from sheets.refs import parse_sheet_ref
from sheets.settings import SheetsSettings
from sheets.sync import Columns, SyncResult, sync
from sheets.written import format_ctr

EXIT_OK, EXIT_FLAGGED = 0, 1
EXIT_USAGE, EXIT_API = CtrError.exit_code, SheetsApiError.exit_code  # the errors say which
DRY_RUN_ROWS = 40


def parser() -> argparse.ArgumentParser:
    top = OneLineParser(prog="ctr-sheets", description=__doc__)
    top.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = top.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    run = commands.add_parser("sync", help="compute CTR columns and write them back")
    run.add_argument(
        "sheets", nargs="+", metavar="SHEET", help="Sheets URL (#gid= picks the tab), key, or .csv"
    )
    run.add_argument(
        "--worksheet", help="worksheet (tab) name; default: the URL's #gid, else the first"
    )
    run.add_argument(
        "--dry-run", action="store_true", help="print the planned changes, write nothing"
    )
    run.add_argument("--impressions-col", help="header of the impressions column, if not detected")
    run.add_argument("--clicks-col", help="header of the clicks column, if not detected")
    run.add_argument(
        "--header-row",
        type=int,
        metavar="N",
        help="the table's header is row N (1-based), when several rows could be",
    )
    run.add_argument("--output", help="CSV only: write the result here, keep the input as is")
    run.add_argument(
        "--write-read-only",
        action="store_true",
        help="CSV only: update a read-only file anyway (its mode is kept); refused by default",
    )
    run.add_argument(
        "--encoding",
        help="CSV only: the file's encoding (default: detected; UTF-8, UTF-16, Windows-1252)",
    )
    run.add_argument(
        "--locale",
        help="CSV only: the locale its numbers are written in, e.g. de_DE reads 10.000 as "
        "ten thousand (Google sheets carry their own)",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    return guarded("ctr-sheets", lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    load_dotenv(find_dotenv(usecwd=True))
    # Google's settings are read (and checked) only when a Google sheet is named: a mistake
    # in them must not stop the sync of local files.
    settings = SheetsSettings.from_env(os.environ) if _names_google(args.sheets) else None
    if args.output is not None and len(args.sheets) != 1:
        raise InputError(
            "--output goes with exactly one CSV file.", example="sync in.csv --output out.csv"
        )
    client: ResilientHTTPClient | None = None
    codes = []
    for sheet in tqdm(
        args.sheets,
        desc="sheets",
        unit="sheet",
        disable=len(args.sheets) < 2 or not sys.stderr.isatty(),
    ):
        backend: SheetBackend | None = None
        try:
            backend, client = _backend(sheet, args, settings, client)
            columns = Columns(args.impressions_col, args.clicks_col, args.header_row)
            result = sync(backend, columns, args.dry_run)
            if isinstance(backend, CsvSheet) and not args.dry_run:
                backend.finish()
        except CtrError as error:  # the per-sheet edge: say why, go on with the next sheet
            codes.append(_fail(error, sheet))
            continue
        finally:
            if isinstance(backend, CsvSheet):
                backend.close()
        print(_dry_run(result) if args.dry_run else _summary(result, client, args.output))
        codes.append(EXIT_FLAGGED if result.plan.flagged else EXIT_OK)
    return max(codes)


def _names_google(sheets: Sequence[str]) -> bool:
    for sheet in sheets:
        try:
            if parse_sheet_ref(sheet).key is not None:
                return True
        except CtrError:
            continue  # said when that sheet's turn comes
    return False


def _backend(
    sheet: str,
    args: argparse.Namespace,
    settings: SheetsSettings | None,
    client: ResilientHTTPClient | None,
) -> tuple[SheetBackend, ResilientHTTPClient | None]:
    ref = parse_sheet_ref(sheet)
    if ref.path is not None:
        if args.worksheet is not None:
            raise InputError(
                "--worksheet is for Google sheets: a CSV file has one table.",
                example=f"sync {sheet}",
            )
        # A dry run writes nothing anywhere, --output included.
        output = None if args.dry_run else args.output
        csv = CsvSheet(ref.path, output, args.encoding, args.locale, args.write_read_only)
        csv.read_only = args.dry_run
        csv.meter = _meter(len(args.sheets))
        return csv, client
    if args.output is not None or args.encoding or args.locale or args.write_read_only:
        raise InputError(
            "--output, --encoding, --locale and --write-read-only are for CSV files: a Google "
            "sheet is updated where it is and carries its own locale (see the changes first "
            "with --dry-run).",
            example="sync SHEET --dry-run",
        )
    if client is None:
        assert settings is not None  # read at start because a Google sheet is named
        client, _ = make_client(settings)
    assert ref.key is not None
    return GoogleSheet(client, ref.key, gid=ref.gid, worksheet=args.worksheet), client


def _meter(sheets: int) -> Meter | None:
    """Progress bars on stderr for one long file, on a terminal only: pipes and logs get just
    the summary (several sheets have their own bar, one step per sheet)."""
    if sheets != 1 or not sys.stderr.isatty():
        return None

    def bar(what: str, total: int, unit: str) -> Bar:
        # delay: a file read in under half a second shows no bar at all.
        return tqdm(total=total, desc=what, unit=unit, unit_scale=True, leave=False, delay=0.5)

    return bar


def _summary(
    result: SyncResult, client: ResilientHTTPClient | None, output: str | None = None
) -> str:
    plan = result.plan
    cells = len(plan.changes)
    calls = f", {client.calls} API calls so far" if client is not None else ""
    done = f"{cells} cell(s) written" if result.writes else "already up to date, nothing written"
    if output is not None:
        done = f"written to {output} ({cells} cell(s) changed; {result.name} left as it was)"
    repaired = f", {result.repairs} repair round(s) after rows moved" if result.repairs else ""
    counts = f"{plan.computed} CTR(s), {len(plan.flagged)} row(s) flagged"
    lines = [f"{result.name}: {counts}; {done}{repaired}{calls}."]
    lines += [f"  row {flag.row}: {flag.reason}" for flag in plan.flagged]
    return "\n".join(lines)


def _dry_run(result: SyncResult) -> str:
    plan = result.plan
    lines = [f"{result.name} (dry run, nothing written): {len(plan.changes)} change(s)"]
    if plan.columns_to_add:
        lines.append(f"  + {plan.columns_to_add} column(s) added to the grid")
    lines.append(f"  {'row':>6}  {'column':<11} new value")
    for change in plan.changes[:DRY_RUN_ROWS]:
        column = "CTR" if change.col == plan.layout.ctr else "CTR status"
        lines.append(f"  {change.row + 1:>6}  {column:<11} {_shown(change.value)}")
    if len(plan.changes) > DRY_RUN_ROWS:
        lines.append(f"  … and {len(plan.changes) - DRY_RUN_ROWS} more")
    return "\n".join(lines)


def _shown(value: float | str | None) -> str:
    if value is None:
        return "(cleared)"
    if not isinstance(value, float):
        return value
    # The percent of the decimal written, as a person reading the cell (and every other front
    # end, from the counts) sees it; the float of 0.00105 is a hair under the half.
    written = format_ctr(value)
    return f"{written} ({format_percent(Fraction(written))})"


def _fail(error: CtrError, sheet: str) -> int:
    text = error.render("ctr-sheets")
    # File errors name the file already (quoted when spaces at an end are part of its name).
    where = "" if text.startswith((sheet, repr(sheet))) else f"{sheet}: "
    print(f"ctr-sheets: {where}{text}", file=sys.stderr)
    return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
