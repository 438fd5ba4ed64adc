"""A CSV file read once and written back changing only the fields asked for.

Everything else keeps its bytes (encoding, BOM, line breaks, quoting, blank lines) and the file
keeps what it is: its mode and owner, a symlink stays a link, hard links stay linked. A file
changed by someone else between read() and write() is never overwritten. A file rewritten in
place (not atomic) first gets its whole new content under a pending name; a run that finds one
refuses the file until a person has chosen between the two.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import secrets
import shutil
import stat
import tempfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sheets import csvencoding, csvtext
from sheets.csvpending import Pending, private_folder, sync_folder
from sheets.csvrecords import BLOCK, ByColumn, Changes, Records
from sheets.csvtarget import kind_of, open_for_writing_elsewhere
from sheets.errors import CsvChangedError, CsvFileError
from sheets.progress import Bar, Meter

__all__ = ["ByColumn", "Changes", "CsvChangedError", "CsvFile", "CsvFileError", "Records"]

CHUNK = 1 << 20  # characters encoded and written at a time


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the file was when read, to notice another program writing to it before we do."""

    size: int
    digest: bytes

    @classmethod
    def of(cls, stream: BinaryIO) -> Stamp:
        stream.seek(0)
        digest, size = hashlib.blake2b(), 0
        while block := stream.read(CHUNK):
            digest.update(block)
            size += len(block)
        return cls(size, digest.digest())


@dataclass
class CsvFile:
    """A CSV file as read: its encoding, delimiter and records (cells parsed lazily)."""

    path: Path
    encoding: str  # the body's codec: utf-8, utf-16-le, utf-16-be, cp1252 or the one forced
    bom: bytes  # the byte-order mark the file starts with, written back as found
    delimiter: str
    rows: Records
    width: int  # the most fields in any record
    _text: str = field(repr=False)
    _ends: array[int] = field(repr=False)
    _counts: array[int] = field(repr=False)
    _stamp: Stamp = field(repr=False)

    @classmethod
    def read(
        cls,
        path: Path,
        encoding: str | None = None,
        delimiter: str | None = None,
        meter: Meter | None = None,
    ) -> CsvFile:
        """Read and check the whole file; CsvFileError (one line) when it isn't usable CSV.

        ``meter`` shows the progress of a long file's read, and of the first walk through its
        rows (the plan's), as bars (sheets/progress.py).
        """
        Pending.of(Path(os.path.realpath(path))).refuse(str(path))
        data, stamp = _read_bytes(path, meter)
        decoded = csvencoding.decode(data, str(path), encoding)
        del data  # the text is what we keep: half the memory
        text = decoded.text
        delimiter = delimiter or csvtext.detect_delimiter(text)
        ends = csvtext.record_ends(text, delimiter, str(path))
        counts = csvtext.field_counts(text, delimiter, ends)
        rows = Records(text, ends, delimiter, meter)
        width = max(counts, default=0)
        return cls(
            path, decoded.encoding, decoded.bom, delimiter, rows, width, text, ends, counts, stamp
        )

    def render(self, changes: Changes, width: int = 0) -> bytes:
        """The whole file as it would be written with ``changes``."""
        return b"".join(self._chunks(changes, [0], width))

    def write(
        self,
        changes: Changes,
        output: Path | None = None,
        width: int = 0,
        meter: Meter | None = None,
    ) -> bool:
        """Set fields: {record index: {field index: text, or None for empty}}; False if no-op.

        A record that changes ends with at least ``width`` fields. ``meter`` shows the
        progress of a long file's write.

        With ``output`` the result goes there and the file read is left as it was. Without it,
        CsvChangedError when the file changed since it was read: read it again and retry.
        """
        if output is None:
            target, name = Path(os.path.realpath(self.path)), str(self.path)
        else:
            target, name = _output_target(self.path, output), str(output)
        if not changes and output is None:
            return False
        Pending.of(target).refuse(name)
        changed = [0]
        with _Staged(target, name) as staged:
            bar = _bar(meter, "writing", self._stamp.size)
            try:
                for chunk in self._chunks(changes, changed, width):
                    staged.stream.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
            except OSError as error:  # a full disk, a quota: the target is untouched so far
                raise CsvFileError(not_written(name, error)) from None
            finally:
                if bar is not None:
                    bar.close()
            if not changed[0] and output is None:
                return False  # every change was already there: leave the file alone
            staged.commit(self._stamp if output is None else None)
        return True

    def _chunks(self, changes: Changes, changed: list[int], width: int) -> Iterator[bytes]:
        encoder = codecs.getincrementalencoder(self.encoding)()
        yield self.bom
        for text in self._texts(changes, changed, width):
            yield encoder.encode(text)
        yield encoder.encode("", final=True)

    def _texts(self, changes: Changes, changed: list[int], width: int) -> Iterator[str]:
        """The new text in pieces of about CHUNK characters; counts the records changed."""
        text, ends, counts = self._text, self._ends, self._counts
        render, delimiter, codec = csvtext.render_record, self.delimiter, self.encoding
        indexes = sorted(changes)
        if indexes and not (indexes[0] >= 0 and indexes[-1] < len(ends)):
            raise IndexError(f"record {indexes[-1]}: {self.path} has {len(ends)} records")
        # One loop, no helper calls per record: a first sync comes through here a million times.
        pending: list[str] = []
        pos = 0
        for index in indexes:
            start = ends[index - 1] if index else 0
            raw = text[start : ends[index]]
            new = render(raw, changes[index], delimiter, counts[index], codec, width=width)
            if new is None:
                continue
            changed[0] += 1
            if start - pos > CHUNK:
                yield "".join(pending)
                yield from _slices(text, pos, start)
                pending = []
            elif start > pos:
                pending.append(text[pos:start])
            pending.append(new)
            pos = ends[index]
            if len(pending) >= BLOCK:
                yield "".join(pending)
                pending = []
        yield "".join(pending)
        yield from _slices(text, pos, len(text))


