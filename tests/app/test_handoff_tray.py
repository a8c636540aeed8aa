"""The handoff feature as the tray app runs it (pytest-qt, real engine timeline, real archive): the prompt armed
before the end of the day, snooze and skip remembered across a restart, no prompt on an OOO day, a note
written from the menu answers today's prompt, and the history window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from traystatus.adapters.draft_store import JsonPromptStore
from traystatus.app.handoff_service import HandoffService
from traystatus.app.paths import AppPaths
from traystatus.core.engine import build_timeline
from traystatus.core.model import Availability, CalendarEvent, Override
from traystatus.core.settings import Settings, settings_from_mapping
from traystatus.qt.handoff_windows import HandoffWindows

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_1640 = datetime(2026, 11, 24, 15, 40, tzinfo=UTC)  # 16:40 in Berlin, the day ends at 17:00


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.paths = AppPaths(
            config_file=tmp_path / "config.toml",
            state_dir=tmp_path / "state",
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
            log_dir=tmp_path / "log",
        )
        self.settings: Settings = settings_from_mapping(
            {"timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00"},
            source="test",
            default_tz=ZoneInfo("UTC"),
        )
        self.clock = Clock(TUESDAY_1640)
        self.events: list[CalendarEvent] = []
        self.signed_off: list[Override] = []
        self.opened: list[HandoffWindows] = []
        self.told: list[tuple[str, str]] = []

    def timeline(self, now: datetime) -> tuple[Availability, ...]:
        start, end = now - timedelta(hours=12), now + timedelta(days=3)
        return build_timeline(self.settings, self.events, (), start, end).intervals

    def windows(self, qtbot: QtBot) -> HandoffWindows:
        service = HandoffService(self.paths, self.settings, senders={}, sign_off=self.signed_off.append, now=self.clock)
        service.worker.start()  # the composition root starts it (a background duty)
        w = HandoffWindows(
            self.settings,
            service=service,
            prompts=JsonPromptStore.in_dir(self.paths.state_dir),
            timeline=self.timeline,
            now=self.clock,
            announce=lambda title, message: self.told.append((title, message)),
        )
        self.opened.append(w)
        return w


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    for windows in w.opened:
        windows.close()


def fire(qtbot: QtBot, windows: HandoffWindows, clock: Clock) -> None:
    assert windows.pending is not None and windows.timer.isActive()
    clock.t = windows.pending.at
    windows.timer.timeout.emit()
    assert windows.popup is not None
    qtbot.waitExposed(windows.popup)


def test_prompt_snooze_then_skip_and_a_restart_remembers(qtbot: QtBot, world: World) -> None:
    windows = world.windows(qtbot)
    pending = windows.schedule()
    assert pending is not None and pending.at == datetime(2026, 11, 24, 15, 45, tzinfo=UTC)  # 16:45 Berlin
    assert 299_000 <= windows.timer.interval() <= 300_000
    fire(qtbot, windows, world.clock)
    assert world.told == [
        ("Time for your handoff note", "Your day ends at 17:00: a few lines for the team while it is fresh.")
    ]
    popup = windows.popup
    assert popup is not None and [b.text() for b in popup.snooze_buttons] == ["Snooze 15 min", "Snooze 1 h"]
    qtbot.mouseClick(popup.snooze_buttons[0], Qt.MouseButton.LeftButton)
    assert not popup.isVisible()
    assert windows.pending is not None and windows.pending.at == datetime(2026, 11, 24, 16, tzinfo=UTC)

    world.clock.t = datetime(2026, 11, 24, 15, 50, tzinfo=UTC)
    restarted = world.windows(qtbot)  # the app restarted meanwhile: still snoozed, not asked at once
    assert restarted.schedule() == windows.pending

    fire(qtbot, restarted, world.clock)
    assert restarted.popup is not None and restarted.popup.skip_button is not None
    qtbot.mouseClick(restarted.popup.skip_button, Qt.MouseButton.LeftButton)
    assert restarted.pending is not None
    assert restarted.pending.at == datetime(2026, 11, 25, 15, 45, tzinfo=UTC)  # tomorrow


def test_closing_the_prompt_answers_it_for_today(qtbot: QtBot, world: World) -> None:
    windows = world.windows(qtbot)
    windows.schedule()
    fire(qtbot, windows, world.clock)
    assert windows.popup is not None
    windows.popup.close()
    assert windows.pending is not None and windows.pending.at.date() == datetime(2026, 11, 25).date()


def test_no_prompt_on_an_out_of_office_day(qtbot: QtBot, world: World) -> None:
    world.events.append(
        CalendarEvent(
            uid="v",
            title="Vacation",
            start=datetime(2026, 11, 24, tzinfo=BERLIN),
            end=datetime(2026, 11, 25, tzinfo=BERLIN),
            all_day=True,
            busy_status="OOF",
        )
    )
    pending = world.windows(qtbot).schedule()
    assert pending is not None and pending.at == datetime(2026, 11, 25, 15, 45, tzinfo=UTC)


def test_a_note_from_the_menu_answers_todays_prompt(qtbot: QtBot, world: World) -> None:
    world.clock.t = datetime(2026, 11, 24, 13, tzinfo=UTC)  # 14:00 in Berlin
    windows = world.windows(qtbot)
    windows.schedule()
    popup = windows.open_note()
    qtbot.waitExposed(popup)
    assert popup.snooze_buttons == [] and windows.open_note() is popup  # one popup at a time
    qtbot.keyClicks(popup.focus_section(0), "Wrapped up early")
    qtbot.mouseClick(popup.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(world.signed_off) == 1)
    assert windows.pending is not None and windows.pending.at == datetime(2026, 11, 25, 15, 45, tzinfo=UTC)

    history = windows.open_history()
    qtbot.waitExposed(history)
    assert len(history.shown_ids()) == 1 and "Wrapped up early" in history.view.toPlainText()
