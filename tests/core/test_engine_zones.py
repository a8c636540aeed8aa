"""The engine across DST gaps and overlaps, half-hour and 45-minute zones, and the date line."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.engine import build_timeline, next_working_start
from traystatus.core.hours import parse_hours
from traystatus.core.model import CalendarEvent, State
from traystatus.core.settings import Settings

# (zone, a date around which the zone changes its offset in 2026; or any date for zones without DST)
ZONES = [
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("Europe/London", date(2026, 3, 29)),
    ("Europe/London", date(2026, 10, 25)),
    ("Asia/Kolkata", date(2026, 11, 24)),
    ("Asia/Kathmandu", date(2026, 11, 24)),
    ("Australia/Lord_Howe", date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4)),
    ("Pacific/Chatham", date(2026, 4, 5)),
    ("Pacific/Chatham", date(2026, 9, 27)),
    ("Pacific/Kiritimati", date(2026, 11, 24)),
]


@pytest.mark.parametrize(("zone_name", "day"), ZONES)
def test_every_day_starts_and_ends_at_local_wall_times(zone_name: str, day: date) -> None:
    zone = ZoneInfo(zone_name)
    s = Settings(timezone=zone, hours=parse_hours("mon-sun 09:00-17:00"))
    start = datetime.combine(day - timedelta(days=3), time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=4), time(0), tzinfo=zone)
    tl = build_timeline(s, [], [], start, end)
    avail = [a for a in tl.intervals if a.state is State.AVAILABLE]
    assert len(avail) == 7
    for a in avail:
        assert a.start.astimezone(zone).time() == time(9) and a.end.astimezone(zone).time() == time(17)
        assert a.until == a.end
    for a in tl.intervals:
        if a.state is State.OFF_HOURS:
            assert a.until.astimezone(zone).time() == time(9)
    # the nights around the change differ by the zone's shift; together they cover the whole week
    total = sum((a.end - a.start for a in tl.intervals), timedelta())
    assert total == end.astimezone(UTC) - start.astimezone(UTC)  # real time: 7 days ± the DST shift


def test_a_block_starting_in_the_spring_forward_gap_starts_when_the_clock_jumps() -> None:
    ny = ZoneInfo("America/New_York")
    s = Settings(timezone=ny, hours=parse_hours("sun 02:30-05:00"))
    tl = build_timeline(s, [], [], datetime(2026, 3, 8, tzinfo=ny), datetime(2026, 3, 9, tzinfo=ny))
    (a,) = [a for a in tl.intervals if a.state is State.AVAILABLE]
    assert (a.start, a.end) == (datetime(2026, 3, 8, 7, 30, tzinfo=UTC), datetime(2026, 3, 8, 9, tzinfo=UTC))
    assert a.start.astimezone(ny).time() == time(3, 30)  # 02:30 does not exist that day


def test_the_repeated_autumn_hour_is_counted_once_and_read_as_its_first_occurrence() -> None:
    ny = ZoneInfo("America/New_York")
    s = Settings(timezone=ny, hours=parse_hours("sun 01:30-02:30"))
    tl = build_timeline(s, [], [], datetime(2026, 11, 1, tzinfo=ny), datetime(2026, 11, 2, tzinfo=ny))
    (a,) = [a for a in tl.intervals if a.state is State.AVAILABLE]
    # 01:30 EDT (05:30Z) to 02:30 EST (07:30Z): two real hours
    assert (a.start, a.end) == (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 7, 30, tzinfo=UTC))
    assert sum((x.end - x.start for x in tl.intervals), timedelta()) == timedelta(hours=25)


def test_lord_howe_half_hour_dst_and_chatham_45_minutes() -> None:
    lh = ZoneInfo("Australia/Lord_Howe")  # 02:00 → 02:30 on Sun 4 Oct 2026
    s = Settings(timezone=lh, hours=parse_hours("sun 01:00-03:00"))
    tl = build_timeline(s, [], [], datetime(2026, 10, 4, tzinfo=lh), datetime(2026, 10, 5, tzinfo=lh))
    (a,) = [a for a in tl.intervals if a.state is State.AVAILABLE]
    assert a.end - a.start == timedelta(minutes=90)
    chatham = ZoneInfo("Pacific/Chatham")
    s = Settings(timezone=chatham, hours=parse_hours("mon-fri 09:00-17:00"))
    assert next_working_start(s, datetime(2026, 11, 24, tzinfo=UTC)) == datetime(2026, 11, 24, 19, 15, tzinfo=UTC)
    kathmandu = Settings(timezone=ZoneInfo("Asia/Kathmandu"), hours=parse_hours("mon-fri 09:00-17:00"))
    assert next_working_start(kathmandu, datetime(2026, 11, 24, tzinfo=UTC)) == datetime(
        2026, 11, 24, 3, 15, tzinfo=UTC
    )


def test_a_working_day_that_ends_after_midnight_utc() -> None:
    kiri = ZoneInfo("Pacific/Kiritimati")  # UTC+14: 09:00-17:00 is 19:00Z-03:00Z the next UTC day
    s = Settings(timezone=kiri, hours=parse_hours("mon-fri 09:00-17:00"))
    tl = build_timeline(s, [], [], datetime(2026, 11, 23, 12, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
    a = tl.at(datetime(2026, 11, 24, 2, tzinfo=UTC))
    assert (a.state, a.end) == (State.AVAILABLE, datetime(2026, 11, 24, 3, tzinfo=UTC))
    assert a.reason == "working hours (mon-fri 09:00-17:00)"


def test_samoa_skipping_a_whole_day_across_the_date_line() -> None:
    apia = ZoneInfo("Pacific/Apia")  # 29 Dec 2011 was followed by 31 Dec 2011
    s = Settings(timezone=apia, hours=parse_hours("mon-sun 09:00-17:00"))
    tl = build_timeline(s, [], [], datetime(2011, 12, 28, tzinfo=apia), datetime(2012, 1, 2, tzinfo=apia))
    days = [a.start.astimezone(apia).date().day for a in tl.intervals if a.state is State.AVAILABLE]
    assert days == [28, 29, 31, 1]
    assert all(a.start.astimezone(apia).time() == time(9) for a in tl.intervals if a.state is State.AVAILABLE)


@pytest.mark.parametrize("zone_name", ["America/New_York", "Asia/Kathmandu", "Pacific/Chatham"])
def test_events_in_another_zone_and_all_day_ooo_in_the_users_zone(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    s = Settings(timezone=zone, hours=parse_hours("mon-fri 09:00-17:00"))
    tokyo = ZoneInfo("Asia/Tokyo")
    local10 = datetime(2026, 11, 24, 10, tzinfo=zone)
    call = CalendarEvent(
        uid="c", start=local10.astimezone(tokyo), end=(local10 + timedelta(hours=1)).astimezone(tokyo), title="Call"
    )
    ooo = CalendarEvent(
        uid="o",
        start=datetime(2026, 11, 25, tzinfo=zone),
        end=datetime(2026, 11, 26, tzinfo=zone),
        title="Sick day",
        all_day=True,
    )
    tl = build_timeline(s, [call, ooo], [], datetime(2026, 11, 24, tzinfo=zone), datetime(2026, 11, 27, tzinfo=zone))
    a = tl.at(datetime(2026, 11, 24, 10, 30, tzinfo=zone))
    assert (a.state, a.until) == (State.MEETING, datetime(2026, 11, 24, 11, tzinfo=zone))
    b = tl.at(datetime(2026, 11, 25, 12, tzinfo=zone))
    assert (b.state, b.until) == (State.OOO, datetime(2026, 11, 26, 9, tzinfo=zone))
    assert tl.at(datetime(2026, 11, 24, 20, tzinfo=zone)).until == datetime(2026, 11, 26, 9, tzinfo=zone)
