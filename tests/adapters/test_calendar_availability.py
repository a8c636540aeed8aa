"""RFC 7953 availability read from ICS files: the RFC's own examples, recurrences, zones, broken and hostile input."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_availability import MAX_OCCURRENCES
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.core.availability import combine

DATA = Path(__file__).resolve().parents[1] / "data" / "availability"
MONTREAL = ZoneInfo("America/Montreal")
DENVER = ZoneInfo("America/Denver")


def wrap(body: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus tests//EN\r\n{body.strip()}\r\nEND:VCALENDAR\r\n"


def load(tmp_path: Path, text: str, start: datetime, end: datetime, zone: ZoneInfo = MONTREAL):
    path = tmp_path / "avail.ics"
    path.write_text(text, newline="")
    result = IcsCalendarSource("Avail", str(path), zone=zone, cache_dir=tmp_path / "cache").load(start, end)
    assert result.error is None, result.error
    return result


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def free_days(result, start: datetime, end: datetime, zone: ZoneInfo) -> list[str]:
    hours = combine(result.availability, start, end)
    assert hours is not None
    return [f"{a.astimezone(zone):%a %d %H:%M}-{b.astimezone(zone):%H:%M}" for a, b in hours.free]


def test_rfc_example_1_monday_to_friday_nine_to_five(tmp_path: Path) -> None:
    text = wrap((DATA / "rfc_7953_1.ics").read_text())
    start, end = local(MONTREAL, 2011, 10, 2), local(MONTREAL, 2011, 10, 9)
    result = load(tmp_path, text, start, end)
    assert free_days(result, start, end, MONTREAL) == [
        "Mon 03 09:00-17:00",
        "Tue 04 09:00-17:00",
        "Wed 05 09:00-17:00",
        "Thu 06 09:00-17:00",
        "Fri 07 09:00-17:00",
    ]  # the Sunday DTSTART anchors the rule; it is not a working day


def test_rfc_example_2_range_and_two_blocks(tmp_path: Path) -> None:
    text = wrap((DATA / "rfc_7953_2.ics").read_text())
    start, end = local(MONTREAL, 2011, 11, 28), local(MONTREAL, 2011, 12, 5)
    result = load(tmp_path, text, start, end)
    hours = combine(result.availability, start, end)
    assert hours is not None
    assert hours.covered == ((start, local(MONTREAL, 2011, 12, 2)),)  # the component ends on 2 Dec
    assert free_days(result, start, end, MONTREAL) == [
        "Mon 28 09:00-17:00",
        "Tue 29 09:00-17:00",
        "Wed 30 09:00-17:00",
        "Thu 01 09:00-17:00",
    ]  # the "Friday" block starts on a Thursday (2011-10-06) in the RFC's data, and Thursday is already 9-17


def test_rfc_example_3_travel_to_denver_and_back(tmp_path: Path) -> None:
    text = (DATA / "rfc_7953_3.ics").read_text()
    start, end = local(MONTREAL, 2011, 10, 21), local(MONTREAL, 2011, 11, 1)
    hours = combine(load(tmp_path, text, start, end).availability, start, end)
    assert hours is not None
    assert (local(DENVER, 2011, 10, 24, 9), local(DENVER, 2011, 10, 24, 17)) in hours.free  # in Denver's hours
    assert (local(MONTREAL, 2011, 10, 21, 9), local(MONTREAL, 2011, 10, 21, 17)) in hours.free
    assert (local(MONTREAL, 2011, 10, 31, 9), local(MONTREAL, 2011, 10, 31, 17)) in hours.free  # back, unbounded
    # between Denver's end (00:00 Denver = 02:00 Montreal) and the last one's start (03:00): not covered
    gap = local(MONTREAL, 2011, 10, 30, 2, 30)
    assert not hours.covers(gap) and hours.covers(local(MONTREAL, 2011, 10, 30, 4))


NEXTCLOUD = """
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VAVAILABILITY
UID:nc-availability
DTSTAMP:20260101T000000Z
SUMMARY:Working hours
BEGIN:AVAILABLE
UID:a1
DTSTART;TZID=Europe/Berlin:20260105T080000
DTEND;TZID=Europe/Berlin:20260105T160000
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH
EXDATE;TZID=Europe/Berlin:20261027T080000
END:AVAILABLE
BEGIN:AVAILABLE
UID:a1
RECURRENCE-ID;TZID=Europe/Berlin:20261026T080000
DTSTART;TZID=Europe/Berlin:20261026T120000
DTEND;TZID=Europe/Berlin:20261026T180000
END:AVAILABLE
END:VAVAILABILITY
"""


@pytest.mark.parametrize("viewer", ["Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland", "America/New_York"])
def test_weekly_blocks_across_the_autumn_change_with_exdate_and_override(tmp_path: Path, viewer: str) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = local(berlin, 2026, 10, 19), local(berlin, 2026, 11, 2)
    result = load(tmp_path, wrap(NEXTCLOUD), start, end, zone=ZoneInfo(viewer))
    days = free_days(result, start, end, berlin)
    assert days == [
        "Mon 19 08:00-16:00",
        "Tue 20 08:00-16:00",
        "Wed 21 08:00-16:00",
        "Thu 22 08:00-16:00",
        "Mon 26 12:00-18:00",  # moved by RECURRENCE-ID (the first Monday after the change to CET)
        "Wed 28 08:00-16:00",
        "Thu 29 08:00-16:00",  # Tuesday 27 excluded
    ]
    assert result.warnings == ()


def test_a_zone_the_file_does_not_define_is_named_and_read_in_the_users_zone(tmp_path: Path) -> None:
    text = wrap("""
