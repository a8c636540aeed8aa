"""The network watch (a background duty of every runtime): a settled burst of route/address changes that
brings a default route back triggers a pass on the real scheduler; losing it, or a change that leaves it as
it was, triggers nothing. The announcements arrive on a socket pair standing in for rtnetlink (changing real
routes needs privileges); the default-route check reads files in /proc/net's formats."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime
from pathlib import Path

from traystatus.adapters.network_watch import NetworkWatch, has_default_route
from traystatus.adapters.scheduler import SyncScheduler

ROUTE_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"


def wait_for(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_default_route_read_from_proc_files(tmp_path: Path) -> None:
    (tmp_path / "route").write_text(ROUTE_HEADER + "eth0\t0002A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n")
    (tmp_path / "ipv6_route").write_text(
        "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    )
    assert not has_default_route(tmp_path), "a subnet route only: offline"
    with (tmp_path / "route").open("a") as f:
        f.write("wlan0\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n")
    assert has_default_route(tmp_path)
    (tmp_path / "route").write_text(ROUTE_HEADER)
    (tmp_path / "ipv6_route").write_text(
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fe800000000000000000000000000001 00000400 00000001 00000000 00000003    wlan0\n"
    )
    assert has_default_route(tmp_path), "an IPv6 default route counts"
    assert not has_default_route(tmp_path / "missing"), "unreadable: offline, never an error"


def test_the_network_coming_back_triggers_a_pass_once() -> None:
    reasons: list[str] = []

    def run_pass(reason: str) -> datetime | None:
        reasons.append(reason)
        return None

    online = [True]
    scheduler = SyncScheduler(run_pass)
    scheduler.start()
    feed, announcements = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    changes: list[bool] = []
    done = threading.Event()

    def changed(now_online: bool) -> None:
        changes.append(now_online)
        if now_online:
            scheduler.trigger("network back")
        done.set()

    watch = NetworkWatch(changed, online=lambda: online[0])
    try:
        assert watch.start(sock=announcements)
        assert wait_for(lambda: reasons == ["start"])
        online[0] = False
        feed.send(b"link down")
        assert done.wait(10) and changes == [False]
        done.clear()
        feed.send(b"address gone")  # still offline: nothing new
        online[0] = True
        for part in (b"link up", b"address", b"route"):  # one burst: one look once it settles
            feed.send(part)
        assert done.wait(10) and changes == [False, True]
        assert wait_for(lambda: "network back" in reasons)
        assert reasons == ["start", "network back"], "losing the network runs nothing; getting it back one pass"
    finally:
        watch.stop()
        scheduler.shutdown()
        feed.close()
    assert watch._thread is not None and not watch._thread.is_alive(), "stopped at once"
