"""The tray's pass across a restart: a menu choice is stored with the state (a new process on the same state
dir shows and keeps it, sending nothing again), and it ends by itself at its time, after which the calendar
rules again; a pause holds every call back until it ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.slack_emulator import SlackEmulator
from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.app.tray_pass import TrayPass
from traystatus.core.model import State
from traystatus.core.overrides import Choice
from traystatus.core.publishing import Service
from traystatus.core.settings import settings_from_mapping

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Berlin: working hours
SETTINGS = settings_from_mapping(
    {"timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00"}, source="test", default_tz=ZoneInfo("UTC")
)


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


def test_a_capability_the_account_lacks_stays_in_the_menu_after_it_was_told(
    tmp_path: Path, slack_emulator: SlackEmulator
) -> None:
    """A token without users:write (real Slack publisher, Slack emulator): the first pass alerts; the next ones
    keep a plain health line saying presence cannot be set (it used to go back to "Slack ✓" while presence
    stayed unsynced); a restart checks once more, then keeps the line the same way."""
    from tests.slack_emulator.workspace import ALL_USER_SCOPES
    from traystatus.adapters.slack_api import SlackClient
    from traystatus.adapters.slack_publisher import SlackStatusPublisher

    token = "xoxp-5555-no-presence"
    slack_emulator.add_token(token, scopes=tuple(s for s in ALL_USER_SCOPES if s != "users:write"))
    clock = Clock()
    # a Tuesday to come (the emulator expires statuses by the real clock), 18:30 in Berlin: off hours, "away"
    day = date.today() + timedelta(days=7)
    clock.now = datetime.combine(day + timedelta(days=(1 - day.weekday()) % 7), time(17, 30), tzinfo=UTC)

    def start() -> TrayPass:
        slack = SlackStatusPublisher(SlackClient(token, api_url=slack_emulator.base_url, retries=0), account="slack:T1")
        return TrayPass(settings=SETTINGS, sources=[], publishers=[slack], store=StateStore(tmp_path), clock=clock)

    first = start()
    told = first.run()
    assert told.view.health[0].needs_action and "users:write" in told.view.health[0].detail
    assert told.view.health[0].text == "Slack: permission missing — Reconnect…"
    assert any("users:write" in message for _title, message in told.notifications)
    clock.now += timedelta(minutes=20)
    later = first.run().view.health[0]
    assert not later.ok and not later.needs_action and "presence cannot be set" in later.text, later
    assert slack_emulator.status()[0].startswith("Off for the day"), "the status still follows the calendar"

    clock.now += timedelta(minutes=20)
    restarted = start()  # a new process checks once more (a fixed token clears it), then keeps the plain line
    presence_calls = len(slack_emulator.calls_to("users.setPresence"))
    assert "users:write" in restarted.run().view.health[0].detail
    assert len(slack_emulator.calls_to("users.setPresence")) == presence_calls + 1
    clock.now += timedelta(minutes=20)
    kept = restarted.run().view.health[0]
    assert not kept.ok and not kept.needs_action and "presence cannot be set" in kept.text, kept
    assert len(slack_emulator.calls_to("users.setPresence")) == presence_calls + 1
