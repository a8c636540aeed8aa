"""A resume from suspend makes the real tray app reconcile at once: the demo app (Xvfb + trayer) is given a
private bus as its system bus with a minimal logind on it; its calendar changes while "asleep"; nothing is
sent until logind announces the wake-up (the next scheduled pass is minutes away), then the new state reaches
the simulated services within seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningApp, running_app
from tests.fixtures.logind import FakeLogind
from tests.fixtures.xvfb import VirtualScreen, wait_until

pytestmark = pytest.mark.xvfb

EMPTY_CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus//test//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def app_on_bus(virtual_screen: VirtualScreen, tmp_path: Path, system_bus: str) -> Iterator[RunningApp]:
    with running_app(virtual_screen, tmp_path, {"DBUS_SYSTEM_BUS_ADDRESS": system_bus}) as running:
        yield running


def test_resume_from_suspend_reconciles_at_once(app_on_bus: RunningApp, system_bus: str) -> None:
    app = app_on_bus
    assert app.proc is not None
    first = wait_until(app.calls, timeout=60, what="the first sync")
    assert any("meeting" in f"{c['text']} {c['message']}".lower() for c in first), first  # the demo's standup
    log = app.state_dir / "log" / "traystatus.log"
    logind = FakeLogind(system_bus)

    def heard_the_suspend() -> bool:
        if log.exists() and "the machine is going to sleep" in log.read_text(encoding="utf-8", errors="replace"):
            return True
        # The app starts listening to logind on its GUI thread while its first pass runs on the worker: on a
        # loaded machine that pass can be on record first, and an announcement sent before it listens is lost.
        logind.announce(starting=True)
        return False

    try:
        wait_until(heard_the_suspend, timeout=60, interval=1.0, what="the app to hear logind announce the suspend")
        # while "asleep" the standup is cancelled (its end, the next transition, is minutes away)
        (app.state_dir / "demo-calendar.ics").write_text(EMPTY_CALENDAR, encoding="utf-8")
        time.sleep(3)
        assert app.calls() == first, "nothing should run before the wake-up"
        logind.announce(starting=False)
        after = wait_until(lambda: (c := app.calls()) != first and c, timeout=60, what="the pass after the wake-up")
    finally:
        logind.close()
    new = [c for c in after if c not in first]
    assert new, after
    assert not any("meeting" in f"{c['text']} {c['message']}".lower() for c in new), new
    assert {c["account"] for c in new} == {"slack:demo", "matrix:@you:demo.invalid"}, new
    assert app.proc.poll() is None, app.log()