def _slices(text: str, start: int, end: int) -> Iterator[str]:
    for at in range(start, end, CHUNK):
        yield text[at : min(at + CHUNK, end)]


def _bar(meter: Meter | None, what: str, size: int) -> Bar | None:
    """A progress bar for a file of ``size`` bytes, when it is long enough to wait for."""
    return meter(what, size, "B") if meter is not None and size >= CHUNK else None


def _read_bytes(path: Path, meter: Meter | None = None) -> tuple[bytes, Stamp]:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise CsvFileError(_not_a_file(path))
        with path.open("rb") as stream:
            data = _read_all(stream, _bar(meter, "reading", info.st_size))
    except FileNotFoundError:
        # Quoted when a space at an end is part of the name, where it can't be seen otherwise.
        shown = (
            f"{str(path)!r} (spaces at an end are part of the name)"
            if str(path) != str(path).strip()
            else path
        )
        raise CsvFileError(f"{shown}: no such file: check the name and the folder.") from None
    except PermissionError:
        raise CsvFileError(
            f"{path} can't be read (permission denied): check its permissions."
        ) from None
    except OSError as error:
        raise CsvFileError(f"{path} can't be read: {error.strerror}.") from None
    return data, Stamp(len(data), hashlib.blake2b(data).digest())


def _read_all(stream: BinaryIO, bar: Bar | None) -> bytes:
    if bar is None:
        return stream.read()
    parts = []
    try:
        while block := stream.read(CHUNK):
            parts.append(block)
            bar.update(len(block))
    finally:
        bar.close()
    return b"".join(parts)


def _not_a_file(path: Path) -> str:
    if path.is_dir():
        return f"{path} is a folder, not a CSV file: name a file inside it."
    return f"{path} is {kind_of(os.stat(path).st_mode)}, not a regular file: name a CSV file."


