"""An exclusive lock between processes on a lock file (flock; msvcrt on Windows), held for a ``with`` block."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from traystatus.adapters.private_files import open_private

log = logging.getLogger(__name__)

if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for ~10 s, then raises: keep waiting
                return
            except OSError:
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _open(path: Path) -> int | None:
    """The lock file, created if missing; an existing one read-only when it cannot be written (flock needs no
    write access); None when it can be neither made nor opened (a read-only or full dir)."""
    try:
        return open_private(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
    except OSError as first:
        try:
            return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            log.debug("lock file %s cannot be opened (%s): going on without it", path, first.strerror)
            return None


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold ``path`` (created if missing) exclusively: other processes' ``locked(path)`` wait.

    Where the lock file cannot be made, the block runs unlocked: what it guards lives in the same dir and
    cannot be written either (its writer reports that), and reading must still work."""
    fd = _open(path)
    if fd is None:
        yield
        return
    with os.fdopen(fd, "rb") as f:
        _lock(f.fileno())
        try:
            yield
        finally:
            _unlock(f.fileno())
