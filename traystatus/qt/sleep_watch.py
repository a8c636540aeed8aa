"""Resume from suspend as systemd-logind announces it: ``PrepareForSleep(false)`` from
``org.freedesktop.login1`` on the system bus. The app reconciles at once instead of waiting for its
clock-jump check or the network to come back.

Only signals sent by the owner of the ``org.freedesktop.login1`` name count (Qt D-Bus matches the
sender against the name's owner), so another program on the bus cannot fake one. Without a system bus
or logind (macOS, Windows, a container) ``start()`` says so and returns False; the clock-jump check
remains.
"""

from __future__ import annotations

import logging
from typing import Protocol, cast

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

log = logging.getLogger(__name__)

LOGIND = ("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager")
SIGNAL = "PrepareForSleep"


class _SignalConnect(Protocol):
    """``QDBusConnection.connect`` as PySide6 6.x really takes it: the slot as ``str`` (what ``SLOT()``
    returns). Its stubs say ``bytes``, which the binding rejects at run time with a ValueError."""

    def connect(self, service: str, path: str, interface: str, name: str, receiver: QObject, slot: str, /) -> bool: ...


class SleepWatch(QObject):
    resumed = Signal()  # the machine woke up from suspend or hibernation
    suspending = Signal()  # it is about to sleep

    def __init__(self, bus: QDBusConnection | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus

    def start(self) -> bool:
        """Listen for logind's announcements; False (logged) when there is no system bus to listen on."""
        bus = self._bus if self._bus is not None else QDBusConnection.systemBus()
        if not bus.isConnected():
            log.info("no system bus: a resume from suspend is noticed by the clock-jump check only")
            return False
        service, path, interface = LOGIND
        signals = cast(_SignalConnect, bus)
        if not signals.connect(service, path, interface, SIGNAL, self, SLOT("_prepare_for_sleep(bool)")):
            log.info("cannot listen to logind's %s: %s", SIGNAL, bus.lastError().message())
            return False
        self._bus = bus
        return True

    @Slot(bool)
    def _prepare_for_sleep(self, starting: bool) -> None:
        if starting:
            log.info("the machine is going to sleep")
            self.suspending.emit()
        else:
            log.info("the machine woke up")
            self.resumed.emit()
