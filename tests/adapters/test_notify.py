"""Notifications over a real private D-Bus session bus with a minimal org.freedesktop.Notifications server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from tests.fixtures.dbus_daemon import private_bus
from traystatus.adapters.notify import BUS_NAME, DesktopNotifier


@pytest.fixture(scope="module")
def session_bus() -> Iterator[str]:
    with private_bus() as address:
        yield address


class FakeDaemon:
    """Owns the Notifications name on the bus and records each Notify call (or refuses them)."""

    def __init__(self, address: str, *, refuse: bool = False) -> None:
        self.conn = open_dbus_connection(bus=address)
        self.conn.send_and_get_reply(message_bus.RequestName(BUS_NAME))
        self.received: list[tuple[str, str, str]] = []
        self.refuse = refuse
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            if msg.header.message_type is not MessageType.method_call:
                continue
            if msg.header.fields.get(HeaderFields.member) == "Notify":
                app, _, _, summary, body = msg.body[:5]
                self.received.append((app, summary, body))
                reply = (
                    new_error(msg, "org.freedesktop.DBus.Error.Failed", "s", ("nope",))
                    if self.refuse
                    else new_method_return(msg, "u", (len(self.received),))
                )
                self.conn.send(reply)

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=5)
        self.conn.close()


def test_no_session_bus_means_not_shown() -> None:
    n = DesktopNotifier(platform="linux", environ={})
    assert not n.available()
    assert n.notify("title", "message") is False


def test_bus_without_daemon_means_not_shown(session_bus: str) -> None:
    n = DesktopNotifier(platform="linux", environ={"DBUS_SESSION_BUS_ADDRESS": session_bus})
    assert not n.available()
    assert n.notify("title", "message") is False


def test_daemon_receives_the_notification(session_bus: str) -> None:
    daemon = FakeDaemon(session_bus)
    try:
        n = DesktopNotifier(platform="linux", environ={"DBUS_SESSION_BUS_ADDRESS": session_bus})
        assert n.available()
        assert n.notify("In a meeting", "until 15:30") is True
        assert daemon.received == [("traystatus", "In a meeting", "until 15:30")]
    finally:
        daemon.close()


def test_daemon_error_is_reported(session_bus: str) -> None:
    daemon = FakeDaemon(session_bus, refuse=True)
    try:
        n = DesktopNotifier(platform="linux", environ={"DBUS_SESSION_BUS_ADDRESS": session_bus})
        assert n.notify("x", "y") is False
        assert len(daemon.received) == 1
    finally:
        daemon.close()


def test_bad_bus_address_is_not_a_crash() -> None:
    n = DesktopNotifier(platform="linux", environ={"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"})
    assert n.notify("x", "y") is False
