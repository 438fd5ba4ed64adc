"""The records of a CSV text as cells, parsed on demand, and changes held column by column."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import overload

from sheets import csvtext
from sheets.progress import Meter

BLOCK = 1024  # records parsed together: csv's C speed, without holding every row's cells

Changes = Mapping[int, Mapping[int, str | None]]
Row = list[str | None]


class Records(Sequence[Row]):
    """The records of a CSV text, each parsed into cells only when asked for (one block kept)."""

    def __init__(
        self, text: str, ends: array[int], delimiter: str, meter: Meter | None = None
    ) -> None:
        self._text, self._ends, self._delimiter = text, ends, delimiter
        self._block: tuple[int, list[Row]] = (-1, [])
        # Shown on the first walk through every row (the plan's): on a long file, the most time.
        self._meter = meter if len(ends) > 16 * BLOCK else None

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"record {index} of {len(self)}")
        number, rows = self._block
        if number != index // BLOCK:
            number = index // BLOCK
            self._block = number, (rows := self._parse(number))
        return rows[index - number * BLOCK]

    def __iter__(self) -> Iterator[Row]:
        meter, self._meter = self._meter, None
        if meter is None:
            for number in range((len(self) + BLOCK - 1) // BLOCK):
                yield from self._parse(number)
            return
        bar = meter("checking rows", len(self), "row")
        try:
            for number in range((len(self) + BLOCK - 1) // BLOCK):
                rows = self._parse(number)
                yield from rows
                bar.update(len(rows))
        finally:
            bar.close()

    def __repr__(self) -> str:
        return f"<{len(self)} CSV records>"

    def span(self, index: int) -> tuple[int, int]:
        """Where record ``index`` starts and ends (after its line break) in the text."""
        return (self._ends[index - 1] if index else 0), self._ends[index]

    def raw(self, index: int) -> str:
        """Record ``index`` exactly as written, line break included."""
        start, end = self.span(index)
        return self._text[start:end]

    def _parse(self, number: int) -> list[Row]:
        first = number * BLOCK
        raws = csvtext.records(self._text, self._ends, first, min(first + BLOCK, len(self)))
        return csvtext.parse(raws, self._delimiter)


class ByColumn(Mapping[int, Mapping[int, str | None]]):
    """Changes held column by column, {field: {record: text}}, seen record by record.

    A first sync sets one or two fields on every record: a dict per column costs a fraction
    of a million one-entry dicts (~40 MB against ~250 MB for a million records).
    """

    def __init__(self, columns: Mapping[int, Mapping[int, str | None]]) -> None:
        self._columns = columns
        self._records = sorted(set().union(*columns.values()))

    def __getitem__(self, record: int) -> dict[int, str | None]:
        cells = {col: values[record] for col, values in self._columns.items() if record in values}
        if not cells:
            raise KeyError(record)
        return cells

    def __iter__(self) -> Iterator[int]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)
