"""Where a CSV rewritten in place keeps its whole new content until the rewrite is done.

Rewriting a file in place (hard links, a read-only folder, someone else's file) is not atomic:
a process killed half-way leaves it half old, half new. So the complete new content is first
kept under a pending name a later run can find; that run refuses the file until a person has
chosen between the two. Nothing is ever restored or deleted for them.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

from sheets.errors import CsvFileError

PENDING = ".ctr-sync-pending"  # the end of the name a rewrite's whole new content waits under


@dataclass(frozen=True, slots=True)
class Pending:
    """Where the whole new content of ``target`` waits while the file is rewritten in place.

    Beside the target when its folder is writable, else in the first usable per-user state
    folder, named from a hash of the target's real path with a ``.target`` note naming it. A
    run finds any of them and refuses the file: it may be half-written, and only a person can
    tell which of the two is right. Nothing is ever restored or deleted for them.
    """

    target: Path
    beside: Path
    kept: tuple[Path, ...]  # the name in each state folder, in the order they are tried

    @classmethod
    def of(cls, target: Path) -> Pending:
        digest = hashlib.sha256(os.fsencode(target)).hexdigest()[:16]
        name = f"{target.name}.{digest}{PENDING}"
        kept = tuple(folder / name for folder in _state_folders())
        return cls(target, target.with_name(f".{target.name}{PENDING}"), kept)

    def refuse(self, name: str) -> None:
        """CsvFileError if an interrupted in-place rewrite left its content for a person."""
        for pending in (self.beside, *self.kept):
            if os.path.lexists(pending):
                raise CsvFileError(
                    f"{name}: a previous sync was interrupted while rewriting it in place, so "
                    f"{self.target} may be half-written; the complete content it was writing "
                    f"is in {pending}. {self.advice(pending)}"
                )

    def advice(self, pending: Path) -> str:
        """What to do with ``pending``: the person decides, the tool never does."""
        # cp, not mv: it rewrites the file itself, as the sync did, so hard links, the owner
        # and a read-only folder stay what they are.
        copy = f"cp {shlex.quote(str(pending))} {shlex.quote(str(self.target))}"
        return (
            f"Compare the two, then copy it over the file (`{copy}`) and delete it, or delete "
            "it if the file is right; until then syncs leave the file alone."
        )


def _state_folders() -> list[Path]:
    # The XDG base-directory spec's per-user state folder, a place a person's later runs (and
    # the person) find again, unlike the system's temp folder, which is emptied at boot; and
    # for users whose home can't be written (services, sudo), a folder of theirs in /var/tmp,
    # which outlives a reboot too.
    folders = [Path("/var/tmp") / f"ctr-bundle-{os.geteuid()}" / "pending"]
    base = os.environ.get("XDG_STATE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "state"
    except RuntimeError:  # no home folder to be found
        return folders
    return [root / "ctr-bundle" / "pending", *folders]


def private_folder(folder: Path) -> None:
    """Create ``folder`` and its parent for us alone; OSError if the parent isn't that."""
    folder.parent.parent.mkdir(parents=True, exist_ok=True)
    folder.parent.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(folder.parent)
    # In a shared folder (/var/tmp) someone else may have made it first, to read our data.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise PermissionError(errno.EPERM, f"{folder.parent} is not a private folder of ours")
    folder.mkdir(mode=0o700, exist_ok=True)


def sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
