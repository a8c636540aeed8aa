"""The weekly hours traystatus writes to a calendar server read back, through the same reader as any other
VAVAILABILITY, as the same hours: across DST changes, in half-hour zones, past midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from traystatus.adapters.calendar_availability import read_availability
from traystatus.core.availability import combine, weekly_hours
from traystatus.core.availability_ics import weekly_availability_ics
from traystatus.core.hours import WeekHours, parse_hours

STAMP = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)


def read_back(ics: str, zone: ZoneInfo, start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    components, warnings = read_availability(
        icalendar.Calendar.from_ical(ics), source="test", start=start, end=end, zone=ZoneInfo("UTC")
    )
    assert warnings == []
    hours = combine(components, start, end)
    assert hours is not None
    return hours


@pytest.mark.parametrize(
    ("zone", "monday"),
    [
        ("Europe/Berlin", date(2026, 10, 19)),  # clocks go back on Sunday 25 October
        ("Europe/Berlin", date(2027, 3, 22)),  # and forward on Sunday 28 March
        ("America/New_York", date(2026, 11, 2)),  # the week after its fall-back
        ("Asia/Kolkata", date(2026, 12, 7)),  # +05:30
        ("Australia/Lord_Howe", date(2027, 3, 29)),  # a half-hour DST change on Sunday 4 April
        ("Pacific/Kiritimati", date(2026, 12, 7)),  # +14: the date line
    ],
)
def test_written_hours_read_back_as_the_same_week(zone: str, monday: date) -> None:
    tz = ZoneInfo(zone)
    hours = parse_hours("mon-thu 09:00-12:30,13:30-17:30; fri 08:00-14:00; sat 22:00-24:00; sun 00:00-06:00")
    ics = weekly_availability_ics(hours, tz, today=date(2026, 10, 20), stamp=STAMP)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    got = read_back(ics, tz, start.astimezone(UTC), (start + timedelta(days=8)).astimezone(UTC))
    assert weekly_hours(got.free, tz, start) == hours


def test_a_dst_week_keeps_the_wall_clock_and_the_utc_times_move() -> None:
    tz = ZoneInfo("Europe/Berlin")
    ics = weekly_availability_ics(parse_hours("mon-sun 09:00-17:00"), tz, today=date(2026, 10, 20), stamp=STAMP)
    start, end = datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC)
    got = read_back(ics, tz, start, end)
    assert got.free == (
        (datetime(2026, 10, 24, 7, tzinfo=UTC), datetime(2026, 10, 24, 15, tzinfo=UTC)),  # CEST, +02:00
        (datetime(2026, 10, 25, 8, tzinfo=UTC), datetime(2026, 10, 25, 16, tzinfo=UTC)),  # CET, +01:00
    )


def test_a_block_past_midnight_ends_the_next_day() -> None:
    tz = ZoneInfo("Asia/Tokyo")
    ics = weekly_availability_ics(parse_hours("fri 22:00-02:00"), tz, today=date(2026, 12, 2), stamp=STAMP)
    assert "RRULE:FREQ=WEEKLY;BYDAY=FR" in ics and "TZID=Asia/Tokyo" in ics
    got = read_back(ics, tz, datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))
    assert got.free == ((datetime(2026, 12, 11, 13, tzinfo=UTC), datetime(2026, 12, 11, 17, tzinfo=UTC)),)


def test_one_available_per_block_with_its_days_and_the_days_just_behind_covered() -> None:
    ics = weekly_availability_ics(
        parse_hours("mon-fri 09:00-17:00; sat 10:00-12:00"), ZoneInfo("UTC"), today=date(2026, 12, 2), stamp=STAMP
    )
    assert ics.count("BEGIN:VAVAILABILITY") == 1 and ics.count("BEGIN:AVAILABLE") == 2
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\n" in ics and "RRULE:FREQ=WEEKLY;BYDAY=SA\r\n" in ics
    assert "DTSTART;TZID=UTC:20261123T090000" in ics  # the Monday a week before the one it was saved in
    assert "DTSTAMP:20261202T220000Z" in ics and ics.endswith("END:VCALENDAR\r\n")
    got = read_back(ics, ZoneInfo("UTC"), datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
    assert got.free == ((datetime(2026, 11, 27, 9, tzinfo=UTC), datetime(2026, 11, 27, 17, tzinfo=UTC)),)


def test_an_empty_week_is_refused_not_written_as_never_working() -> None:
    with pytest.raises(ValueError, match="every day is off"):
        weekly_availability_ics(WeekHours(), ZoneInfo("UTC"), today=date(2026, 12, 2), stamp=STAMP)
