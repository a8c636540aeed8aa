"""Settings take effect without a restart: the running app (``Desktop``, offscreen, real worker thread, real
calendar file and state store) rebuilds its pass from the saved config; a broken save is told and the last
good configuration keeps syncing. And the settings windows the tray opens call the reload when they save."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from traystatus.adapters.calendar_sources import build_sources
from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.app.container import SourcesReader, tray_scheduler
from traystatus.app.gui import _windows
from traystatus.app.paths import AppPaths
from traystatus.app.resources import icons_dir
from traystatus.core.model import State
from traystatus.core.publishing import Service
from traystatus.core.status_sync import StatusSync
from traystatus.core.sync_view import SyncSetup
from traystatus.qt.bridge import Bridge
from traystatus.qt.desktop import Desktop
from traystatus.qt.fallback_window import FallbackWindow
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu

UTC_ZONE = ZoneInfo("UTC")


def ics_with_meeting_now() -> str:
    now = datetime.now(UTC)
    s, e = now - timedelta(minutes=10), now + timedelta(hours=1)
    f = "%Y%m%dT%H%M%SZ"
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:{s:{f}}\r\n"
        f"DTSTART:{s:{f}}\r\nDTEND:{e:{f}}\r\nSUMMARY:Sync\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def config_text(calendar: Path | None) -> str:
    text = 'timezone = "UTC"\nworking_hours = "mon-sun 00:00-24:00"\n'
    if calendar is not None:
        text += f'[[calendars]]\nname = "Work"\npath = "{calendar}"\n'
    return text


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    p = AppPaths(
        config_file=tmp_path / "config.toml",
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "log",
    )
    p.ensure()
    return p


@pytest.fixture
def running(qtbot: QtBot, paths: AppPaths) -> Iterator[tuple[Desktop, RecordingStatusPublisher, list[str]]]:
    paths.config_file.write_text(config_text(None), encoding="utf-8")
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")

    def build() -> SyncSetup:
        settings = load_config_file(paths.config_file, default_tz=UTC_ZONE)
        sync = StatusSync(
            settings=settings,
            calendars=SourcesReader(build_sources(settings, cache_dir=paths.cache_dir)),
            publishers=[slack],
            store=StateStore(paths.state_dir),
            clock=lambda: datetime.now(UTC),
        )
        return SyncSetup(sync)

    surface = FallbackWindow(IconSet(icons_dir()), TrayMenu())
    qtbot.addWidget(surface)
    told: list[str] = []
    bridge = Bridge()
    desktop = Desktop(
        surface=surface,
        bridge=bridge,
        sync_factory=build,
        scheduler_factory=tray_scheduler,
        notify=lambda t, m: True,
        log_file=paths.log_dir / "traystatus.log",
    )
    bridge.failed.connect(lambda title, message: told.append(f"{title}: {message}"))
    desktop.start()
    yield desktop, slack, told
    desktop.shutdown()


def test_a_saved_config_takes_effect_without_a_restart(
    qtbot: QtBot, paths: AppPaths, running: tuple[Desktop, RecordingStatusPublisher, list[str]]
) -> None:
    desktop, slack, told = running
    qtbot.waitUntil(lambda: desktop.view is not None and desktop.view.state is State.AVAILABLE)
    calendar = paths.config_file.parent / "work.ics"
    calendar.write_text(ics_with_meeting_now(), encoding="utf-8")
    paths.config_file.write_text(config_text(calendar), encoding="utf-8")  # what the settings window saves
    desktop.reload()
    qtbot.waitUntil(lambda: desktop.view is not None and desktop.view.state is State.MEETING)
    assert slack.shown.text == "In a meeting"
    assert State.MEETING in {i.state for i in desktop.timeline(datetime.now(UTC))}  # what the handoff prompt reads

    paths.config_file.write_text('timezone = "Mars/Olympus"\n', encoding="utf-8")  # a broken save
    desktop.reload()
    qtbot.waitUntil(lambda: bool(told))
    assert "Mars/Olympus" in told[0] and "timezone" in told[0]
    desktop.refresh()  # the last good configuration keeps syncing
    qtbot.waitUntil(lambda: desktop.view is not None and desktop.view.state is State.MEETING)


def test_the_settings_windows_the_tray_opens_reload_the_app_when_they_save(
    qtbot: QtBot, paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths.config_file.write_text(config_text(None), encoding="utf-8")
    monkeypatch.setattr(AppPaths, "resolve", staticmethod(lambda config=None: paths))
    reloads: list[int] = []
    windows = _windows(
        argparse.Namespace(demo=False, config=None), paths, None, on_saved=lambda _settings: reloads.append(1)
    )
    assert {"settings", "setup", "fix"} <= set(windows)
    window = windows["settings"]()
    qtbot.addWidget(window)
    window.show_page("General")
    assert windows["fix"]("Slack") is window  # a health line's fix: the same window, on its Accounts page
    assert window.nav.currentItem().text() == "Accounts"
    window.save_now()
    qtbot.waitUntil(lambda: reloads == [1])
    wizard = windows["setup"]()
    qtbot.addWidget(wizard)
    wizard.accept()  # everything skipped: still a working config
    qtbot.waitUntil(lambda: reloads == [1, 1])


def test_quitting_clears_the_statuses_when_the_user_asked_for_it(
    qtbot: QtBot, paths: AppPaths, running: tuple[Desktop, RecordingStatusPublisher, list[str]]
) -> None:
    desktop, slack, _told = running
    calendar = paths.config_file.parent / "work.ics"
    calendar.write_text(ics_with_meeting_now(), encoding="utf-8")
    paths.config_file.write_text(config_text(calendar), encoding="utf-8")
    desktop.reload()
    qtbot.waitUntil(lambda: slack.shown.text == "In a meeting")
    desktop.shutdown()  # general.clear_on_quit is off: what was set stays (it expires by itself)
    assert slack.shown.text == "In a meeting"

    desktop.start()
    paths.config_file.write_text(config_text(calendar) + "[general]\nclear_on_quit = true\n", encoding="utf-8")
    desktop.reload()  # turned on in the settings window while running: counts at quit
    qtbot.waitUntil(lambda: desktop.sync is not None and desktop.sync.settings.general.clear_on_quit)
    desktop.shutdown()
    assert slack.shown.text == "" and not slack.shown.dnd_until


def test_a_job_submitted_while_its_namesake_runs_is_queued_not_dropped() -> None:
    """A reload (or a refresh) asked for while a pass runs must still happen after it."""
    import threading
    import time

    from traystatus.adapters.scheduler import SyncScheduler

    worker = SyncScheduler(lambda reason: None)  # the one scheduler of both runtimes
    worker.start()
    started, release, ran = threading.Event(), threading.Event(), []

    def slow() -> None:
        started.set()
        release.wait(5)
        ran.append("first")

    try:
        worker.submit(slow, "pass")
        assert started.wait(5)
        worker.submit(lambda: ran.append("second"), "pass")
        time.sleep(0.3)  # the second is due while the first still runs
        release.set()
        deadline = time.monotonic() + 5
        while ran != ["first", "second"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ran == ["first", "second"]
    finally:
        release.set()
        worker.shutdown()


def test_start_at_login_follows_the_general_page(
    qtbot: QtBot, paths: AppPaths, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    """Ticking "Start at login" and the save that follows install the XDG autostart entry (the running app's
    and `traystatus settings`' save handler); unticking removes it."""
    from PySide6.QtWidgets import QCheckBox

    from traystatus.adapters.autostart import Autostart
    from traystatus.app.settings_app import apply_start_at_login

    paths.config_file.write_text(config_text(None), encoding="utf-8")
    monkeypatch.setattr(AppPaths, "resolve", staticmethod(lambda config=None: paths))
    problems: list[str] = []
    windows = _windows(
        argparse.Namespace(demo=False, config=None),
        paths,
        None,
        on_saved=lambda settings: problems.append(apply_start_at_login(settings)),
    )
    window = windows["settings"]()
    qtbot.addWidget(window)
    window.show_page("General")
    box = next(b for b in window.page("General").findChildren(QCheckBox) if b.text() == "Start at &login")
    entry = isolated_home / "config" / "autostart" / "traystatus.desktop"
    assert Autostart().entry_path() == entry and not entry.exists()
    box.click()
    qtbot.waitUntil(lambda: entry.exists())
    assert "Exec=" in entry.read_text() and problems and all(p == "" for p in problems)
    assert "start_at_login = true" in paths.config_file.read_text()
    box.click()
    qtbot.waitUntil(lambda: not entry.exists())


def test_a_configuration_that_cannot_be_used_is_told_once_until_a_save(qtbot: QtBot, paths: AppPaths) -> None:
    """The first build fails (a bad config): told once; later passes (refresh, resume, the network back)
    do not retry and repeat it every time; a saved config builds the pipeline and syncs."""
    from traystatus.core.errors import ConfigError

    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    broken = [True]

    def build() -> SyncSetup:
        if broken[0]:
            raise ConfigError("Bad config", "working_hours: not a range")
        settings = load_config_file(paths.config_file, default_tz=UTC_ZONE)
        sync = StatusSync(
            settings=settings,
            calendars=SourcesReader(build_sources(settings, cache_dir=paths.cache_dir)),
            publishers=[slack],
            store=StateStore(paths.state_dir),
            clock=lambda: datetime.now(UTC),
        )
        return SyncSetup(sync)

    paths.config_file.write_text(config_text(None), encoding="utf-8")
    surface = FallbackWindow(IconSet(icons_dir()), TrayMenu())
    qtbot.addWidget(surface)
    told: list[str] = []
    bridge = Bridge()
    bridge.failed.connect(lambda title, message: told.append(title))
    desktop = Desktop(
        surface=surface,
        bridge=bridge,
        sync_factory=build,
        scheduler_factory=tray_scheduler,
        notify=lambda t, m: True,
        log_file=paths.log_dir / "traystatus.log",
    )
    desktop.start()
    try:
        qtbot.waitUntil(lambda: told == ["Bad config"])
        for reason in ("refresh", "resumed", "network back"):
            desktop.refresh(reason)
        qtbot.wait(500)
        assert told == ["Bad config"] and desktop.sync is None and not slack.calls
        broken[0] = False
        desktop.reload()  # the user saved a fixed configuration
        qtbot.waitUntil(lambda: desktop.sync is not None and bool(slack.writes()))
        assert told == ["Bad config"]
    finally:
        desktop.shutdown()
