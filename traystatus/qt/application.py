"""The QApplication set-up and single instance: a second launch hands its request to the running one.

The running instance listens; a new launch first tries to connect and, if that works, sends one line
("activate", "settings", "handoff", …) and exits. On Linux the channel is an abstract-namespace socket
(qt/instance_socket.py: no QtNetwork to load), elsewhere a QLocalServer.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalSocket

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 500
ABSTRACT_SOCKETS = sys.platform.startswith("linux")


def create_application(argv: Sequence[str]) -> QApplication:
    """The app object: named, and alive without any window (the tray keeps it running)."""
    app = QApplication(list(argv))
    app.setApplicationName("traystatus")
    app.setApplicationDisplayName("traystatus")
    app.setDesktopFileName("traystatus")
    app.setQuitOnLastWindowClosed(False)
    return app


def forward_to_running(server_name: str, message: str) -> bool:
    """Send ``message`` to a running instance; True if one received it (then this launch should exit)."""
    if ABSTRACT_SOCKETS:
        from traystatus.qt.instance_socket import send

        return send(server_name, message, CONNECT_TIMEOUT_MS)
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(server_name)
    # Blocking waits are bounded and happen before any window exists (start-up only).
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write((message.strip() + "\n").encode())
    sent = socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return sent


class SingleInstance(QObject):
    """The running instance's listener; ``message_received`` carries each forwarded request."""

    message_received = Signal(str)

    def __init__(self, server_name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server_name = server_name
        if ABSTRACT_SOCKETS:
            from traystatus.qt.instance_socket import AbstractInstanceServer

            self._abstract: AbstractInstanceServer | None = AbstractInstanceServer(server_name, self)
            self._abstract.line_received.connect(self.message_received)
            return
        from PySide6.QtNetwork import QLocalServer

        self._abstract = None
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening; a stale socket left by a crashed instance is removed first (QLocalServer)."""
        if self._abstract is not None:
            return self._abstract.listen()
        from PySide6.QtNetwork import QLocalServer

        if self._server.listen(self.server_name):
            return True
        QLocalServer.removeServer(self.server_name)
        ok = self._server.listen(self.server_name)
        if not ok:
            log.warning("single-instance listener failed: %s", self._server.errorString())
        return ok

    def close(self) -> None:
        if self._abstract is not None:
            self._abstract.close()
        else:
            self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.setParent(self)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            line = bytes(socket.readLine().data()).decode(errors="replace").strip()
            if line:
                self.message_received.emit(line)
