"""The single-instance channel on Linux: an abstract-namespace stream socket, watched by a QSocketNotifier.

Same protocol as Qt's QLocalServer (one line per request, then the sender closes), without loading
QtNetwork, which with the Kerberos libraries it links costs the tray about 2.6 MB of resident memory
(docs/platform-notes.md). An abstract name leaves no file behind a crashed instance, and the kernel tells the
listener who connected (``SO_PEERCRED``): another user's connections are closed unread, as QLocalServer's
``UserAccessOption`` socket file mode refuses them. Other platforms keep QLocalServer (qt/application.py).
"""

from __future__ import annotations

import logging
import os
import socket
import struct

from PySide6.QtCore import QObject, QSocketNotifier, Signal

log = logging.getLogger(__name__)

CREDENTIALS = struct.Struct("3i")  # struct ucred: pid, uid, gid
MAX_REQUEST = 4096  # a request is a word ("activate", "settings"): a connection sending more is dropped


def address(server_name: str) -> str:
    return "\0" + server_name


def send(server_name: str, message: str, timeout_ms: int) -> bool:
    """Connect, send one line, close; False when nobody listens (or it does not take the line in time)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout_ms / 1000)
            s.connect(address(server_name))
            s.sendall((message.strip() + "\n").encode())
        return True
    except OSError:
        return False


class _Connection:
    """One sender's socket, its notifier and what it sent so far (no Qt parent: Python owns the notifier)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read)


class AbstractInstanceServer(QObject):
    """``listen()``; each line a connection sends reaches ``line_received``."""

    line_received = Signal(str)

    def __init__(self, server_name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server_name = server_name
        self._sock: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._connections: dict[int, _Connection] = {}
        # notifiers that fired their last time: released at the next accept, never inside their own signal
        self._retired: list[QSocketNotifier] = []

    def listen(self) -> bool:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(address(self.server_name))
            sock.listen(8)
        except OSError as e:
            sock.close()
            log.warning("single-instance listener failed: %s", e.strerror or e)
            return False
        sock.setblocking(False)
        self._sock = sock
        self._notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._accept)
        return True

    def close(self) -> None:
        for fd in list(self._connections):
            self._drop(fd)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._retired.append(self._notifier)
            self._notifier = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _accept(self) -> None:
        self._retired.clear()
        while self._sock is not None:
            try:
                sock, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                log.warning("single-instance listener: %s", e.strerror or e)
                return
            uid = CREDENTIALS.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, CREDENTIALS.size))[1]
            if uid != os.getuid():
                log.warning("single-instance request from another user (uid %d) refused", uid)
                sock.close()
                continue
            sock.setblocking(False)
            conn = _Connection(sock)
            fd = sock.fileno()
            self._connections[fd] = conn
            conn.notifier.activated.connect(lambda *_, fd=fd: self._read(fd))

    def _read(self, fd: int) -> None:
        conn = self._connections.get(fd)
        if conn is None:
            return
        try:
            data = conn.sock.recv(MAX_REQUEST)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.buffer += data
        *lines, conn.buffer = conn.buffer.split(b"\n")
        for raw in lines:
            line = raw.decode(errors="replace").strip()
            if line:
                self.line_received.emit(line)
        if not data or len(conn.buffer) > MAX_REQUEST:  # closed by the sender, or not a request
            self._drop(fd)

    def _drop(self, fd: int) -> None:
        conn = self._connections.pop(fd, None)
        if conn is None:
            return
        conn.notifier.setEnabled(False)
        self._retired.append(conn.notifier)
        conn.sock.close()