def not_written(name: str, error: OSError) -> str:
    """One line for a write that failed before the target was touched."""
    advice = "free some space and run the sync again" if _full(error) else "check the disk"
    return f"{name} can't be written ({error.strerror}): it was left as it was; {advice}."


def _full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _output_target(source: Path, output: Path) -> Path:
    if output.is_dir():
        raise CsvFileError(f"--output {output} is a folder: name a file to write.")
    try:
        same = os.path.samefile(source, output)
    except OSError:  # output doesn't exist yet
        same = False
    if same:
        raise CsvFileError(
            f"--output {output} is the input file itself: leave out --output to update it."
        )
    target = Path(os.path.realpath(output))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CsvFileError(
            f"--output {output}: can't create its folder: {error.strerror}."
        ) from None
    return target


class _Staged:
    """The new content in a temporary file, then moved over the target or copied into it."""

    def __init__(self, target: Path, name: str) -> None:
        self.target, self.name = target, name
        try:
            # Beside the target, so a rename can replace it; os.open applies the umask to a
            # new file's mode, where mkstemp would make it private (0600).
            self.temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            fd = os.open(self.temp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
            self.beside, self.pending = True, Pending.of(target).beside
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise CsvFileError(not_written(name, error)) from None
            # A read-only folder: the file is rewritten in place, and its new content waits
            # in the state folder meanwhile, where it can be renamed to its pending name.
            fd, self.temp, self.pending = self._stage_in_state_folder()
            self.beside = False
        self.stream = os.fdopen(fd, "w+b")

    def _stage_in_state_folder(self) -> tuple[int, Path, Path]:
        problems = []
        for kept in Pending.of(self.target).kept:
            try:
                private_folder(kept.parent)
                fd, temp = tempfile.mkstemp(
                    prefix=f".{self.target.name}.", suffix=".tmp", dir=kept.parent
                )
            except OSError as error:
                problems.append(f"{kept.parent}: {error.strerror}")
                continue
            return fd, Path(temp), kept
        raise CsvFileError(
            f"{self.name} is in a read-only folder, so it would be rewritten in place, but no "
            f"copy of its new content can be kept meanwhile ({'; '.join(problems)}): set "
            "XDG_STATE_HOME to a folder of yours, or write elsewhere with --output."
        )

    def __enter__(self) -> _Staged:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()
        self.temp.unlink(missing_ok=True)

    def commit(self, expected: Stamp | None) -> None:
        """Put the new content in place; with ``expected``, only over that very content."""
        try:
            self.stream.flush()
        except OSError as error:
            raise CsvFileError(not_written(self.name, error)) from None
        try:
            info = os.stat(self.target)
        except FileNotFoundError:
            if expected is not None:
                raise CsvChangedError(self._changed("was moved or deleted")) from None
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):  # replaced since we looked
            raise CsvFileError(
                f"{self.name} is now {kind_of(info.st_mode)}, not a regular file: nothing "
                "was written."
            )
        if self.beside and (info is None or (info.st_nlink == 1 and self._adopt(info))):
            try:
                os.fsync(self.stream.fileno())
            except OSError as error:
                raise CsvFileError(not_written(self.name, error)) from None
            if expected is not None:
                with self.target.open("rb") as current:
                    self._check(current, expected)
            # Renamed over only when nobody has it open to write: an appender's next line
            # would go to the file replaced. Otherwise it is rewritten in place, below.
            if info is None or not open_for_writing_elsewhere(self.target):
                os.replace(self.temp, self.target)
                sync_folder(self.target.parent)
                return
        if info is None:
            raise CsvFileError(f"{self.name} can't be created: its folder is read-only.")
        self._copy_into_target(expected)

    def _adopt(self, info: os.stat_result) -> bool:
        """Give the temporary file the target's owner and mode; False if we may not."""
        try:
            os.fchown(self.stream.fileno(), info.st_uid, info.st_gid)
        except PermissionError:
            return False  # not root: only rewriting the file itself keeps its owner
        os.fchmod(self.stream.fileno(), stat.S_IMODE(info.st_mode))
        return True

    def _copy_into_target(self, expected: Stamp | None) -> None:
        # Hard links (every name must see the change), a read-only folder, or a file owned by
        # someone else: the same inode is rewritten, which is not atomic but keeps it what it
        # is. So the whole new content is first kept under its pending name, for a person to
        # put in place if this process dies half-way (Pending.refuse stops the next runs).
        try:
            target = self.target.open("r+b")
        except PermissionError:
            raise CsvFileError(
                f"{self.name} can't be written (permission denied, and its folder is read-only "
                "or not ours): make it writable or write elsewhere with --output."
            ) from None
        pending: Path | None = None
        try:
            with target:
                if expected is not None:
                    self._check(target, expected)
                pending = self._keep(os.fstat(target.fileno()))
                self._reserve(target, pending)
                self.stream.seek(0)
                target.seek(0)
                shutil.copyfileobj(self.stream, target, CHUNK)
                target.truncate()
                target.flush()
                os.fsync(target.fileno())
        except OSError as error:
            if pending is None:
                raise CsvFileError(f"{self.name} can't be written: {error.strerror}.") from None
            raise CsvFileError(
                f"{self.target} was only partly rewritten ({error.strerror}) and may be "
                f"half-written; the complete content is in {pending}. "
                f"{Pending.of(self.target).advice(pending)}"
            ) from None
        self._release(pending)

    def _reserve(self, target: BinaryIO, pending: Path) -> None:
        """Make the disk hold the new content before the file is touched, so a full disk
        stops us here, with the file whole, rather than half-way through rewriting it."""
        old = os.fstat(target.fileno()).st_size
        new = os.fstat(self.stream.fileno()).st_size
        if new <= old:
            return
        try:
            os.posix_fallocate(target.fileno(), old, new - old)
        except OSError as error:
            if error.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                return  # this file system can't reserve: the pending copy is the safety net
            os.truncate(target.fileno(), old)  # what was allocated goes; the bytes never moved
            self._release(pending)  # nothing was written: the copy has no job left
            raise CsvFileError(not_written(self.name, error)) from None

    def _keep(self, info: os.stat_result) -> Path:
        """Give the staged content its pending name, durably, before the target is touched."""
        pending = self.pending
        # Another run's, left since our read, would be overwritten: never.
        Pending.of(self.target).refuse(self.name)
        note = pending.with_name(f"{pending.name}.target")
        try:
            os.fchmod(self.stream.fileno(), stat.S_IMODE(info.st_mode))  # no wider than it
            os.fsync(self.stream.fileno())
            if not self.beside:  # the hash names no file: a note for the person who looks
                note.write_text(f"{self.target}\n", encoding="utf-8", errors="surrogateescape")
            os.rename(self.temp, pending)
            sync_folder(pending.parent)
        except OSError as error:
            note.unlink(missing_ok=True)
            raise CsvFileError(
                f"{self.name} can't be rewritten: its new content can't be kept in "
                f"{pending} meanwhile ({error.strerror}): it was left as it was."
            ) from None
        return pending

    def _release(self, pending: Path) -> None:
        """The target is whole and on disk: its pending copy has done its job."""
        try:
            pending.unlink()
            pending.with_name(f"{pending.name}.target").unlink(missing_ok=True)
        except OSError as error:
            raise CsvFileError(
                f"{self.name} was written, but its copy {pending} can't be deleted "
                f"({error.strerror}): delete it, or the next sync will refuse the file."
            ) from None
        sync_folder(pending.parent)

    def _check(self, current: BinaryIO, expected: Stamp) -> None:
        if Stamp.of(current) != expected:
            raise CsvChangedError(self._changed("changed"))

    def _changed(self, what: str) -> str:
        return (
            f"{self.name} {what} after it was read (another program wrote to it?): "
            "nothing was written; run the sync again."
        )
