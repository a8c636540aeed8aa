"""The tray app and the headless mode drive the services identically: the same working day
(tests/data/sync/workday.ics, real ICS source) replayed through the tray's pass and through the headless sync
service, each against its own Slack emulator, each pass when the previous one asked; the calls Slack receives
are the same, at the same minutes, with the same arguments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.test_sync_day import WORKDAY, _slack_args, local
from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.calendar_sources import build_sources
from traystatus.adapters.slack_api import SlackClient
from traystatus.adapters.slack_publisher import SlackStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.app.sync_service import SyncService
from traystatus.app.tray_pass import TrayPass
from traystatus.core.hours import parse_hours
from traystatus.core.settings import CalendarSourceConfig, Settings

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(
    timezone=BERLIN,
    hours=parse_hours("mon-fri 09:00-17:00"),
    calendars=(CalendarSourceConfig(name="work", location=str(WORKDAY)),),
)


def publisher(emu: SlackEmulator, clock: ManualClock) -> SlackStatusPublisher:
    client = SlackClient(emu.token, api_url=emu.base_url, max_wait=0.0, retries=0)
    return SlackStatusPublisher(client, account="slack:day", monotonic=clock)


def replay(step: Callable[[datetime], datetime], clock: ManualClock) -> list[str]:
    t, passes = local("07:00"), []
    while t < local("20:00"):
        clock.set(t.timestamp())
        passes.append(f"{t.astimezone(BERLIN):%H:%M}")
        t = step(t)
    return passes


def calls(emu: SlackEmulator) -> list[tuple[str, str, str]]:
    return [
        (f"{datetime.fromtimestamp(c.at, UTC).astimezone(BERLIN):%H:%M}", c.method, _slack_args(c.params))
        for c in emu.calls
    ]


def test_the_tray_and_headless_send_the_same_calls_for_the_same_day(
    tmp_path: Path, slack_emulator_factory: Callable[..., SlackEmulator]
) -> None:
    headless_clock, tray_clock = ManualClock(), ManualClock()
    headless_emu = slack_emulator_factory(now=headless_clock)
    tray_emu = slack_emulator_factory(now=tray_clock)

    service = SyncService(
        settings=SETTINGS,
        sources=build_sources(SETTINGS, cache_dir=tmp_path / "h-cache"),
        publishers=[publisher(headless_emu, headless_clock)],
        store=StateStore(tmp_path / "h"),
        clock=lambda: datetime.fromtimestamp(headless_clock.t, UTC),
    )

    def headless_step(t: datetime) -> datetime:
        report = service.sync(t)
        assert report.ok and report.wake_at is not None, report
        return report.wake_at

    tray = TrayPass(
        settings=SETTINGS,
        sources=build_sources(SETTINGS, cache_dir=tmp_path / "t-cache"),
        publishers=[publisher(tray_emu, tray_clock)],
        store=StateStore(tmp_path / "t"),
        clock=lambda: datetime.fromtimestamp(tray_clock.t, UTC),
    )

    def tray_step(_t: datetime) -> datetime:
        result = tray.run()
        assert all(h.ok for h in result.view.health), result.view.health
        return result.wake_at

    headless_passes = replay(headless_step, headless_clock)
    tray_passes = replay(tray_step, tray_clock)
    assert tray_passes == headless_passes
    assert len(calls(headless_emu)) >= 15, "a real day: statuses, presence and snoozes"
    assert calls(tray_emu) == calls(headless_emu)
