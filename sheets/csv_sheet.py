"""A local CSV file as a sheet backend: only the tool's cells change (see sheets/csvfile.py)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sheets.csvfile import ByColumn, CsvFile
from sheets.csvtarget import FileLock, check_target
from sheets.errors import CsvFileError
from sheets.locales import csv_numerals
from sheets.ownership import Evidence
from sheets.plan import Plan
from sheets.port import SheetRead, cell_text
from sheets.progress import Meter


@dataclass
class CsvSheet:
    """A local CSV file, the offline twin of a worksheet: only the tool's cells change, every
    other byte of the file stays as it was (see sheets/csvfile.py).

    With ``output``, the result is written there and the file read is left as it was. Unless
    it is only ``read_only`` (a dry run), the file to be written is checked first (a regular
    file or a new path, writable, see sheets/csvtarget.py) and locked until `close`.
    """

    path: Path
    output: Path | str | None = None  # a str keeps a trailing slash, which names a folder
    encoding: str | None = None
    locale: str | None = None  # a CSV carries none: "de_DE" reads 10.000 as ten thousand
    write_read_only: bool = False  # update a file whose mode says read-only
    read_only: bool = False  # a dry run: nothing is written, so nothing is checked or locked
    meter: Meter | None = None  # progress bars for a long file (the CLI's, on a terminal)
    _file: CsvFile | None = field(default=None, repr=False)
    _written: bool = field(default=False, repr=False)
    _lock: FileLock | None = field(default=None, repr=False)
    _reading: FileLock | None = field(default=None, repr=False)  # the input, when only read

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> SheetRead:
        if self.output is not None and _same_file(self.path, Path(self.output)):
            raise CsvFileError(
                f"--output {self.output} is the input file itself: leave out --output to update it."
            )
        if not self.read_only:
            self._claim_target()
        if self.read_only or self.output is not None:
            self._share_input()
        self._file = CsvFile.read(self.path, self.encoding, meter=self.meter)
        rows = self._file.rows
        evidence = Evidence(
            column_count=self._file.width,
            used_width=None,  # only needed, and then computed, when a column is added
            numerals=csv_numerals(self.locale),
        )
        return SheetRead(rows, evidence)

    def write(self, plan: Plan) -> None:
        if self._file is None:
            raise AssertionError("CsvSheet.write before read")  # pragma: no cover
        # Column by column: a first sync of a million rows is two dicts, not a million.
        columns: dict[int, dict[int, str | None]] = {}
        for change in plan.changes:
            columns.setdefault(change.col, {})[change.row] = cell_text(change.value) or None
        # A record the sync writes to gets all of the tool's columns, empty ones included, so
        # it has as many fields as the header it sits under.
        width = 1 + max(plan.layout.ctr, plan.layout.status)
        self._may_write()
        self._file.write(ByColumn(columns), self._output(), width, self.meter)
        self._written = True

    def written(self, plan: Plan) -> bool:
        # A change since our read is caught before writing (SheetChangedError): what was
        # written is what was planned, so no second read of a big file.
        return True

    def finish(self) -> None:
        """With --output, write the result even when nothing changed (the file is asked for)."""
        if self.output is not None and self._file is not None and not self._written:
            self._may_write()
            self._file.write({}, self._output())
            self._written = True

    def close(self) -> None:
        """Let other programs have the file again."""
        for lock in (self._lock, self._reading):
            if lock is not None:
                lock.release()

    def _share_input(self) -> None:
        """A file only read (a dry run, --output) is read under a shared lock: a program that
        holds it to write (an appender mid-line) makes it in use, as for a sync in place."""
        real = Path(os.path.realpath(self.path))
        try:
            regular = stat.S_ISREG(os.stat(real).st_mode)
        except OSError:
            regular = False  # the read says why, in its own words
        if regular:
            if self._reading is None:
                self._reading = FileLock(str(self.path))
            self._reading.take(real, shared=True)

    def _output(self) -> Path | None:
        return None if self.output is None else Path(self.output)

    def _claim_target(self) -> None:
        """Check the file to be written and lock it (again, if it was replaced since).

        Whether it is read-only matters only once there is something to write (see
        `_may_write`): a read-only file already up to date is just that.
        """
        output = self.output is not None
        name = str(self.output) if self.output is not None else str(self.path)
        real = check_target(name, output=output, write_read_only=True)
        if self._lock is None:
            self._lock = FileLock(name if not output else f"--output {name}")
        if real is not None:
            self._lock.take(real)

    def _may_write(self) -> None:
        """The target checked again right before writing, read-only files included."""
        output = self.output is not None
        name = str(self.output) if self.output is not None else str(self.path)
        check_target(name, output=output, write_read_only=self.write_read_only)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them doesn't exist (yet): the read or the check says so
        return False
