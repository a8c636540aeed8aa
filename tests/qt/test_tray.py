"""The tray widgets offscreen: icon and tooltip per state, menu contents and the intents it emits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from traystatus.core.icon_state import IconState
from traystatus.core.model import Availability, Override, State
from traystatus.core.overrides import Choice
from traystatus.core.tray_view import ServiceHealth, TrayView, build_tray_view
from traystatus.qt.application import SingleInstance, forward_to_running
from traystatus.qt.bridge import Bridge
from traystatus.qt.fallback_window import NO_TRAY_TEXT, FallbackWindow
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu
from traystatus.qt.tray import Tray

ICONS = Path(__file__).resolve().parents[2] / "resources" / "icons"
TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)


def view(
    state: State = State.MEETING, *, health: tuple[ServiceHealth, ...] = (), overrides: tuple[Override, ...] = ()
) -> TrayView:
    timeline = (
        Availability(
            start=NOW - timedelta(hours=1),
            end=NOW + timedelta(hours=1, minutes=30),
            state=state,
            until=NOW + timedelta(hours=1, minutes=30),
            reason="r",
        ),
        Availability(
            start=NOW + timedelta(hours=1, minutes=30),
            end=NOW + timedelta(hours=3),
            state=State.FOCUS if state is not State.FOCUS else State.MEETING,
            until=NOW + timedelta(hours=3),
            reason="r",
        ),
    )
    return build_tray_view(timeline=timeline, overrides=overrides, health=health, now=NOW, tz=TZ)


@pytest.fixture
def tray(qtbot: QtBot) -> Tray:
    menu = TrayMenu(windows=("team", "settings"))
    t = Tray(IconSet(ICONS), menu)
    t.show()
    yield t
    t.hide()
    menu.deleteLater()


def test_every_state_has_both_icon_variants_and_they_render(qapp: QApplication) -> None:
    icons = IconSet(ICONS)
    for state in IconState:
        for dark in (False, True):
            icon = icons.icon(state, dark=dark)
            assert not icon.isNull()
            assert not icon.pixmap(22, 22).toImage().isNull()
    assert icons.path(IconState.PAUSED, dark=True).name == "paused-dark.svg"


def test_icon_follows_the_desktop_switching_light_and_dark(
    tray: Tray, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The offscreen platform cannot switch schemes itself: the desktop's signal is sent by hand, and the
    palette judgement (``panel_is_dark``) answers as a dark desktop would."""
    from PySide6.QtCore import Qt

    import traystatus.qt.icons as icons_module

    def image(dark: bool) -> object:
        return IconSet(ICONS).icon(IconState.FOCUS, dark=dark).pixmap(22, 22).toImage()

    monkeypatch.setattr(icons_module, "panel_is_dark", lambda: False)
    tray.show_view(view(State.FOCUS))
    assert tray.icon.icon().pixmap(22, 22).toImage() == image(False)
    monkeypatch.setattr(icons_module, "panel_is_dark", lambda: True)
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert tray.icon.icon().pixmap(22, 22).toImage() == image(True) != image(False)


def test_the_demo_icons_are_visibly_different(qapp: QApplication) -> None:
    from PySide6.QtGui import QColor

    from traystatus.qt.icons import DEMO_BADGE

    real, demo = IconSet(ICONS), IconSet(ICONS, demo=True)
    for state in IconState:
        for size in (16, 22, 48):
            a = real.icon(state, dark=False).pixmap(size, size).toImage()
            b = demo.icon(state, dark=False).pixmap(size, size).toImage()
            assert a != b, (state, size)
            corner = b.pixelColor(size - int(size * 0.25), size - int(size * 0.25))
            assert corner.name() == QColor(DEMO_BADGE).name() or size >= 32, (state, size, corner.name())
    # at 48 px the badge holds a "D": darker pixels inside the amber dot
    big = demo.icon(IconState.AVAILABLE, dark=True).pixmap(48, 48).toImage()
    dot = [big.pixelColor(x, y).lightness() for x in range(26, 46) for y in range(26, 46)]
    assert min(dot) < 60 < max(dot)


@pytest.mark.parametrize("state", list(State))
def test_icon_and_tooltip_follow_the_state(tray: Tray, state: State) -> None:
    v = view(state, health=(ServiceHealth(name="Slack"), ServiceHealth(name="Matrix")))
    tray.show_view(v)
    assert tray.icon.toolTip() == v.tooltip and v.tooltip.endswith("· Slack ✓ · Matrix ✓")
    expected = IconSet(ICONS).icon(IconState(state.value)).pixmap(16, 16).toImage()
    assert tray.icon.icon().pixmap(16, 16).toImage() == expected


