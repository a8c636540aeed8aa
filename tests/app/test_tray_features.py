"""TrayFeatures (pytest-qt, offscreen): the windows the menu opens, the icon's click toggling the team clock,
the prompt re-armed after each pass from the given timeline, and the roster refresh off the GUI thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot

from tests.slack_emulator import SlackEmulator
from traystatus.adapters.roster_cache import load_cached_people
from traystatus.app.paths import AppPaths
from traystatus.app.resources import icons_dir
from traystatus.app.tray_wiring import tray_features
from traystatus.core.engine import build_timeline
from traystatus.core.model import Availability, Override
from traystatus.core.settings import Settings, settings_from_mapping
from traystatus.core.tray_view import initial_view
from traystatus.qt.handoff_popup import HandoffPopup
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu
from traystatus.qt.notes_window import NotesWindow
from traystatus.qt.tray import Tray
from traystatus.qt.tray_features import TrayFeatures

NOW = datetime(2026, 11, 24, 15, 40, tzinfo=UTC)  # Tuesday 16:40 in Berlin


class Bridge(QObject):
    view_changed = Signal(object)


def make_settings(**team: object) -> Settings:
    return settings_from_mapping(
        {
            "timezone": "Europe/Berlin",
            "working_hours": "mon-fri 09:00-17:00",
            "team": {"me_name": "Alex", "people": [{"name": "Hemi Tane", "timezone": "Pacific/Chatham"}], **team},
        },
        source="test",
        default_tz=ZoneInfo("UTC"),
    )


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(
        config_file=tmp_path / "config.toml",
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "log",
    )


@pytest.fixture
def features(qtbot: QtBot, paths: AppPaths) -> Iterator[tuple[TrayFeatures, Tray, Bridge, list[Override]]]:
    settings = make_settings()
    applied: list[Override] = []

    def timeline(now: datetime) -> tuple[Availability, ...]:
        return build_timeline(settings, (), (), now - timedelta(hours=12), now + timedelta(days=3)).intervals

    f = tray_features(settings, paths, now=lambda: NOW)
    tray = Tray(IconSet(icons_dir()), TrayMenu(windows=tuple(f.windows())), f)
    tray.show_view(initial_view("", datetime.now(UTC)))
    tray.show()
    bridge = Bridge()
    f.attach(tray, bridge.view_changed, timeline=timeline, apply_override=applied.append)  # the app, once built
    yield f, tray, bridge, applied
    f.close()


def test_windows_and_the_icon_click(qtbot: QtBot, features: tuple[TrayFeatures, Tray, Bridge, list[Override]]) -> None:
    f, tray, _bridge, _ = features
    assert set(f.windows()) == {"team", "handoff", "notes"}
    texts = [a.text() for a in tray.menu.actions()]
    assert "Team clock…" in texts and "Write handoff note…" in texts
    tray.activated.connect(f.open_team)  # what the composition root connects
    tray.activated.emit()
    popup = f.team.popup
    assert popup is not None
    qtbot.addWidget(popup)
    qtbot.waitExposed(popup)
    names = [popup.model.index(i).data() for i in range(popup.model.rowCount())]
    assert popup.isVisible() and len([n for n in names if n]) >= 2
    tray.activated.emit()
    assert not popup.isVisible()  # a second click closes it
    note = f.windows()["handoff"]()
    history = f.windows()["notes"]()
    assert isinstance(note, HandoffPopup) and isinstance(history, NotesWindow)
    qtbot.addWidget(note)
    qtbot.addWidget(history)


def test_prompt_rearmed_after_each_pass(
    qtbot: QtBot, paths: AppPaths, features: tuple[TrayFeatures, Tray, Bridge, list[Override]]
) -> None:
    f, _tray, bridge, _ = features
    fresh = tray_features(make_settings(), paths)
    assert fresh._handoff is None and set(fresh.windows()) == {"team", "handoff", "notes"}  # nothing heavy yet
    qtbot.waitUntil(lambda: f._handoff is not None and f._handoff.pending is not None)  # armed just after
    assert f.handoff.pending is not None and f.handoff.pending.at == datetime(2026, 11, 24, 15, 45, tzinfo=UTC)
    f.handoff.timer.stop()
    bridge.view_changed.emit(object())  # a pass: re-armed from the new timeline
    assert f.handoff.timer.isActive()


def test_sign_off_goes_to_the_running_app(
    qtbot: QtBot, features: tuple[TrayFeatures, Tray, Bridge, list[Override]]
) -> None:
    f, _tray, _bridge, applied = features
    popup = f.handoff.open_note()
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.focus_section(0), "done for today")
    qtbot.mouseClick(popup.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: popup.sign_off_label.text().startswith("✔ Signed off until"))
    (override,) = applied
    assert override.start == NOW and override.end == datetime(2026, 11, 25, 8, tzinfo=UTC)  # 09:00 Berlin


def test_roster_refresh_runs_off_the_gui_thread(
    qtbot: QtBot, paths: AppPaths, slack_emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    f = tray_features(
        make_settings(import_slack=True), paths, timeline=lambda now: (), apply_override=None, now=lambda: NOW
    )
    try:
        bridge = Bridge()
        f.attach(object(), bridge.view_changed)  # no icon: the fallback window
        assert f.roster_timer.isActive()
        qtbot.waitUntil(lambda: len(load_cached_people(paths.state_dir)) == 1, timeout=10_000)
        (people,) = load_cached_people(paths.state_dir)
        assert {p.name for p in people} >= {"Hemi Tane", "Priya Raman"}
    finally:
        f.close()
