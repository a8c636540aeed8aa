"""Files and directories private to the user: dirs 0700, files 0600 from creation, atomic replacement.

Everything traystatus writes (config, state, caches, archive, log) goes through here, so no file is ever
readable by another local user, not even for the moment between creation and a ``chmod``: the mode is
given to ``open``/``mkdir`` and the umask is not trusted to be 022 or 077.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents with mode 0700 (existing dirs are left as they are)."""
    missing: list[Path] = []
    p = path
    while not p.is_dir():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue
        # mkdir's mode is masked by the umask: an unusual umask (e.g. 0o277) could take owner bits away.
        if sys.platform != "win32" and (d.stat().st_mode & 0o777) != DIR_MODE:
            d.chmod(DIR_MODE)
    return path


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_APPEND, *, mode: int = FILE_MODE) -> int:
    """``os.open`` with ``mode`` for a new file, whatever the umask; the parent dir is made private first."""
    private_dir(path.parent)
    # The umask can only take bits away from ``mode``: a new file is never more open than 0600.
    return os.open(path, flags | getattr(os, "O_CLOEXEC", 0), mode)


def create_private(path: Path, *, mode: int = FILE_MODE) -> Path:
    """Make sure ``path`` exists, created with ``mode`` if it did not (for files another library opens).

    An existing file is not opened at all, so a read-only file or dir does not fail here.
    """
    if path.exists():
        return path
    with contextlib.suppress(FileExistsError):  # another process may have created it first
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode=mode))
    return path


def atomic_write(path: Path, data: bytes | str, *, mode: int = FILE_MODE) -> None:
    """Replace ``path`` with ``data`` atomically: a uniquely named temp file in the same dir, created with
    ``mode``, fsynced, renamed over ``path``, then the dir fsynced so the rename survives a crash.

    Two processes writing at once never share a temp file; readers see the old or the new content, whole.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    private_dir(path.parent)
    # mkstemp creates the file O_EXCL with mode 0600, independent of the umask.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            if mode != FILE_MODE and sys.platform != "win32":
                os.fchmod(f.fileno(), mode)
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (a rename) to disk; not possible (nor needed) on Windows."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