def test_menu_shows_state_next_and_health_with_fix(tray: Tray, qtbot: QtBot) -> None:
    bad = ServiceHealth(name="Slack", ok=False, detail="token revoked", fix="reconnect in Settings…", needs_action=True)
    tray.show_view(view(health=(bad, ServiceHealth(name="Matrix"))))
    texts = tray.menu.texts()
    assert texts[:2] == ["In a meeting until 15:30", "Next: Focus 15:30–17:00"]
    assert "Slack: token revoked — Reconnect…" in texts
    assert "Back (resume automatic)" not in texts  # nothing to come back from
    assert texts[-4:] == ["Team clock…", "Settings…", "Open log", "Quit"]
    attention = IconSet(ICONS).icon(IconState.ATTENTION).pixmap(16, 16).toImage()
    assert tray.icon.icon().pixmap(16, 16).toImage() == attention
    fix = next(a for a in tray.menu.actions() if a.text().startswith("Slack:"))
    assert fix.isEnabled()
    with qtbot.waitSignal(tray.menu.entry_selected) as sig:
        fix.trigger()
    assert sig.args == ["fix:Slack"]
    ok = next(a for a in tray.menu.actions() if a.text() == "Matrix ✓")
    assert not ok.isEnabled()


def test_a_raw_error_keeps_the_menu_narrow_and_its_whole_text_is_the_tooltip(tray: Tray) -> None:
    raw = (
        "Slack unreachable: users.profile.get at 127.0.0.1:40929: cannot connect (ConnectionError) after "
        "3 tries (HTTPConnectionPool(host='127.0.0.1', port=40929): Max retries exceeded with url: /api/…)"
    )
    short = view(health=(ServiceHealth(name="Slack"), ServiceHealth(name="Matrix")))
    tray.show_view(short)
    narrow = tray.menu.sizeHint().width()
    tray.show_view(view(health=(ServiceHealth(name="Slack", ok=False, detail=raw), ServiceHealth(name="Matrix"))))
    line = tray.menu.action_for("health:Slack")
    assert line.text() == "Slack: unreachable" and line.toolTip() == raw  # names Slack once
    assert tray.menu.toolTipsVisible()
    # the widest entry decides: a health line never widens the menu past its longest fixed label
    assert tray.menu.sizeHint().width() <= narrow
    tip = tray.icon.toolTip().split("\n")
    assert tip[0].endswith("Slack ✗ · Matrix ✓") and "127.0.0.1:40929" in tip[1]
    assert len(tip) == 2 and len(tip[1]) <= 160


def test_the_choice_in_force_is_checked_and_no_other(tray: Tray) -> None:
    from traystatus.core.overrides import override_for

    dnd = override_for(Choice.DND_2H, now=NOW - timedelta(minutes=5), tomorrow=NOW + timedelta(hours=18))
    pause = override_for(Choice.PAUSE_1H, now=NOW - timedelta(minutes=5), tomorrow=NOW + timedelta(hours=18))
    assert dnd is not None and pause is not None
    tray.show_view(view(overrides=(dnd, pause)))
    checked = [a.data() for a in tray.menu.actions() if a.isChecked()]
    assert checked == [Choice.DND_2H.value, Choice.PAUSE_1H.value]
    assert not tray.menu.action_for(Choice.DND_1H.value).isCheckable()  # no empty boxes beside the others
    tray.show_view(view())
    assert not any(a.isChecked() for a in tray.menu.actions())


def test_menu_actions_emit_intents(tray: Tray, qtbot: QtBot) -> None:
    tray.show_view(view())
    with qtbot.waitSignal(tray.menu.choice_selected) as sig:
        tray.menu.action_for(Choice.DND_1H.value).trigger()
    assert sig.args == [Choice.DND_1H]
    for key in ("team", "settings", "log"):
        with qtbot.waitSignal(tray.menu.entry_selected) as sig:
            tray.menu.action_for(key).trigger()
        assert sig.args == [key]
    with pytest.raises(KeyError):
        tray.menu.action_for("handoff")  # not offered: that window was not wired
    with qtbot.waitSignal(tray.menu.quit_requested):
        tray.menu.action_for("quit").trigger()


def test_override_and_pause_lines(tray: Tray) -> None:
    dnd = Override(state=State.FOCUS, start=NOW, end=NOW + timedelta(hours=1), reason="Do not disturb")
    pause = Override(
        state=State.AVAILABLE, start=NOW, end=NOW + timedelta(hours=1), reason="Syncing paused", paused=True
    )
    tray.show_view(view(overrides=(dnd, pause)))
    texts = tray.menu.texts()
    assert "Syncing paused until 15:00" in texts
    assert "Back (resume automatic)" in texts
    assert tray.icon.toolTip().startswith("Syncing paused until 15:00")


