"""The network coming back (Wi-Fi, VPN, a resume) as a background duty of every runtime: a pass at once,
not at the next retry. Linux's rtnetlink announces address and route changes on a socket; a thread blocks
in ``recv`` on it (no polling: no idle CPU) and, after each burst of changes, checks for a default route
(``/proc/net/route``, ``/proc/net/ipv6_route``): online is "a default route exists". Only a change from
offline to online triggers. Cheaper than Qt's network information backend (QtNetwork and a plugin: about
3 MB resident in the idle tray) and the same in the headless service, which had no such trigger.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from traystatus.core.duties import Jobs

log = logging.getLogger(__name__)

# <linux/rtnetlink.h>: multicast groups for link, IPv4/IPv6 address and route changes
RTMGRP_LINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE = 0x1, 0x10, 0x40
RTMGRP_IPV6_IFADDR, RTMGRP_IPV6_ROUTE = 0x100, 0x400
GROUPS = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE
SETTLE_S = 1.0  # a change comes in bursts (link, address, routes): look once they stop


def has_default_route(proc: Path = Path("/proc/net")) -> bool:
    """A default route over IPv4 or IPv6 (not the loopback)."""
    with contextlib.suppress(OSError):
        for line in (proc / "route").read_text().splitlines()[1:]:
            fields = line.split()
            if len(fields) > 2 and fields[1] == "00000000" and fields[0] != "lo":
                return True
    with contextlib.suppress(OSError):
        for line in (proc / "ipv6_route").read_text().splitlines():
            fields = line.split()
            if len(fields) == 10 and fields[0] == "0" * 32 and fields[1] == "00" and fields[9] != "lo":
                return True
    return False


class NetworkWatch:
    """Calls ``on_change(online)`` after each settled change of the default route's presence."""

    def __init__(self, on_change: Callable[[bool], None], *, online: Callable[[], bool] = has_default_route) -> None:
        self._on_change = on_change
        self._online = online
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1  # stop() writes here: a closed netlink socket wakes no one
        self.state = True

    def start(self, sock: socket.socket | None = None) -> bool:
        """``sock``: where the change announcements arrive (default: an rtnetlink socket)."""
        if sock is None:
            try:
                sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
                sock.bind((0, GROUPS))
            except (OSError, AttributeError) as e:  # not Linux, or a sandbox without netlink
                log.info("cannot watch the network (%s): a lost network is noticed by the retries only", e)
                return False
        self._sock = sock
        self._wake_r, self._wake_w = os.pipe()
        self.state = self._online()
        self._thread = threading.Thread(target=self._loop, name="network-watch", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(timeout=5)
        sock.close()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _loop(self) -> None:
        while (sock := self._sock) is not None:
            watched: list[socket.socket | int] = [sock, self._wake_r]
            try:
                ready = select.select(watched, [], [])[0]
                while sock in ready and self._wake_r not in ready:  # drain the burst, then look once
                    sock.recv(65536)
                    ready = select.select(watched, [], [], SETTLE_S)[0]
                if self._wake_r in ready:
                    return
            except (OSError, ValueError):
                return
            online = self._online()
            if online != self.state:
                self.state = online
                log.info("network %s", "back" if online else "lost")
                try:
                    self._on_change(online)
                except Exception:
                    log.exception("handling a network change failed")


class NetworkDuty:
    """The watch as a background duty: the network back triggers the runtime (a pass, the outbox)."""

    name = "network watch"

    def __init__(self) -> None:
        self._watch: NetworkWatch | None = None

    def start(self, jobs: Jobs) -> None:
        def changed(online: bool) -> None:
            if online:
                jobs.trigger("network back")

        self._watch = NetworkWatch(changed)
        self._watch.start()

    def trigger(self, reason: str) -> None:
        pass

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
