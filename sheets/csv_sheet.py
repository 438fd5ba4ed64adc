"""A local CSV file as a sheet backend: only the tool's cells change (see sheets/csvfile.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sheets.csvfile import ByColumn, CsvFile
from sheets.csvtarget import FileLock, check_target
from sheets.locales import csv_numerals
from sheets.ownership import Evidence
from sheets.plan import Plan
from sheets.port import SheetRead, cell_text


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
    _file: CsvFile | None = field(default=None, repr=False)
    _written: bool = field(default=False, repr=False)
    _lock: FileLock | None = field(default=None, repr=False)

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> SheetRead:
        if not self.read_only:
            self._claim_target()
        self._file = CsvFile.read(self.path, self.encoding)
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
        self._file.write(ByColumn(columns), self._output(), width)
        self._written = True

    def written(self, plan: Plan) -> bool:
        # A change since our read is caught before writing (SheetChangedError): what was
        # written is what was planned, so no second read of a big file.
        return True

    def finish(self) -> None:
        """With --output, write the result even when nothing changed (the file is asked for)."""
        if self.output is not None and self._file is not None and not self._written:
            self._file.write({}, self._output())
            self._written = True

    def close(self) -> None:
        """Let other programs have the file again."""
        if self._lock is not None:
            self._lock.release()

    def _output(self) -> Path | None:
        return None if self.output is None else Path(self.output)

    def _claim_target(self) -> None:
        """Check the file to be written and lock it (again, if it was replaced since)."""
        output = self.output is not None
        name = str(self.output) if self.output is not None else str(self.path)
        real = check_target(name, output=output, write_read_only=self.write_read_only)
        if self._lock is None:
            self._lock = FileLock(name if not output else f"--output {name}")
        if real is not None:
            self._lock.take(real)
