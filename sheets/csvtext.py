"""CSV text as written: record boundaries, fields and new records, without losing a character.

Pure functions over ``str``; sheets/csvencoding.py turns bytes into text and back and
sheets/csvfile.py does the file I/O. Records are kept as spans of the decoded text, so a record
nobody changes is written back from its own characters, which re-encode to its original bytes.
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import chain, islice

from sheets.csvencoding import encodable
from sheets.errors import CsvFileError

MAX_FIELD = 1_000_000  # characters; far beyond any real cell (Google allows 50,000)
DELIMITERS = (",", ";", "\t")


def detect_delimiter(text: str) -> str:
    """``,`` unless most of the first lines use ``;`` or a tab more, outside quotes.

    >>> detect_delimiter("Date;Impressions;Clicks\\n2026-10-26;7984;359,5\\n")
    ';'
    >>> detect_delimiter('Note: a; b\\nDate,Clicks\\n"1;2",3\\n')
    ','
    """
    sample = re.sub(r'"[^"]*"', "", text[:65_536])  # "" escapes leave adjacent spans: also gone
    votes = dict.fromkeys(DELIMITERS, 0)
    for line in [line for line in sample.splitlines() if line.strip()][:20]:
        counts = {d: line.count(d) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the comma, listed first
        votes[best] += counts[best] > 0
    return max(DELIMITERS, key=lambda d: votes[d])


@cache
def _patterns(delimiter: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(one record with its line break, one field inside a record's text) for a delimiter.

    Like Python's csv module and Excel, a quote opens a quoted field only at the field's
    start; text after the closing quote, and quotes inside an unquoted field, are literal.
    Possessive quantifiers: a field has one reading, so the regex never backtracks.
    """
    d = re.escape(delimiter)
    quoted = '"[^"]*+(?:""[^"]*+)*+"'
    field = rf'(?:{quoted}[^{d}\r\n]*+|[^{d}\r\n"][^{d}\r\n]*+)?+'
    record = re.compile(rf"{field}(?:{d}{field})*+(?:\r\n|\r|\n|\Z)")
    return record, re.compile(rf'{quoted}[^{d}]*+|[^{d}"][^{d}]*+|')


def record_ends(text: str, delimiter: str, name: str) -> array[int]:
    """Where each record ends (after its line break), checked for closed quotes and sane sizes."""
    ends: array[int] = array("q")
    append = ends.append
    last = 0
    for match in _patterns(delimiter)[0].finditer(text):
        start, end = match.span()
        if start != last:  # only an unclosed quote stops a record from matching
            raise _unclosed(text, last, delimiter, name)
        if end == start:  # the empty match at the very end
            break
        if end - start > MAX_FIELD:
            _check_sizes(text[start:end], delimiter, name, line_at(text, start))
        append(end)
        last = end
    return ends


def _unclosed(text: str, start: int, delimiter: str, name: str) -> CsvFileError:
    field = _patterns(delimiter)[1]
    pos = start
    while True:
        end = field.match(text, pos).end()  # type: ignore[union-attr]  # the empty branch always matches
        if text[end] != delimiter:
            break
        pos = end + 1
    return CsvFileError(
        f"{name}: the quote opened on line {line_at(text, end)} is never closed, so every "
        "line after it would be one cell: close or remove it."
    )


def _check_sizes(record: str, delimiter: str, name: str, line: int) -> None:
    for raw in split_raw(record.rstrip("\r\n"), delimiter):
        if len(raw) > MAX_FIELD:
            raise CsvFileError(
                f"{name}: a cell starting on line {line} holds {len(raw) / 1e6:.1f} million "
                f"characters, over the {MAX_FIELD:,} a cell may hold: is it really a CSV file?"
            )


def line_at(text: str, pos: int) -> int:
    """1-based line of ``text[pos]``, counting CRLF, LF and a lone CR as line breaks.

    >>> line_at("a\\r\\nb\\rc\\nd", 8)
    4
    """
    return text.count("\n", 0, pos) + text.count("\r", 0, pos) - text.count("\r\n", 0, pos) + 1


def split_raw(content: str, delimiter: str) -> list[str]:
    """A record's fields exactly as written (quotes included); a blank record has none.

    >>> split_raw('a,"b,""c"" d",e', ",")
    ['a', '"b,""c"" d"', 'e']
    """
    if not content:
        return []
    if '"' not in content:
        return content.split(delimiter)
    field = _patterns(delimiter)[1]
    parts: list[str] = []
    pos = 0
    while True:
        end = field.match(content, pos).end()  # type: ignore[union-attr]  # always matches
        parts.append(content[pos:end])
        if end >= len(content):
            return parts
        if content[end] != delimiter:
            raise ValueError(f"unclosed quote at {end} in a record that was checked: {content!r}")
        pos = end + 1


