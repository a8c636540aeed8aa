"""Start-up order of the real demo app on Xvfb + trayer: the icon is put on screen before the menu, the view
model and the sync machinery are imported, so it docks while they load (issue 12's start-up target, measured
by bench/bench_startup.py). Each import moved back in front of the icon costs milliseconds nobody notices
one at a time; this test names the modules that must not be there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import real_app_env
from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until

pytestmark = pytest.mark.xvfb

#: the demo app, recording which traystatus modules are loaded each time a tray icon is shown, and at exit
RECORDER = """
import json, sys
from PySide6.QtWidgets import QSystemTrayIcon
record = sys.argv[1]
def loaded():
    with open(record, "a") as out:
        out.write(json.dumps(sorted(m for m in sys.modules if m.startswith("traystatus"))) + "\\n")
shown = QSystemTrayIcon.show
def show(self):
    loaded()
    return shown(self)
QSystemTrayIcon.show = show
sys.argv[1:] = ["--demo"]
from traystatus.app.main import main
code = main()
loaded()
raise SystemExit(code)
"""
LATER = (
    "traystatus.core.tray_view",  # the view model, and the models it imports
    "traystatus.core.model",
    "traystatus.qt.menu",
    "traystatus.qt.desktop",
    "traystatus.qt.bridge",
    "traystatus.app.tray_wiring",
)


def test_the_icon_is_on_screen_before_the_rest_is_imported(virtual_screen: VirtualScreen, isolated_home: Path) -> None:
    record = isolated_home / "shown.jsonl"
    env = real_app_env(virtual_screen, isolated_home)
    with (isolated_home / "app-output.txt").open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", RECORDER, str(record)], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    try:
        wait_until(
            lambda: proc.poll() is None and virtual_screen.docked_icon(proc.pid), timeout=60, what="the icon to dock"
        )
        demo_calls = isolated_home / "state" / "traystatus" / "demo" / "calls.json"
        wait_until(demo_calls.exists, timeout=30, what="the first sync (the demo's calls.json)")
    finally:
        proc.terminate()  # a logout's SIGTERM: the app quits like its Quit item, and the recorder writes
        code = proc.wait(timeout=20)
    assert code == 0, (isolated_home / "app-output.txt").read_text(errors="replace")
    first, *_, last = _loaded(record)
    assert "traystatus.qt.tray" in first, first  # the recorder saw the app's own icon
    early = [m for m in LATER if m in first]
    assert not early, f"imported before the icon was shown: {early}"
    assert all(m in last for m in LATER), last  # …and all of them by the end (the names are not stale)


def _loaded(record: Path) -> list[list[str]]:
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
