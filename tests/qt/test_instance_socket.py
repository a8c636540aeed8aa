"""The Linux single-instance channel (qt/instance_socket.py): lines reach the running instance, a request
from another user is refused unread, a flood is dropped, a second listener on the same name fails, and the
app's GUI path no longer loads QtNetwork."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from traystatus.qt.application import ABSTRACT_SOCKETS, forward_to_running
from traystatus.qt.instance_socket import MAX_REQUEST, AbstractInstanceServer, address

ROOT = Path(__file__).resolve().parents[2]


def test_linux_uses_the_abstract_socket() -> None:
    assert sys.platform.startswith("linux") == ABSTRACT_SOCKETS


def _listening(qtbot: QtBot, name: str) -> tuple[AbstractInstanceServer, list[str]]:
    server = AbstractInstanceServer(name)
    assert server.listen()
    got: list[str] = []
    server.line_received.connect(got.append)
    return server, got


def test_two_requests_on_one_connection_and_a_second_listener_refused(qtbot: QtBot, tmp_path: Path) -> None:
    name = f"traystatus-test-{tmp_path.name}"
    server, got = _listening(qtbot, name)
    try:
        assert not AbstractInstanceServer(name).listen()  # the name is taken: a second instance cannot listen
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(address(name))
            s.sendall(b"activate\nset")
            qtbot.waitUntil(lambda: got == ["activate"])
            s.sendall(b"tings\n")
            qtbot.waitUntil(lambda: got == ["activate", "settings"])
    finally:
        server.close()
    assert forward_to_running(name, "activate") is False  # closed: nobody listens


def test_a_flood_is_dropped_and_the_next_request_still_arrives(qtbot: QtBot, tmp_path: Path) -> None:
    name = f"traystatus-test-{tmp_path.name}"
    server, got = _listening(qtbot, name)
    try:
        flood = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        flood.connect(address(name))
        flood.setblocking(False)
        sent = 0
        try:
            while sent < 50 * MAX_REQUEST:
                sent += flood.send(b"x" * MAX_REQUEST)
        except BlockingIOError:
            pass

        def dropped() -> bool:  # the server closed the flooder's connection: its writes fail
            try:
                flood.send(b"x" * MAX_REQUEST)
            except BlockingIOError:
                return False
            except (BrokenPipeError, ConnectionResetError):
                return True
            return False

        qtbot.waitUntil(dropped, timeout=5000)
        assert not server._connections
        flood.close()
        done: list[bool] = []
        t = threading.Thread(target=lambda: done.append(forward_to_running(name, "handoff")))
        t.start()
        qtbot.waitUntil(lambda: got == ["handoff"])
        t.join()
        assert done == [True]
    finally:
        server.close()


def test_another_users_request_is_refused_unread(qtbot: QtBot, tmp_path: Path) -> None:
    assert os.geteuid() == 0, "run as root (as CI does) to connect as another user"
    name = f"traystatus-test-{tmp_path.name}"
    server, got = _listening(qtbot, name)
    try:
        pid = os.fork()
        if pid == 0:  # the child becomes nobody and asks for the settings window
            try:
                os.setgid(65534)
                os.setuid(65534)
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(address(name))
                    s.sendall(b"settings\n")
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        threading.Thread(target=lambda: forward_to_running(name, "activate")).start()
        qtbot.waitUntil(lambda: got == ["activate"])
        assert "settings" not in got
    finally:
        server.close()


def test_the_tray_entry_point_does_not_load_qtnetwork() -> None:
    code = (
        "import sys; from traystatus.qt.source_scan import stop_caching_sources; stop_caching_sources(); "
        "import traystatus.app.gui; from traystatus.qt.application import SingleInstance; "
        "i = SingleInstance('traystatus-test-import'); i.listen(); i.close(); "
        "print('PySide6.QtNetwork' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "False", out.stderr
