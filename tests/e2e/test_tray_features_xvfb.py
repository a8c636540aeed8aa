"""The team clock and the handoff inside the real tray app (``python -m traystatus --demo`` on Xvfb + trayer):
a left click on the icon opens the team clock (and closes it), the menu's "Write handoff note…" opens the
popup, the typed note is posted to the demo's simulated channel and room, and its sign-off reaches the
simulated services through the tray's own sync worker (off hours + DND until the next working start).
Screenshots: tray-team-clock.png, tray-handoff-popup.png.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import RunningApp
from tests.e2e.test_tray_xvfb import open_menu
from tests.fixtures.xvfb import wait_until

pytestmark = pytest.mark.xvfb


def biggest_window(app: RunningApp) -> tuple[int, int, int, int] | None:
    assert app.proc is not None
    if app.proc.poll() is not None:
        pytest.fail(f"the app exited with {app.proc.returncode}: {app.log()}")
    windows = app.screen.top_level_windows(app.proc.pid)
    return max(windows, key=lambda g: g[2] * g[3]) if windows else None


def test_left_click_toggles_the_team_clock(app: RunningApp) -> None:
    assert app.proc is not None
    x, y, w, h = wait_until(lambda: app.screen.docked_icon(app.proc.pid), timeout=60, what="the icon to dock")  # type: ignore[union-attr]
    wait_until(app.calls, timeout=60, what="the first sync")
    app.screen.click(x + w // 2, y + h // 2, button=1)
    popup = wait_until(lambda: biggest_window(app), what="the team clock to open")
    px, py, pw, ph = popup
    assert pw >= 300 and ph >= 200, popup
    assert py < app.screen.height // 2 and px + pw > app.screen.width // 2, "next to the icon (top right)"
    app.screen.screenshot("tray-team-clock")
    app.screen.click(x + w // 2, y + h // 2, button=1)
    wait_until(lambda: not app.screen.top_level_windows(app.proc.pid), what="the team clock to close")  # type: ignore[union-attr]


def test_handoff_from_the_menu_is_posted_and_signs_off_through_the_sync(app: RunningApp) -> None:
    assert app.proc is not None
    wait_until(app.calls, timeout=60, what="the first sync")
    open_menu(app)
    # from no selection Up wraps to Quit; then Open log, Handoff history…, Write handoff note…
    app.screen.press("Up", "Up", "Up", "Up", "Return")
    popup = wait_until(
        lambda: [
            wid
            for wid in app.screen.windows_of(app.proc.pid)  # type: ignore[union-attr]
            if (g := app.screen._geometry(wid))[0] and g[1] and g[2][2] >= 400
        ],
        what="the handoff popup to open",
    )
    app.screen.run("xdotool", "windowfocus", popup[0])
    app.screen.run("xdotool", "type", "--delay", "15", "Demo release is tagged")
    app.screen.screenshot("tray-handoff-popup")
    app.screen.press("ctrl+Return")

    posts_file = app.state_dir / "state" / "handoffs.json"
    posts = wait_until(
        lambda: (
            posts_file.exists() and len(json.loads(posts_file.read_text())) == 2 and json.loads(posts_file.read_text())
        ),
        what="the note in the demo channel and room",
    )
    assert {p["destination"] for p in posts} == {"slack:#team-handoffs", "matrix:#handoffs:example.org"}
    assert all("Demo release is tagged" in p["text"] for p in posts)

    # the sign-off (checked by default) goes through the tray's sync worker to both simulated services
    def signed_off() -> dict[str, set[str]]:
        kinds: dict[str, set[str]] = {}
        for c in app.calls():
            if c["kind"] == "set_dnd" or "Off for the day" in str(c["text"]) + str(c["message"]):
                kinds.setdefault(str(c["account"]), set()).add(str(c["kind"]))
        return kinds if len(kinds) == 2 and all("set_dnd" in k for k in kinds.values()) else {}

    kinds = wait_until(signed_off, what="the sign-off (off hours + DND) to reach both simulated services")
    assert kinds["slack:demo"] >= {"set_status", "set_dnd"}, kinds
    store = json.loads((app.state_dir / "state" / "sync_state.json").read_text())
    assert [o["reason"] for o in store["overrides"]] == ["Signed off"]


def _handoff_popup(app: RunningApp) -> list[str]:
    return [
        wid
        for wid in app.screen.windows_of(app.proc.pid)  # type: ignore[union-attr]
        if (g := app.screen._geometry(wid))[0] and g[1] and g[2][2] >= 400
    ]


def test_handoff_popup_closed_and_reopened_still_delivers(app: RunningApp) -> None:
    """Open the popup from the menu, close it (Escape), open it again and submit: the note is posted to both
    destinations. It stayed "waiting to send" for good before (the first popup's deleted Qt object raised
    in the delivery worker). Screenshot: tray-handoff-reopened.png."""
    assert app.proc is not None
    wait_until(app.calls, timeout=60, what="the first sync")
    open_menu(app)
    app.screen.press("Up", "Up", "Up", "Up", "Return")
    first = wait_until(lambda: _handoff_popup(app), what="the handoff popup to open")
    app.screen.run("xdotool", "windowfocus", first[0])
    app.screen.press("Escape")
    wait_until(lambda: not _handoff_popup(app), what="the popup to close")
    open_menu(app)
    app.screen.press("Up", "Up", "Up", "Up", "Return")
    second = wait_until(lambda: _handoff_popup(app), what="the handoff popup to open again")
    app.screen.run("xdotool", "windowfocus", second[0])
    app.screen.run("xdotool", "type", "--delay", "15", "Posted after a reopen")
    app.screen.press("ctrl+Return")
    posts_file = app.state_dir / "state" / "handoffs.json"
    posts = wait_until(
        lambda: (
            posts_file.exists() and len(json.loads(posts_file.read_text())) == 2 and json.loads(posts_file.read_text())
        ),
        what="the note in the demo channel and room after the reopen",
    )
    assert all("Posted after a reopen" in p["text"] for p in posts)
    app.screen.screenshot("tray-handoff-reopened")
    assert "Signal source has been deleted" not in app.log()
