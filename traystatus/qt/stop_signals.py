"""SIGTERM and SIGINT end the tray app like its Quit entry: a session logout or ``kill`` still clears the
statuses it owns (``general.clear_on_quit``) and closes the outbox, instead of dying mid-write.

Python runs a signal handler only when the interpreter gets control, which never happens while Qt's event
loop waits in C. The signal module writes the signal number to a socket (``signal.set_wakeup_fd``); a
:class:`QSocketNotifier` on the other end wakes the loop at once. No polling timer: idle stays idle.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignals(QObject):
    """While alive, SIGTERM/SIGINT call ``on_stop`` on the GUI thread (once; a second signal is ignored)."""

    def __init__(self, on_stop: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_stop = on_stop
        self._stopping = False
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous = {sig: signal.signal(sig, self._noted) for sig in STOP_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _noted(self, signum: int, _frame: object) -> None:
        """The Python-level handler: runs once the loop has handed control back (after :meth:`_woken`)."""
        if not self._stopping:
            self._stopping = True
            log.info("%s received: traystatus is quitting", signal.Signals(signum).name)
            self._on_stop()

    def _woken(self) -> None:
        try:
            while self._reader.recv(64):  # drain; the handler itself runs as Python regains control here
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def close(self) -> None:
        """Give the signals back (the loop has ended: a later SIGTERM ends the process the default way)."""
        self._notifier.setEnabled(False)
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()
