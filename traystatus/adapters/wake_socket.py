"""Cross-process wake-ups: another traystatus process that changed the shared state (an override, a stored
handoff note) pokes the running tray or headless service, which looks at once instead of at its next pass.

A Linux abstract-namespace datagram socket named after the user and the state dir (no file to clean up, no
path-length limit). The kernel attaches the sender's credentials (``SO_PASSCRED``): pokes from another user
and from this process itself are ignored. The listener blocks in ``recvmsg`` on its own thread: no polling,
so no idle CPU. A poke nobody listens to is dropped; a poke only asks for a (coalesced) look, never carries
data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

from traystatus.core.duties import Jobs

log = logging.getLogger(__name__)

CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid


def address(state_dir: Path) -> str:
    # per user and state dir, as the single-instance name (isolated test homes do not meet); not hashlib
    digest = f"{zlib.crc32(str(state_dir.resolve()).encode()):08x}"
    return f"\0traystatus-wake-{os.getuid()}-{digest}"


def poke(state_dir: Path, what: str = "state") -> bool:
    """Tell a running traystatus on ``state_dir`` to look now; False when none listens. Never raises."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.setblocking(False)  # a listener that does not read (hung) never blocks the writer
            s.sendto(what.encode()[:64], address(state_dir))
        return True
    except OSError:
        return False


class WakeListener:
    """``start()`` listens (False when another process already does: it gets the pokes), ``stop()`` ends."""

    def __init__(self, state_dir: Path, on_wake: Callable[[str], None]) -> None:
        self._address = address(state_dir)
        self._on_wake = on_wake
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            sock.bind(self._address)
        except OSError as e:
            sock.close()
            log.info("another traystatus process listens for wake-ups on this state dir (%s)", e)
            return False
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self._sock = sock
        self._thread = threading.Thread(target=self._loop, name="wake-listener", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked recvmsg with nothing
        if self._thread is not None:
            self._thread.join(timeout=5)
        sock.close()

    def _loop(self) -> None:
        sock = self._sock
        while sock is not None:
            try:
                data, ancillary, _flags, _addr = sock.recvmsg(256, socket.CMSG_SPACE(CREDENTIALS.size))
            except OSError:
                return
            if not data:
                return  # stop(): shut down
            sender = next(
                (CREDENTIALS.unpack(d[:12]) for _, kind, d in ancillary if kind == socket.SCM_CREDENTIALS),
                None,
            )
            if sender is None or sender[1] != os.getuid() or sender[0] == os.getpid():
                continue  # another user's, or this process's own change (it already acts on it)
            what = data.decode(errors="replace")
            log.info("another traystatus process changed the %s: looking now", what)
            try:
                self._on_wake(what)
            except Exception:
                log.exception("handling a wake-up failed")


class WakeDuty:
    """The listener as a background duty: a poke triggers the runtime (a sync pass and every duty)."""

    name = "cross-process wake-up"

    def __init__(self, state_dir: Path) -> None:
        self._state_dir = state_dir
        self._listener: WakeListener | None = None

    def start(self, jobs: Jobs) -> None:
        self._listener = WakeListener(self._state_dir, lambda what: jobs.trigger(f"changed by another process: {what}"))
        self._listener.start()

    def trigger(self, reason: str) -> None:
        pass

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
