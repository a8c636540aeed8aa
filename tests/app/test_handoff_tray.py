"""The handoff feature as the tray app runs it (pytest-qt, real engine timeline, real archive): the prompt armed
before the end of the day, snooze and skip remembered across a restart, no prompt on an OOO day, a note
written from the menu answers today's prompt, and the history window."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.fixtures.slack import login_scopes_only
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.clock import utc_now
from traystatus.adapters.draft_store import JsonPromptStore
from traystatus.adapters.handoff_delivery import SlackSender
from traystatus.app.handoff_service import HandoffService, sign_off_override
from traystatus.app.paths import AppPaths
from traystatus.core.engine import build_timeline
from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination
from traystatus.core.model import Availability, CalendarEvent, Override
from traystatus.core.settings import Settings, settings_from_mapping
from traystatus.qt.handoff_windows import HandoffWindows

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_1640 = datetime(2026, 11, 24, 15, 40, tzinfo=UTC)  # 16:40 in Berlin, the day ends at 17:00


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


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


def test_a_delivery_that_needs_the_user_is_told_once_even_with_no_window_open(
    qtbot: QtBot, world: World, slack_emulator: SlackEmulator
) -> None:
    """A note another process stored (`traystatus handoff`, then killed) is posted by the tray's worker; the
    answer is lost (a read timeout against the Slack emulator), so it "may have been posted": a notification
    says so once, not on every pass; after the user's Post again in the history window, which shows it,
    the window is where it is said."""
    sender = SlackSender({"": slack_emulator.token}, api_url=slack_emulator.base_url, timeout=0.5)
    service = HandoffService(world.paths, world.settings, senders={"slack": sender}, now=utc_now)
    service.worker.start()
    windows = HandoffWindows(
        world.settings,
        service=service,
        prompts=JsonPromptStore.in_dir(world.paths.state_dir),
        timeline=world.timeline,
        now=world.clock,
        announce=lambda title, message: world.told.append((title, message)),
    )
    world.opened.append(windows)
    other = SqliteNoteArchive.in_dir(world.paths.data_dir)  # the CLI's own connection
    note = HandoffNote(
        id="cli1",
        created=utc_now(),
        sections=(NoteSection(title="Done", text="Posted from the terminal"),),
        destinations=(parse_destination("slack:#handoffs"),),
    )
    other.store(note, utc_now())
    other.close()
    slack_emulator.slow("chat.postMessage", delay=3.0, times=2)
    service.worker.wake()
    qtbot.waitUntil(lambda: bool(world.told), timeout=20_000)
    assert world.told == [
        (
            "Handoff note may have been posted",
            "slack:#handoffs: the answer was lost while posting. Look in the channel, then choose Post again or "
            "Mark as sent in Handoff history.",
        )
    ]
    for _ in range(3):  # later passes leave it alone, and say nothing more
        service.worker.wake()
    history = windows.open_history()
    qtbot.waitExposed(history)
    assert history.current_note() is not None and history.current_note().id == "cli1"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "may have been posted" in history.delivery_label.text())
    assert history.retry_button.text() == "&Post again"
    qtbot.mouseClick(history.retry_button, Qt.MouseButton.LeftButton)  # lost again (still slow)
    qtbot.waitUntil(lambda: service.archive.deliveries("cli1")[0].attempts == 2, timeout=20_000)
    qtbot.waitUntil(lambda: "may have been posted" in history.delivery_label.text(), timeout=20_000)
    assert len(world.told) == 1  # the open window shows it with its buttons
    # Both slow posts did land (Slack answered after the 0.5-s wait): why it is never resent blindly.
    qtbot.waitUntil(lambda: len(slack_emulator.messages) == 2, timeout=20_000)
    assert service.worker.run_due() == [] and len(slack_emulator.calls_to("chat.postMessage")) == 2


def test_the_prompt_follows_the_working_day_not_a_do_not_disturb(tmp_path: Path) -> None:
    """As the tray computes it (the sync pass's state, ``StatusSync.working_day_timeline``): "Do not disturb
    for 30 min" chosen at 16:40 ran past 17:00 and the day seemed to end at 16:40, so today's 16:45 prompt
    was lost; now it stays. Chosen at 20:00 it arms nothing tonight. A sign-off does end the day."""
    from traystatus.adapters.memory_publisher import RecordingStatusPublisher
    from traystatus.adapters.state_store import StateStore
    from traystatus.core.handoff import HandoffSettings, PromptState, next_prompt
    from traystatus.core.overrides import Choice
    from traystatus.core.publishing import Service
    from traystatus.core.status_sync import StatusSync

    settings = settings_from_mapping(
        {"timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00"}, source="test", default_tz=ZoneInfo("UTC")
    )
    clock = Clock(datetime(2026, 11, 25, 15, 40, tzinfo=UTC))  # Wed 16:40 in Berlin
    sync = StatusSync(
        settings=settings,
        calendars=lambda start, end: [],
        publishers=[RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")],
        store=StateStore(tmp_path),
        clock=clock,
    )

    def prompt(intervals: Sequence[Availability]) -> datetime | None:
        p = next_prompt(intervals, clock.t, HandoffSettings(), PromptState())
        return None if p is None else p.at

    report = sync.choose(Choice.DND_30M)
    assert report.overrides and report.overrides[0].end > datetime(2026, 11, 25, 16, tzinfo=UTC)
    assert prompt(report.timeline) == datetime(2026, 11, 26, 15, 45, tzinfo=UTC)  # what the tray did: lost
    assert prompt(sync.working_day_timeline(clock.t, report.overrides).intervals) == datetime(
        2026, 11, 25, 15, 45, tzinfo=UTC
    )  # today 16:45

    clock.t = datetime(2026, 11, 25, 19, tzinfo=UTC)  # 20:00: DND again
    report = sync.choose(Choice.DND_30M)
    assert prompt(sync.working_day_timeline(clock.t, report.overrides).intervals) == datetime(
        2026, 11, 26, 15, 45, tzinfo=UTC
    )  # tomorrow's real end, not 20:15

    sync.store.clear_overrides()
    clock.t = datetime(2026, 11, 26, 15, tzinfo=UTC)  # Thu 16:00: the CLI's note signs off
    report = sync.apply_override(sign_off_override(settings, clock.t))
    assert prompt(sync.working_day_timeline(clock.t, report.overrides).intervals) == datetime(
        2026, 11, 27, 15, 45, tzinfo=UTC
    )  # not at 16:45 today: the day is over
