"""Resume from suspend reaches the app through logind's PrepareForSleep on a real (private) bus."""

from __future__ import annotations

from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from tests.fixtures.logind import FakeLogind
from traystatus.qt.sleep_watch import SleepWatch


def _watch(qtbot: QtBot, address: str, name: str) -> tuple[SleepWatch, list[str]]:
    bus = QDBusConnection.connectToBus(address, name)
    assert bus.isConnected()
    watch = SleepWatch(bus)
    seen: list[str] = []
    watch.resumed.connect(lambda: seen.append("resumed"))
    watch.suspending.connect(lambda: seen.append("suspending"))
    assert watch.start()
    return watch, seen


def test_suspend_then_resume_are_told(qtbot: QtBot, system_bus: str) -> None:
    watch, seen = _watch(qtbot, system_bus, "sleep-watch-1")
    logind = FakeLogind(system_bus)
    try:
        logind.announce(starting=True)
        qtbot.waitUntil(lambda: seen == ["suspending"], timeout=5000)
        with qtbot.waitSignal(watch.resumed, timeout=5000):
            logind.announce(starting=False)
        assert seen == ["suspending", "resumed"]
    finally:
        logind.close()


def test_a_sender_that_is_not_logind_is_ignored(qtbot: QtBot, system_bus: str) -> None:
    watch, seen = _watch(qtbot, system_bus, "sleep-watch-2")
    impostor = FakeLogind(system_bus, own_name=False)
    logind = FakeLogind(system_bus)
    try:
        impostor.announce(starting=False)
        qtbot.wait(500)
        assert seen == []
        with qtbot.waitSignal(watch.resumed, timeout=5000):  # the real one still gets through afterwards
            logind.announce(starting=False)
        assert seen == ["resumed"]
    finally:
        impostor.close()
        logind.close()


def test_no_bus_is_said_and_not_fatal(qtbot: QtBot) -> None:
    bus = QDBusConnection.connectToBus("unix:path=/nonexistent/traystatus-test-bus", "sleep-watch-none")
    assert not SleepWatch(bus).start()