def test_update_while_menu_open_waits_until_it_closes(tray: Tray, qtbot: QtBot) -> None:
    tray.show_view(view(State.MEETING))
    tray.menu.popup(tray.menu.pos())
    qtbot.waitUntil(tray.menu.isVisible)
    tray.show_view(view(State.FOCUS))
    assert tray.menu.texts()[0] == "In a meeting until 15:30"
    tray.menu.hide()
    qtbot.waitUntil(lambda: tray.menu.texts()[0] == "Focusing until 15:30")


def test_choosing_by_keyboard_while_an_update_waits_triggers_the_choice(tray: Tray, qtbot: QtBot) -> None:
    """QMenu hides itself before it triggers the chosen action: the waiting update must not rebuild the menu
    (deleting that action) until the choice went out. It did, and the real app crashed (SIGSEGV)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    tray.show_view(view(State.MEETING))
    tray.menu.popup(tray.menu.pos())
    qtbot.waitUntil(tray.menu.isVisible)
    tray.show_view(view(State.FOCUS))  # arrives while the menu is open: waits
    tray.menu.setActiveAction(tray.menu.action_for(Choice.DND_1H.value))
    with qtbot.waitSignal(tray.menu.choice_selected) as chosen:
        QTest.keyClick(tray.menu, Qt.Key.Key_Return)
    assert chosen.args == [Choice.DND_1H]
    qtbot.waitUntil(lambda: tray.menu.texts()[0] == "Focusing until 15:30")


def test_bridge_delivers_worker_results_on_the_gui_thread(qtbot: QtBot) -> None:
    import threading

    bridge = Bridge()
    seen: list[tuple[object, bool]] = []
    bridge.view_changed.connect(lambda v: seen.append((v, threading.current_thread() is threading.main_thread())))
    v = view()
    worker = threading.Thread(target=bridge.publish_view, args=(v,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(v, True)]


def test_fallback_window_says_why_and_has_the_controls(qtbot: QtBot) -> None:
    menu = TrayMenu()
    w = FallbackWindow(IconSet(ICONS), menu)
    qtbot.addWidget(w)
    w.show_view(view(health=(ServiceHealth(name="Matrix", ok=False, detail="server unreachable"),)))
    w.show()
    assert w.why.text() == NO_TRAY_TEXT and "no system tray" in NO_TRAY_TEXT
    assert w.state_label.text() == "In a meeting until 15:30"
    assert w.next_label.text() == "Next: Focus 15:30–17:00"
    assert w.health_label.text() == "Matrix: server unreachable"
    assert w.controls.menu() is menu and "Do not disturb for 1 h" in menu.texts()
    w.show_message("Slack needs you", "reconnect")
    assert w.message_label.text() == "Slack needs you: reconnect"


def test_offscreen_has_no_tray(qapp: QApplication) -> None:
    assert QApplication.instance() is qapp
    assert not QSystemTrayIcon.isSystemTrayAvailable()


def test_single_instance_forwards_messages(qtbot: QtBot, tmp_path: Path) -> None:
    name = f"traystatus-test-{tmp_path.name}"
    assert forward_to_running(name, "activate") is False  # nobody listening yet
    first = SingleInstance(name)
    assert first.listen()
    got: list[str] = []
    first.message_received.connect(got.append)
    # the second "launch" connects from a thread: the first one's event loop must keep running
    import threading

    results: list[bool] = []
    t = threading.Thread(target=lambda: results.append(forward_to_running(name, "settings")))
    t.start()
    qtbot.waitUntil(lambda: got == ["settings"])
    t.join()
    assert results == [True]
    first.close()
    assert forward_to_running(name, "activate") is False


def test_the_first_icon_is_taken_over_by_the_tray(qapp: QApplication) -> None:
    """Start-up shows an icon before the menu and the view model are imported; the tray then adopts that
    very icon (no second icon appears in the panel) and renders the first view on it."""
    from traystatus.qt.tray import STARTING_TOOLTIP, first_icon

    icons = IconSet(ICONS, demo=True)
    shown = first_icon(icons, qapp)
    assert shown.toolTip() == STARTING_TOOLTIP
    assert not shown.icon().isNull()
    menu = TrayMenu(windows=("settings",))
    tray = Tray(icons, menu, qapp, icon=shown)
    try:
        assert tray.icon is shown and shown.parent() is tray
        assert shown.contextMenu() is menu
        tray.show_view(view(State.FOCUS))
        assert shown.toolTip().startswith("Focusing"), shown.toolTip()
    finally:
        tray.hide()
        menu.deleteLater()
