"""Desktop notifications that admit when they cannot be shown, so the tray's balloon can stand in.

docs/platform-notes.md, "Notifications": plyer on Linux shells out to ``notify-send`` and ignores its exit code, so it
"succeeds" with no session bus or no daemon. On Linux we therefore ask the session bus whether
``org.freedesktop.Notifications`` has an owner and send through jeepney, which reports errors;
elsewhere plyer's native backends (macOS, Windows) are used.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Protocol

log = logging.getLogger(__name__)


class PlyerNotification(Protocol):
    """``plyer.notification``: the one call traystatus makes on macOS and Windows."""

    def notify(self, *, title: str, message: str, app_name: str, timeout: int) -> object: ...


BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
TIMEOUT_S = 2.0


class DesktopNotifier:
    """``notify(title, message) -> bool``: False means "not shown, use another way"."""

    def __init__(
        self, app_name: str = "traystatus", *, platform: str = sys.platform, environ: Mapping[str, str] | None = None
    ) -> None:
        self._app_name = app_name
        self._platform = platform
        self._env = os.environ if environ is None else environ

    def available(self) -> bool:
        """Whether a notification could be shown right now (checked each time: daemons come and go)."""
        if self._platform.startswith("linux") or "bsd" in self._platform:
            return self._linux_daemon_running()
        return self._plyer() is not None

    def notify(self, title: str, message: str) -> bool:
        if self._platform.startswith("linux") or "bsd" in self._platform:
            return self._linux_notify(title, message)
        plyer_notification = self._plyer()
        if plyer_notification is None:
            return False
        try:
            plyer_notification.notify(title=title, message=message, app_name=self._app_name, timeout=8)
        except Exception as e:  # plyer raises NotImplementedError or platform errors
            log.info("notification not shown (%s); falling back", type(e).__name__)
            return False
        return True

    @staticmethod
    def _plyer() -> PlyerNotification | None:
        try:
            from plyer import notification
        except Exception:  # plyer missing or broken on this platform
            return None
        facade: PlyerNotification = notification  # plyer ships no types: the part we call, typed here
        return facade

    def _bus_address(self) -> str | None:
        return self._env.get("DBUS_SESSION_BUS_ADDRESS") or None

    def _linux_daemon_running(self) -> bool:
        address = self._bus_address()
        if address is None:
            return False
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.blocking import open_dbus_connection

            bus = DBusAddress(
                "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
            )
            with open_dbus_connection(bus=address, auth_timeout=TIMEOUT_S) as conn:
                reply = conn.send_and_get_reply(
                    new_method_call(bus, "NameHasOwner", "s", (BUS_NAME,)), timeout=TIMEOUT_S
                )
                if reply.body[0]:
                    return True
                reply = conn.send_and_get_reply(new_method_call(bus, "ListActivatableNames"), timeout=TIMEOUT_S)
                return BUS_NAME in reply.body[0]
        except Exception as e:  # no bus, refused, timed out: no notifications this way
            log.debug("no notification daemon: %s", type(e).__name__)
            return False

    def _linux_notify(self, title: str, message: str) -> bool:
        if not self._linux_daemon_running():
            return False
        address = self._bus_address()
        assert address is not None
        try:
            from jeepney import DBusAddress, MessageType, new_method_call
            from jeepney.io.blocking import open_dbus_connection

            target = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)
            call = new_method_call(
                target, "Notify", "susssasa{sv}i", (self._app_name, 0, "traystatus", title, message, [], {}, -1)
            )
            with open_dbus_connection(bus=address, auth_timeout=TIMEOUT_S) as conn:
                reply = conn.send_and_get_reply(call, timeout=TIMEOUT_S)
            if reply.header.message_type is MessageType.error:
                log.info("notification daemon refused: %s", reply.body[:1])
                return False
        except Exception as e:
            log.info("notification not shown (%s); falling back", type(e).__name__)
            return False
        return True
