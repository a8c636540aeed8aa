"""Real-world quirk classes, each read the way its producer meant (test calendars in tests/data/quirks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_parse import validate_body
from traystatus.core.model import CalendarEvent

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "quirks"
DAY = datetime(2026, 12, 2, tzinfo=UTC)


def read(name: str, tmp: Path, zone: str = "UTC") -> list[CalendarEvent]:
    source = IcsCalendarSource(name, str(QUIRKS / name), zone=ZoneInfo(zone), cache_dir=tmp)
    result = source.load(DAY - timedelta(days=1), DAY + timedelta(days=2))
    assert result.error is None, result.error
    return list(result.events)


def spans(events: list[CalendarEvent]) -> list[tuple[str, str, str]]:
    return [
        (ev.title, ev.start.astimezone(UTC).strftime("%H:%M"), ev.end.astimezone(UTC).strftime("%H:%M"))
        for ev in events
    ]


def test_a_utf8_byte_order_mark_is_not_part_of_the_calendar(tmp_path: Path) -> None:
    assert (QUIRKS / "bom.ics").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert spans(read("bom.ics", tmp_path)) == [("After a byte-order mark", "14:00", "15:00")]


def test_a_bare_vevent_without_vcalendar_is_an_event(tmp_path: Path) -> None:
    assert spans(read("bare_vevent.ics", tmp_path)) == [("Bare event", "09:00", "10:00")]


def test_every_vcalendar_of_a_file_counts_with_its_own_time_zones(tmp_path: Path) -> None:
    assert spans(read("two_vcalendars.ics", tmp_path)) == [
        ("From the first calendar", "09:00", "09:30"),
        ("From the second calendar", "12:00", "13:00"),  # 15:00 at +03:00, from the second one's VTIMEZONE
    ]


def test_tzids_with_stray_whitespace_find_their_vtimezone(tmp_path: Path) -> None:
    events = read("tzid_whitespace.ics", tmp_path, zone="America/New_York")
    assert spans(events) == [("Stray spaces around the TZID", "04:30", "05:30")]
    assert events[0].warnings == ()  # not "unknown time zone"


@pytest.mark.parametrize("name", ["bom.ics", "bare_vevent.ics", "two_vcalendars.ics", "tzid_whitespace.ics"])
def test_quirky_but_whole_calendars_are_worth_caching(name: str) -> None:
    assert validate_body((QUIRKS / name).read_bytes()) is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
        (b"\xef\xbb\xbf<html>", "web page"),
        (b'{"error": "rate limited"}', "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261202T100000Z\r\n", "cut off"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "cut off"),
    ],
)
def test_a_body_that_is_not_a_whole_calendar_is_refused_with_the_reason(body: bytes, says: str) -> None:
    problem = validate_body(body, "Work")
    assert problem is not None
    assert says in problem.message and "Work" in problem.title
    assert "last good copy is kept" in problem.message


def test_an_empty_but_whole_calendar_is_valid() -> None:
    assert validate_body(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n") is None
