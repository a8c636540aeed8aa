"""The real app (``python -m traystatus --demo``) on a virtual screen with a real tray host (Xvfb + trayer):
the icon docks, a right-click opens the menu, "Do not disturb for 1 h" reaches the simulated services,
a second launch hands over to the running one, and Quit exits cleanly. Screenshots are kept.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import RunningApp
from tests.fixtures.xvfb import wait_until
from traystatus.qt.icons import DEMO_BADGE

pytestmark = pytest.mark.xvfb


def open_menu(app: RunningApp) -> tuple[int, int, int, int]:
    assert app.proc is not None
    x, y, w, h = wait_until(lambda: app.screen.docked_icon(app.proc.pid), timeout=60, what="the icon to dock")  # type: ignore[union-attr]
    app.screen.click(x + w // 2, y + h // 2, button=3)
    return wait_until(lambda: app.screen.top_level_windows(app.proc.pid), what="the menu to open")[0]  # type: ignore[union-attr]


def test_icon_docks_menu_opens_and_dnd_reaches_the_services(app: RunningApp) -> None:
    assert app.proc is not None
    _x, y, w, h = wait_until(lambda: app.screen.docked_icon(app.proc.pid), timeout=60, what="the icon to dock")  # type: ignore[union-attr]
    assert (w, h) > (0, 0) and y < 40, "the icon sits in trayer's panel at the top of the screen"
    first = wait_until(app.calls, timeout=60, what=f"the first sync (log: {app.log()})")
    assert {c["account"] for c in first} == {"slack:demo", "matrix:@you:demo.invalid"}
    assert not any(c["kind"] == "set_dnd" for c in first), "the demo starts in a meeting, not in DND"
    shot = app.screen.screenshot("tray-docked")
    # a demo is never taken for the real app: its icon carries the amber badge (a real one has none: see
    # test_tray_revoked_xvfb), covering a good part of the icon
    assert app.screen.colours(shot, (_x, y, w, h)).get(DEMO_BADGE, 0) >= w * h // 20

    menu = open_menu(app)
    assert menu[3] > 100, "a menu with all its entries"
    app.screen.screenshot("tray-menu-open")
    # Disabled info lines (notice, state, next) are skipped by the keyboard: the 2nd entry is "… for 1 h".
    before = datetime.now().astimezone()
    app.screen.press("Down", "Down", "Return")
    calls = wait_until(lambda: [c for c in app.calls() if c["kind"] == "set_dnd"], what="a DND call")
    accounts = {c["account"] for c in calls}
    assert accounts == {"slack:demo", "matrix:@you:demo.invalid"}
    for c in calls:
        until = datetime.fromisoformat(str(c["span_end"]))  # Matrix's master rule has no "until" of its own
        assert before + timedelta(minutes=55) <= until <= before + timedelta(minutes=65), c
    store = json.loads((app.state_dir / "state" / "sync_state.json").read_text())
    assert [o["reason"] for o in store["overrides"]] == ["Do not disturb"]
    app.screen.screenshot("tray-after-dnd-1h")

    open_menu(app)
    app.screen.screenshot("tray-menu-during-dnd")
    app.screen.press("Up", "Return")  # from no selection, Up wraps to the last entry: Quit
    assert app.proc.wait(timeout=60) == 0, app.log()


def test_second_launch_hands_over_to_the_running_one(app: RunningApp) -> None:
    assert app.proc is not None
    wait_until(lambda: app.screen.docked_icon(app.proc.pid), timeout=60, what="the icon to dock")  # type: ignore[union-attr]
    wait_until(app.calls, timeout=60, what="the first sync")
    second = app.launch()
    assert second.wait(timeout=60) == 0  # a fresh Python process: slow on a loaded runner
    assert app.proc.poll() is None, "the first instance keeps running"
    # the running instance answered "activate" by opening its menu
    wait_until(lambda: app.screen.top_level_windows(app.proc.pid), what="the running app to show its menu")  # type: ignore[union-attr]
    app.screen.screenshot("tray-second-launch")
    app.screen.press("Escape")
    wait_until(lambda: not app.screen.top_level_windows(app.proc.pid), what="the menu to close")  # type: ignore[union-attr]
