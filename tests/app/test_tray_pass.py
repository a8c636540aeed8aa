"""The tray's pass across a restart: a menu choice is stored with the state (a new process on the same state
dir shows and keeps it, sending nothing again), and it ends by itself at its time, after which the calendar
rules again; a pause holds every call back until it ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.app.tray_pass import TrayPass
from traystatus.core.model import State
from traystatus.core.overrides import Choice
from traystatus.core.publishing import Service
from traystatus.core.settings import settings_from_mapping

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Berlin: working hours
SETTINGS = settings_from_mapping({"timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00"},
                                 source="test", default_tz=ZoneInfo("UTC"))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def tray_pass(state_dir: Path, publisher: RecordingStatusPublisher, clock: Clock) -> TrayPass:
    return TrayPass(settings=SETTINGS, sources=[], publishers=[publisher], store=StateStore(state_dir), clock=clock)


def test_a_choice_survives_a_restart_and_expires_by_itself(tmp_path: Path) -> None:
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    clock = Clock()
    first = tray_pass(tmp_path, slack, clock)
    assert first.run().view.state is State.AVAILABLE
    result = first.choose(Choice.DND_1H)
    assert result.view.state is State.FOCUS and "Do not disturb" in result.view.override_line
    assert result.wake_at <= NOW + timedelta(hours=1), "woken when the override ends"
    writes = len(slack.writes())

    clock.now = NOW + timedelta(minutes=20)  # quit and start again on the same state dir
    second = tray_pass(tmp_path, slack, clock)
    again = second.run()
    assert again.view.state is State.FOCUS and again.view.overridden
    assert len(slack.writes()) == writes, "nothing is sent again after a restart"

    clock.now = NOW + timedelta(hours=1, seconds=1)
    after = second.run()
    assert after.view.state is State.AVAILABLE and not after.view.overridden
    assert not slack.shown.dnd_until or slack.shown.dnd_until <= clock.now


def test_pause_holds_every_call_until_it_ends(tmp_path: Path) -> None:
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    clock = Clock()
    p = tray_pass(tmp_path, slack, clock)
    p.run()
    p.choose(Choice.PAUSE_1H)
    writes = len(slack.writes())
    clock.now = NOW + timedelta(minutes=30)
    p.choose(Choice.DND_2H)  # chosen while paused: stored, not sent
    assert len(slack.writes()) == writes
    clock.now = NOW + timedelta(hours=1, minutes=1)
    resumed = tray_pass(tmp_path, slack, clock).run()
    assert not resumed.view.paused
    assert resumed.view.state is State.FOCUS
    assert len(slack.writes()) > writes and slack.shown.dnd_until, "the pause ended: the services are brought in step"
