"""Where a CSV sync may write, and the lock it holds while it works.

The rule: the sync writes only to a regular file or to a new path in a folder. A folder, FIFO,
device, socket or anything else is refused, whatever name or link leads to it, and so is a
name that ends in a slash (it names a folder). A file nobody may write (no write bit, or not
writable by us) is refused unless the person asked for it. A file another program holds an
advisory lock on (flock) is refused: it is in use. Each refusal is one line; nothing changes.
A file another program has open for writing is never renamed over (its later lines would go to
the replaced file, which nobody sees): see :func:`open_for_writing_elsewhere`.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from sheets.errors import CsvFileError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words.

    >>> kind_of(stat.S_IFIFO | 0o644)
    'a FIFO (named pipe)'
    """
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def names_a_folder(name: str) -> bool:
    """A trailing slash names a folder, whether or not one is there (Path() would drop it)."""
    return name.endswith((os.sep, "/")) or (os.altsep is not None and name.endswith(os.altsep))


def check_target(name: str, *, output: bool, write_read_only: bool) -> Path | None:
    """The real path of an existing regular file to write, None for a new path; else one line.

    Args:
        name: the path exactly as the person gave it.
        output: it came from --output (messages name the option).
        write_read_only: the person asked to update read-only files anyway.
    """
    said = f"--output {name}" if output else name
    if names_a_folder(name):
        raise CsvFileError(f"{said} names a folder: name a file to write, e.g. {name}out.csv.")
    real = Path(os.path.realpath(name))
    try:
        # The name itself, links followed by the kernel: /dev/stdout's realpath names nothing.
        info = os.stat(name)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CsvFileError(f"{said} can't be looked at: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise CsvFileError(f"{said} is a folder, not a CSV file: name a file to write.")
    if not stat.S_ISREG(info.st_mode):
        raise CsvFileError(
            f"{said} is {kind_of(info.st_mode)}, not a regular file: nothing was written; "
            "name a CSV file."
        )
    if (info.st_dev, info.st_ino) in _own_output():
        raise CsvFileError(
            f"{said} is where this command's own output goes (stdout or stderr): nothing was "
            "written; name another file, or redirect the command's output elsewhere."
        )
    if not write_read_only and read_only(real, info):
        raise CsvFileError(
            f"{said} is read-only: nothing was written. Make it writable, pass "
            "--write-read-only to update it anyway (its mode is kept), or write elsewhere "
            "with --output."
        )
    return real


def _own_output() -> set[tuple[int, int]]:
    """The files our stdout and stderr write to: the summary would land inside the CSV."""
    files = set()
    for fd in (1, 2):
        try:
            info = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            files.add((info.st_dev, info.st_ino))
    return files


def read_only(path: Path, info: os.stat_result) -> bool:
    # root may write anything: the mode bits still say what the owner meant.
    return not info.st_mode & 0o222 or not os.access(path, os.W_OK)


@dataclass
class FileLock:
    """An exclusive advisory lock (flock) on a file, held from our read until our write is
    done: another program that holds one is using the file, and two syncs never overlap."""

    name: str
    _fd: int | None = field(default=None, repr=False)
    _inode: tuple[int, int] | None = field(default=None, repr=False)
    _closer: weakref.finalize[[int], FileLock] | None = field(default=None, repr=False)

    def take(self, path: Path, *, shared: bool = False) -> None:
        """Lock the file now at ``path`` (again, if it was replaced since): one line if held.

        ``shared``: a reader's lock (the input of a dry run or of --output), which other
        readers may hold too but a writer holding the file excludes.
        """
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return  # a new file: nobody else can be using it; the read says it's missing
        except OSError as error:
            raise CsvFileError(f"{self.name} can't be opened: {error.strerror}.") from None
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) == self._inode:
            os.close(fd)  # already ours: a second lock from this process would wait on us
            return
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise CsvFileError(
                    f"{self.name} is in use by another program (it holds a lock on the file): "
                    "nothing was written; close it or let it finish, then sync again."
                ) from None
            raise CsvFileError(f"{self.name} can't be locked: {error.strerror}.") from None
        self.release()
        self._fd, self._inode = fd, (info.st_dev, info.st_ino)
        # A sheet nobody closes (a caller that just drops it) must not keep the file locked
        # for the rest of the process: its own next read would find it "in use".
        self._closer = weakref.finalize(self, os.close, fd)

    def release(self) -> None:
        if self._closer is not None:
            self._closer()  # closing the last descriptor releases the flock
        self._fd, self._inode, self._closer = None, None, None


def open_for_writing_elsewhere(path: Path) -> bool:
    """Whether another program may have ``path`` open for writing (True when unknown).

    An appender (a logger, an exporter) keeps writing to the file it opened: rename a new file
    over it and its later lines go to the old one, which nobody sees. Linux grants a read
    lease only while no one has the file open for writing (fcntl(2), F_SETLEASE): taken and
    given back at once, it answers exactly that question.
    """
    setlease = getattr(fcntl, "F_SETLEASE", None)
    if setlease is None:
        return True
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError:
        return True
    try:
        # Should a program open the file in the instant we hold the lease, the kernel tells
        # us with a signal, SIGIO by default, which would end this process; SIGURG is ignored.
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, setlease, fcntl.F_RDLCK)
    except OSError:  # EAGAIN: a writer has it open; EACCES, EINVAL: we can't tell
        return True
    else:
        fcntl.fcntl(fd, setlease, fcntl.F_UNLCK)
        return False
    finally:
        os.close(fd)
