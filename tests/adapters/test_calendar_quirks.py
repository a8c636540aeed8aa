"""Real-world quirk classes, each read the way its producer meant (test calendars in tests/data/quirks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_parse import validate_body
from traystatus.core.model import CalendarEvent
from traystatus.core.ports import CalendarResult

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "quirks"
DAY = datetime(2026, 12, 2, tzinfo=UTC)


def load(name: str, tmp: Path, zone: str = "UTC") -> CalendarResult:
    source = IcsCalendarSource(name, str(QUIRKS / name), zone=ZoneInfo(zone), cache_dir=tmp)
    result = source.load(DAY - timedelta(days=1), DAY + timedelta(days=2))
    assert result.error is None, result.error
    return result


def read(name: str, tmp: Path, zone: str = "UTC") -> list[CalendarEvent]:
    return list(load(name, tmp, zone).events)


def spans(events: list[CalendarEvent]) -> list[tuple[str, str, str]]:
    return [
        (ev.title, ev.start.astimezone(UTC).strftime("%H:%M"), ev.end.astimezone(UTC).strftime("%H:%M"))
        for ev in events
    ]


def test_a_utf8_byte_order_mark_is_not_part_of_the_calendar(tmp_path: Path) -> None:
    assert (QUIRKS / "bom.ics").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert spans(read("bom.ics", tmp_path)) == [("After a byte-order mark", "14:00", "15:00")]


def test_a_byte_order_mark_where_a_second_file_was_appended_is_dropped_too(tmp_path: Path) -> None:
    bom = (QUIRKS / "bom.ics").read_bytes()
    (tmp_path / "cat.ics").write_bytes((QUIRKS / "bare_vevent.ics").read_bytes().replace(b"\r\n", b"\n") + bom)
    source = IcsCalendarSource("cat", str(tmp_path / "cat.ics"), zone=ZoneInfo("UTC"), cache_dir=tmp_path)
    result = source.load(DAY - timedelta(days=1), DAY + timedelta(days=2))
    assert result.error is None, result.error
    expected = [("Bare event", "09:00", "10:00"), ("After a byte-order mark", "14:00", "15:00")]
    assert spans(list(result.events)) == expected


def test_a_bare_vevent_without_vcalendar_is_an_event(tmp_path: Path) -> None:
    assert spans(read("bare_vevent.ics", tmp_path)) == [("Bare event", "09:00", "10:00")]


def test_a_cr_alone_ends_a_line_as_the_producer_meant(tmp_path: Path) -> None:
    data = (QUIRKS / "cr_line_ends.ics").read_bytes()
    assert b"\n" not in data
    expected = [("Written with a CR at the end of each line and a folded title", "10:00", "11:00")]
    assert spans(read("cr_line_ends.ics", tmp_path)) == expected


def test_every_vcalendar_of_a_file_counts_with_its_own_time_zones(tmp_path: Path) -> None:
    assert spans(read("two_vcalendars.ics", tmp_path)) == [
        ("From the first calendar", "09:00", "09:30"),
        ("From the second calendar", "12:00", "13:00"),  # 15:00 at +03:00, from the second one's VTIMEZONE
    ]


def test_tzids_with_stray_whitespace_find_their_vtimezone(tmp_path: Path) -> None:
    events = read("tzid_whitespace.ics", tmp_path, zone="America/New_York")
    assert spans(events) == [
        ("Stray spaces around the TZID", "04:30", "05:30"),
        ("Spaces around an IANA name", "09:00", "10:00"),
        ("A space after a Windows name", "11:00", "12:00"),
    ]
    assert all(ev.warnings == () for ev in events)  # not "unknown time zone"


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


@pytest.mark.parametrize(("first", "rule"), [("20261101", ""), ("20261031", "RRULE:FREQ=DAILY;COUNT=3\r\n")])
def test_a_duration_in_hours_is_exact_across_the_fall_back_hour(first: str, rule: str, tmp_path: Path) -> None:
    """RFC 5545 §3.3.6: PT1H is one hour of real time; 01:30 EDT + 1 h is 01:30 EST, not 02:30."""
    path = tmp_path / "fallback.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\nUID:fall@tests\r\n"
        f"DTSTAMP:20261001T000000Z\r\nDTSTART;TZID=America/New_York:{first}T013000\r\n"
        f"DURATION:PT1H\r\n{rule}SUMMARY:Night shift\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    source = IcsCalendarSource("fallback", str(path), zone=ZoneInfo("America/New_York"), cache_dir=tmp_path)
    result = source.load(datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    assert result.error is None
    lengths = {ev.start.astimezone(UTC).date().isoformat(): ev.end - ev.start for ev in result.events}
    days = ["2026-10-31", "2026-11-01", "2026-11-02"] if rule else ["2026-11-01"]
    assert lengths == dict.fromkeys(days, timedelta(hours=1))
    fall_back = [ev for ev in result.events if ev.start.date().isoformat() == "2026-11-01"]
    ends = {ev.end.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M %Z") for ev in fall_back}
    assert ends == {"01:30 EST"}


def test_free_busy_periods_count_as_busy_and_tentative(tmp_path: Path) -> None:
    from traystatus.core.classify import ClassificationRules, classify
    from traystatus.core.model import EventKind

    events = read("freebusy.ics", tmp_path)
    assert spans(events) == [
        ("Busy", "09:00", "10:00"),
        ("Tentative", "11:00", "11:30"),
        ("Unavailable", "13:00", "14:00"),
        ("Busy", "08:00", "08:30"),  # the next day: an x-name type counts as BUSY (RFC 5545 §3.2.9)
        ("Unavailable", "13:00", "14:00"),
    ]
    kinds = [classify(ev, ClassificationRules()) for ev in events]
    assert [c.kind for c in kinds] == [EventKind.MEETING] * 5
    assert "tentative" in kinds[1].rule and "tentative" not in kinds[0].rule
    assert validate_body((QUIRKS / "freebusy.ics").read_bytes()) is None


_GOOD = "BEGIN:VEVENT\r\nUID:good\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261202T140000Z\r\nDTEND:20261202T150000Z\r\nSUMMARY:Good\r\nEND:VEVENT\r\n"  # noqa: E501


@pytest.mark.parametrize(
    "bad",
    [
        "DTSTART:2026XX\r\nDTEND:20261202T110000Z",
        "DTSTART;TZID=Europe/Berlin:2026XX\r\nDTEND:20261202T110000Z",  # a zone not defined in the file
        "DTSTART;TZID=Europe/Berlin:2026XX\r\nDURATION:PT1H",
        "DTSTART;VALUE=DATE:2026120\r\nDTEND:20261202T110000Z",
        "DTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nRRULE:FREQ=DAILY;UNTIL=2026XX",
        "DTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nRECURRENCE-ID:2026XX",
    ],
)
def test_an_unreadable_start_or_rule_costs_only_its_event(bad: str, tmp_path: Path) -> None:
    path = tmp_path / "one-bad.ics"
    path.write_text(
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n{_GOOD}BEGIN:VEVENT\r\nUID:bad\r\n"
        f"DTSTAMP:20261101T000000Z\r\n{bad}\r\nSUMMARY:Bad\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = IcsCalendarSource("one-bad", str(path), zone=ZoneInfo("UTC"), cache_dir=tmp_path).load(
        DAY, DAY + timedelta(1)
    )
    assert result.error is None, result.error
    assert [ev.title for ev in result.events] == ["Good"]
    assert any("'Bad'" in w and "skipped" in w for w in result.warnings), result.warnings


@pytest.mark.parametrize(
    ("duration", "ends"),
    [
        ("PT24H", "11:00 EST"),  # 24 hours of real time: the day had 25
        ("PT36H", "23:00 EST"),
        ("P1D", "12:00 EST"),  # a calendar day: the same wall time
        ("P1DT12H", "00:00 EST"),  # a calendar day, then 12 exact hours
    ],
)
@pytest.mark.parametrize("rule", ["", "RRULE:FREQ=WEEKLY;COUNT=2\r\n"])
def test_hours_past_a_day_stay_exact_and_days_stay_nominal(duration: str, ends: str, rule: str, tmp_path: Path) -> None:
    """icalendar reads PT24H as one day; RFC 5545 §3.3.6 does not (its own example: P1D is not PT24H)."""
    path = tmp_path / "long.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\nUID:long@tests\r\n"
        f"DTSTAMP:20261001T000000Z\r\nDTSTART;TZID=America/New_York:20261031T120000\r\n"
        f"DURATION:{duration}\r\n{rule}SUMMARY:Hackathon\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        newline="",
    )
    ny = ZoneInfo("America/New_York")
    source = IcsCalendarSource("long", str(path), zone=ny, cache_dir=tmp_path)
    result = source.load(datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    assert result.error is None and result.warnings == ()
    [event] = result.events
    assert event.end.astimezone(ny).strftime("%H:%M %Z") == ends


def test_unbalanced_parts_inside_events_cost_nothing_but_the_part(tmp_path: Path) -> None:
    events = read("unclosed_parts.ics", tmp_path)
    assert spans(events) == [
        ("Whole event", "08:00", "08:30"),
        ("A vendor part never closed", "10:00", "11:00"),
        ("An END that closes nothing", "12:00", "13:00"),
        ("An inner part ends with its outer one", "14:00", "15:00"),
    ]


def test_unbalanced_parts_are_mended_and_said(tmp_path: Path) -> None:
    result = load("unclosed_parts.ics", tmp_path)
    assert any("3 unbalanced BEGIN/END line(s) inside events mended" in w for w in result.warnings), result.warnings
