"""The shared pipeline takes the working hours from a calendar's RFC 7953 availability: what Slack shows (read
back from the Slack emulator) follows the calendar's hours, not the configured ones, and a refreshed calendar
with new hours moves the status with it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.slack_emulator import SlackEmulator
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.slack_api import SlackClient
from traystatus.adapters.slack_publisher import SlackStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.core.model import State
from traystatus.core.ports import CalendarResult
from traystatus.core.settings import settings_from_mapping
from traystatus.core.status_sync import StatusSync

KOLKATA = ZoneInfo("Asia/Kolkata")
SETTINGS = settings_from_mapping(
    {"timezone": "Asia/Kolkata", "working_hours": "mon-fri 09:00-17:00"}, source="test", default_tz=ZoneInfo("UTC")
)


def hours_ics(start: str, end: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VAVAILABILITY\r\nUID:h\r\n"
        "DTSTAMP:20260101T000000Z\r\nSUMMARY:Working hours\r\nBEGIN:AVAILABLE\r\nUID:h1\r\n"
        f"DTSTART;TZID=Asia/Kolkata:20260105T{start}00\r\nDTEND;TZID=Asia/Kolkata:20260105T{end}00\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:AVAILABLE\r\nEND:VAVAILABILITY\r\nEND:VCALENDAR\r\n"
    )


def test_slack_follows_the_calendars_hours(tmp_path: Path, slack_emulator: SlackEmulator) -> None:
    token = "xoxp-7777-availability"
    slack_emulator.add_token(token)
    path = tmp_path / "hours.ics"
    path.write_text(hours_ics("0600", "1400"), newline="")
    source = IcsCalendarSource("Hours", str(path), zone=KOLKATA, cache_dir=tmp_path / "cache")

    def calendars(start: datetime, end: datetime) -> list[CalendarResult]:
        return [source.load(start, end)]

    # a weekday to come (the emulator expires statuses by the real clock), 15:00 in Kolkata: off by the
    # calendar (06:00-14:00), at work by the config (09:00-17:00)
    day = date.today() + timedelta(days=7)
    day += timedelta(days=(2 - day.weekday()) % 7)  # a Wednesday
    now = datetime.combine(day, time(15), tzinfo=KOLKATA).astimezone(UTC)
    clock = [now]
    slack = SlackStatusPublisher(SlackClient(token, api_url=slack_emulator.base_url, retries=0), account="slack:T1")
    sync = StatusSync(
        settings=SETTINGS,
        calendars=calendars,
        publishers=[slack],
        store=StateStore(tmp_path / "state"),
        clock=lambda: clock[0],
    )
    report = sync.run()
    assert report.interval.state is State.OFF_HOURS
    assert report.interval.reason == "outside working hours (from availability in 'Hours')"
    text, emoji = slack_emulator.status()[:2]
    assert text.startswith("Off for the day") and "06:00" in text, (text, emoji)

    path.write_text(hours_ics("1200", "2000"), newline="")  # the user changes their hours elsewhere
    clock[0] = now + timedelta(minutes=1)
    report = sync.run(refresh=True)
    assert report.interval.state is State.AVAILABLE
    assert slack_emulator.status()[0] == "", "available: traystatus clears its own status"