def field_value(raw: str) -> str:
    """The text a field holds: quotes removed and doubled quotes undone, as csv does.

    >>> field_value('"say ""hi"" now"'), field_value('"a"b'), field_value('5" tall')
    ('say "hi" now', 'ab', '5" tall')
    """
    if not raw.startswith('"'):
        return raw
    close = 1
    while True:
        close = raw.index('"', close)
        if raw.startswith('""', close):
            close += 2
            continue
        return raw[1:close].replace('""', '"') + raw[close + 1 :]


def records(text: str, ends: array[int], first: int = 0, stop: int | None = None) -> list[str]:
    """Records ``first`` to ``stop - 1`` as written, line breaks included."""
    stop = len(ends) if stop is None else stop
    block = ends[first:stop]  # a slice, not islice: that would walk from the first record
    starts = chain((ends[first - 1] if first else 0,), block[:-1])
    return list(map(text.__getitem__, map(slice, starts, block)))


def parse(raws: list[str], delimiter: str) -> list[list[str | None]]:
    """The cells of whole records (empty cells as None), at the csv module's speed.

    Given one record per string, csv returns one row per string; it refuses fields over its
    global size limit, and then the records are parsed here instead.
    """
    try:
        rows = list(_reader(raws, delimiter))
    except csv.Error:
        rows = []
    if len(rows) == len(raws):
        return [[value or None for value in row] for row in rows]
    return [
        [field_value(raw) or None for raw in split_raw(record.rstrip("\r\n"), delimiter)]
        for record in raws
    ]


def field_counts(text: str, delimiter: str, ends: array[int]) -> array[int]:
    """How many fields each record has (a blank line has none), by csv's C parser when it can."""
    starts = chain((0,), islice(ends, max(len(ends) - 1, 0)))
    raws = map(text.__getitem__, map(slice, starts, ends))  # one at a time: no copy of the text
    counts: array[int] = array("L")
    try:
        counts.extend(map(len, _reader(raws, delimiter)))
    except csv.Error:
        counts = array("L")
    if len(counts) == len(ends):
        return counts
    starts = chain((0,), islice(ends, max(len(ends) - 1, 0)))
    raws = map(text.__getitem__, map(slice, starts, ends))
    return array("L", (len(split_raw(raw.rstrip("\r\n"), delimiter)) for raw in raws))


def _reader(raws: Iterable[str], delimiter: str) -> Iterator[list[str]]:
    # Excel's dialect, spelled out: it is what the record regex above agrees with.
    return csv.reader(
        raws, delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=False
    )


def quote(value: str, delimiter: str) -> str:
    """A new cell's text as CSV: quoted only when it has to be.

    >>> quote("0.045", ","), quote("3,5", ","), quote(' say "hi" now', ",")
    ('0.045', '"3,5"', '" say ""hi"" now"')
    """
    if value and (
        delimiter in value
        or '"' in value
        or "\n" in value
        or "\r" in value
        or value[0] in " \t"
        or value[-1] in " \t"
    ):
        return '"' + value.replace('"', '""') + '"'
    return value


def render_record(
    raw: str,
    changes: Mapping[int, str | None],
    delimiter: str,
    count: int,
    codec: str,
    *,
    width: int = 0,
) -> str | None:
    """A record with some fields set, everything else as written; None when nothing changes.

    Args:
        raw: the record as written, line break included.
        changes: field index -> new text, None or "" for an empty field.
        count: how many fields the record has.
        codec: the file's codec; characters it can't write are replaced.
        width: a record that changes ends with at least this many fields (the tool's columns
            all there, empty ones included), so it is as wide as its header.
    """
    content = raw.rstrip("\r\n")
    ending = raw[len(content) :]
    if len(changes) == 1:  # one field added at the end: a first sync's shape, kept fast
        ((k, v),) = changes.items()
        if k >= count and v:
            v = quote(v if v.isascii() else encodable(v, codec), delimiter)
            padding, after = delimiter * (k - count), delimiter * max(0, width - k - 1)
            return (content + delimiter + padding + v if count else padding + v) + after + ending
    # Emptying a field the record doesn't have changes nothing.
    new = {k: encodable(v, codec) if v else "" for k, v in changes.items() if v or k < count}
    if not new:
        return None
    end = max(max(new) + 1, width)
    if min(new) >= count:  # only fields added at the end: the first sync's shape, kept fast
        tail = [""] * (end - count)
        for k, v in new.items():
            tail[k - count] = quote(v, delimiter)
        added = delimiter.join(tail)
        return (content + delimiter + added if count else added) + ending
    if min(new) < 0:
        raise IndexError(f"field index {min(new)} is negative")
    parts = split_raw(content, delimiter)
    parts += [""] * (end - len(parts))
    changed = False
    for k, v in new.items():
        if k < count and field_value(parts[k]) == v:
            continue  # same text: keep it as written, quotes and all
        parts[k] = quote(v, delimiter)
        changed = True
    if not changed:
        return None
    # One empty field written bare would read back as a blank line, with no field at all.
    return (delimiter.join(parts) or '""') + ending
