"""Writing a cache file atomically and privately (0600): a reader sees the old or the new file, never half,
and no other user on the machine can read meeting titles from it. (Until the shared atomic-write helper
lands; then this becomes a call to it with the same mode.)"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``; raises ``OSError`` (the temporary file is removed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        tmp.chmod(0o600)  # O_CREAT's mode is only used when the file is new
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
