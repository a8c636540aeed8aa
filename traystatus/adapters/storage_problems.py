"""Why a file of ours could not be written, in words: which path, the cause (permissions, a read-only file
system, a full disk or quota) and what to do, as a :class:`StorageError` instead of a raw ``OSError``."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import tempfile
from pathlib import Path

from traystatus.core.errors import StorageError

_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if p.exists():
            return p
    return path


def _blocker(path: Path) -> Path:
    """The path the user must change: the file when it exists but is read-only, else the directory it goes in
    (or its nearest existing parent, when the directory is still to be made)."""
    if path.is_file() and not os.access(path, os.W_OK):
        return path
    return _nearest_existing(path.parent if not path.is_dir() else path)


def cause_and_fix(exc: OSError, path: Path, *, reading: bool = False) -> tuple[str, str]:
    """What went wrong with ``path`` and what the user can do about it."""
    where = _blocker(path)
    if reading and exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied", f"make {path} readable by you (`ls -l {path}` shows its owner and mode)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            "permission denied",
            f"make {where} writable by you (`ls -ld {where}` shows its owner and mode; `chmod u+w {where}`, "
            "or `chown` it back to you)",
        )
    if exc.errno == errno.EROFS:
        return "it is on a read-only file system", f"remount {where} read-write, or point traystatus at another place"
    if exc.errno in _FULL:
        what = "the disk quota is used up" if exc.errno != errno.ENOSPC else "the disk is full"
        return what, f"free some space there (`df -h {where}` shows how much is left), then try again"
    if exc.errno == errno.EFBIG:
        return "the file would exceed the size limit for files (`ulimit -f`)", "raise the limit, then try again"
    return exc.strerror or type(exc).__name__, f"check {where}, then try again"


def storage_error(exc: OSError, path: Path, what: str, *, kept: str = "", reading: bool = False) -> StorageError:
    """``what``: the thing that was being written ("the state file"); ``kept``: what was not lost, if anything
    ("what was applied is kept in memory until the file can be written")."""
    cause, fix = cause_and_fix(exc, path, reading=reading)
    message = f"{path}: {cause}. To fix: {fix}."
    if kept:
        message += f" {kept[0].upper()}{kept[1:]}"
    return StorageError(f"Cannot {'read' if reading else 'write'} {what}", message, path=str(path))


def check_writable(directory: Path, what: str) -> None:
    """Fail before doing anything that cannot be undone (a login on a server, a token in the keyring) when
    ``what`` in ``directory`` cannot be written: a probe file is created there and removed."""
    from traystatus.adapters.private_files import private_dir

    try:
        private_dir(directory)
        fd, name = tempfile.mkstemp(prefix=".traystatus-probe-", dir=directory)
        os.close(fd)
        with contextlib.suppress(OSError):
            Path(name).unlink()
    except OSError as e:
        raise storage_error(e, directory, what, kept="nothing was changed.") from None


class WriteWatch:
    """One file that may fail to be written again and again (a full disk, a read-only dir): the problem is
    logged once, again only when its cause changes, and once more when writing works again, so a service
    that retries every minute never fills its log with the same lines."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self._log = logger
        self._what = what
        self.problem: StorageError | None = None

    def failed(self, exc: OSError, path: Path, *, kept: str) -> StorageError:
        problem = storage_error(exc, path, self._what, kept=kept)
        if self.problem is None or self.problem.message != problem.message:
            self._log.warning("%s: %s", problem.title, problem.message)
        self.problem = problem
        return problem

    def worked(self) -> None:
        if self.problem is not None:
            self._log.info("%s: %s is written again", self._what, self.problem.path)
            self.problem = None


#: less free space than this where traystatus writes is worth a warning (a state file, a note, a log line)
LOW_SPACE = 1024 * 1024


def dir_problem(directory: Path) -> tuple[str, str] | None:
    """(what is wrong, the fix) for a dir traystatus writes into, or None; reads only (`doctor` writes nothing)."""
    where = _nearest_existing(directory)
    kwargs = {"effective_ids": True} if os.access in os.supports_effective_ids else {}
    if not os.access(where, os.W_OK | os.X_OK, **kwargs):
        return cause_and_fix(PermissionError(errno.EACCES, "Permission denied"), directory / ".")
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return None
    if free < LOW_SPACE:
        return cause_and_fix(OSError(errno.ENOSPC, "No space left on device"), directory / ".")
    return None