BEGIN:VAVAILABILITY
UID:x
SUMMARY:Office
BEGIN:AVAILABLE
UID:b
DTSTART;TZID=Mars/Olympus:20261207T090000
DTEND;TZID=Mars/Olympus:20261207T170000
RRULE:FREQ=DAILY
END:AVAILABLE
END:VAVAILABILITY
""")
    tokyo = ZoneInfo("Asia/Tokyo")
    start, end = local(tokyo, 2026, 12, 7), local(tokyo, 2026, 12, 9)
    result = load(tmp_path, text, start, end, zone=tokyo)
    assert any("'Office'" in w and "Mars/Olympus" in w for w in result.warnings)
    assert free_days(result, start, end, tokyo)[0] == "Mon 07 09:00-17:00"


def test_one_broken_availability_costs_only_itself_and_the_events_stay(tmp_path: Path) -> None:
    text = wrap("""
BEGIN:VAVAILABILITY
UID:broken
SUMMARY:Backwards
DTSTART:20261210T000000Z
DTEND:20261201T000000Z
BEGIN:AVAILABLE
UID:c
DTSTART:20261207T090000Z
DTEND:20261207T170000Z
END:AVAILABLE
END:VAVAILABILITY
BEGIN:VAVAILABILITY
UID:good
SUMMARY:Good
BEGIN:AVAILABLE
UID:d
DTSTART:20261207T100000Z
DTEND:20261207T120000Z
END:AVAILABLE
END:VAVAILABILITY
BEGIN:VEVENT
UID:ev
DTSTAMP:20261201T000000Z
DTSTART:20261207T110000Z
DTEND:20261207T113000Z
SUMMARY:Sync
END:VEVENT
""")
    start, end = datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)
    result = load(tmp_path, text, start, end)
    assert [e.title for e in result.events] == ["Sync"]
    assert [c.name for c in result.availability] == ["Good"]
    assert any("'Backwards' ends before it starts" in w for w in result.warnings)


def test_a_hostile_rule_is_bounded_in_time_and_memory(tmp_path: Path) -> None:
    text = wrap("""
BEGIN:VAVAILABILITY
UID:h
SUMMARY:Every second
BEGIN:AVAILABLE
UID:e
DTSTART:20261207T000000Z
DTEND:20261207T000001Z
RRULE:FREQ=SECONDLY;COUNT=1000000000
END:AVAILABLE
BEGIN:AVAILABLE
UID:e2
DTSTART:20261207T000000Z
DTEND:20261207T000001Z
RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5
END:AVAILABLE
END:VAVAILABILITY
""")
    start, end = datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 21, tzinfo=UTC)
    tracemalloc.start()
    began = time.process_time()
    result = load(tmp_path, text, start, end)
    spent = time.process_time() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.availability[0].available == ()
    assert any("'Every second'" in w and "repeats every second" in w for w in result.warnings)
    assert any("repeats many times a day" in w for w in result.warnings)
    assert spent < 5 and peak < 100 * 2**20  # a bound, not a benchmark: expanded it runs for minutes


def test_a_daily_rule_with_a_huge_count_is_cut_at_the_cap(tmp_path: Path) -> None:
    text = wrap("""
BEGIN:VAVAILABILITY
UID:many
SUMMARY:Many
BEGIN:AVAILABLE
UID:m
DTSTART:20260101T090000Z
DTEND:20260101T170000Z
RRULE:FREQ=DAILY;COUNT=1000000000
END:AVAILABLE
END:VAVAILABILITY
""")
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    result = load(tmp_path, text, start, end)
    assert len(result.availability[0].available) == MAX_OCCURRENCES
    assert any("'Many' repeats too often" in w for w in result.warnings)


def test_overlapping_blocks_in_one_component_merge(tmp_path: Path) -> None:
    text = wrap("""
BEGIN:VAVAILABILITY
UID:o
BEGIN:AVAILABLE
UID:f
DTSTART:20261207T090000Z
DTEND:20261207T130000Z
END:AVAILABLE
BEGIN:AVAILABLE
UID:g
DTSTART:20261207T120000Z
DTEND:20261207T170000Z
END:AVAILABLE
END:VAVAILABILITY
""")
    start, end = datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC)
    hours = combine(load(tmp_path, text, start, end).availability, start, end)
    assert hours is not None
    assert hours.free == ((datetime(2026, 12, 7, 9, tzinfo=UTC), datetime(2026, 12, 7, 17, tzinfo=UTC)),)
