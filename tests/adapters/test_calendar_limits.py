"""Bounded cost and isolation: a hostile or broken event costs only itself, and is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_ics import expand_text
from traystatus.adapters.calendar_limits import MAX_PER_SERIES
from traystatus.adapters.calendar_parse import ParseContext
from traystatus.adapters.calendar_prefilter import prefilter
from traystatus.adapters.calendar_text import drop_alarms, drop_bad_timezones

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
CTX = ParseContext(source="Work", zone=ZoneInfo("Europe/Berlin"))
GOOD = (
    "BEGIN:VEVENT\r\nUID:good@tests\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261202T150000Z\r\n"
    "DTEND:20261202T160000Z\r\nSUMMARY:Review\r\nEND:VEVENT\r\n"
)


def calendar(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    ).encode()


def event(lines: str, uid: str = "bad@tests", title: str = "Standup") -> str:
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:{title}\r\n{lines}END:VEVENT\r\n"


def read(data: bytes, days: int = 30) -> tuple[list[tuple[str, datetime]], list[str]]:
    events, warnings = expand_text(data, NOW, NOW + timedelta(days=days), CTX)
    return [(ev.title, ev.start) for ev in events], warnings


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (
            "FREQ=SECONDLY;COUNT=1000000000",
            "'Standup' repeats every second; only the first {MAX_PER_SERIES} occurrences are used",
        ),
        ("FREQ=SECONDLY", "'Standup' repeats every second; only the first {MAX_PER_SERIES}"),
        ("FREQ=MINUTELY;INTERVAL=2", "'Standup' repeats every 2 minutes; only the first {MAX_PER_SERIES}"),
        (
            "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;"
            "BYMINUTE=0,10,20,30,40,50;BYSECOND=0,15,30,45",
            "repeats 576 times in every day; only the first {MAX_PER_SERIES}",
        ),
    ],
)
def test_a_rule_too_dense_to_expand_keeps_its_first_occurrences_with_a_warning(rule: str, says: str) -> None:
    dense = event(f"DTSTART:20261202T115959Z\r\nDURATION:PT1S\r\nRRULE:{rule}\r\n")
    events, warnings = read(calendar(dense, GOOD))
    standups = [start for title, start in events if title == "Standup"]
    assert 0 < len(standups) <= MAX_PER_SERIES
    assert standups == sorted(standups) and standups[0] >= NOW - timedelta(seconds=1)
    assert ("Review", datetime(2026, 12, 2, 15, tzinfo=UTC)) in events
    says = says.replace("{MAX_PER_SERIES}", str(MAX_PER_SERIES))
    assert any(says in w for w in warnings), warnings


def test_a_dense_rule_that_started_long_ago_is_named_and_costs_nothing_now() -> None:
    events, warnings = read(
        calendar(event("DTSTART:20000101T000000Z\r\nDURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\n"), GOOD)
    )
    assert [title for title, _ in events] == ["Review"]  # its first seconds were in 2000
    assert any("'Standup' repeats every second" in w for w in warnings)


def test_a_rule_that_never_matches_a_date_is_ignored_and_named() -> None:
    never = event("DTSTART:20261202T120000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\r\n")
    events, warnings = read(calendar(never, GOOD))
    assert [title for title, _ in events] == ["Review"]
    assert any("'Standup' repeats by a rule that never matches" in w for w in warnings)


@pytest.mark.parametrize(
    "lines",
    [
        "DTSTART:20261202T130000Z\r\nDURATION:P99999999W\r\n",
        "DTSTART:20261202T130000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=99999999999999\r\n",
        "DTSTART:20261202T130000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=99999999999999999999999999\r\n",
        "DTSTART:20261202T130000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;UNTIL=99991231T235959Z\r\n",
        "",  # a VEVENT holding only a UID
        "DTSTART:20261202T130000Z\r\nDTEND;VALUE=DATE:20261203\r\nRRULE:FREQ=DAILY;UNTIL=20261210\r\n",
    ],
)
def test_one_broken_event_costs_only_itself(lines: str) -> None:
    data = calendar(
        GOOD, event(lines), event("DTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\n", "ok2", "Planning")
    )
    events, warnings = read(data)
    titles = [title for title, _ in events]
    assert "Review" in titles and "Planning" in titles
    assert set(titles) <= {"Review", "Planning", "Standup"}
    assert "Standup" in titles or any("'Standup'" in w for w in warnings), warnings  # skipped: named


def test_an_unreadable_event_is_named_in_the_warning() -> None:
    _, warnings = read(calendar(GOOD, event("", "only-a-uid@tests", "")))
    assert any("UID only-a-uid@tests" in w and "skipped" in w for w in warnings), warnings


@pytest.mark.parametrize("value", ["DURATION:P99999999W", "RRULE:FREQ=DAILY;COUNT=99999999999999999"])
def test_the_prefilter_keeps_what_overflows_its_arithmetic(value: str) -> None:
    text = calendar(event(f"DTSTART:19990101T000000Z\r\n{value}\r\n"), GOOD).decode()
    assert "UID:bad@tests" in prefilter(text, NOW, NOW + timedelta(days=1))


def test_alarm_and_time_zone_repairs_read_each_line_once() -> None:
    unclosed = "BEGIN:VALARM\r\n" * 20_000  # 280 KB: the old backtracking regex took 30 s
    text = calendar(event("DTSTART:20261202T130000Z\r\n" + unclosed)).decode()
    assert drop_alarms(text) == (text.replace(unclosed, ""), 1)  # left open: it ends with its event
    assert drop_alarms(unclosed) == (unclosed, 0)  # open to the end of the text: the parser says what is wrong
    events, _ = read(text.encode())
    assert [title for title, _ in events] == ["Standup"]
    assert drop_bad_timezones(text.replace("VALARM", "VTIMEZONE")) == (text.replace("VALARM", "VTIMEZONE"), 0)
    alarm = "BEGIN:VALARM\r\nTRIGGER:PT-2H\r\nACTION:DISPLAY\r\nEND:VALARM\r\n"
    assert drop_alarms(f"A\r\n{alarm}B\r\n{alarm}") == ("A\r\nB\r\n", 2)
    bad = "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+5328\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    good = bad.replace("+5328", "+0100").replace("TZID:X", "TZID:Y")
    assert drop_bad_timezones(bad + good) == (good, 1)


NEVER = "'Standup' repeats by a rule that never matches a real date; it is ignored"


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=DAILY;BYYEARDAY=1;BYMONTH=6", [NEVER]),
        ("FREQ=DAILY;BYYEARDAY=400", [NEVER]),
        ("FREQ=YEARLY;BYWEEKNO=60", [NEVER]),
        ("FREQ=DAILY;BYWEEKNO=1;BYMONTH=7", []),  # never in practice, but not by its numbers alone
        ("FREQ=DAILY;BYSETPOS=2", []),
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", []),
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", []),
    ],
)
def test_a_rule_that_stops_matching_costs_only_its_window(rule: str, says: list[str]) -> None:
    # dateutil walks these to the year 9999 (seconds each); the window walk ends past the window
    events, warnings = read(calendar(event(f"DTSTART:20251201T090000Z\r\nRRULE:{rule}\r\n"), GOOD))
    assert [title for title, _ in events] == ["Review"]
    assert warnings == says


def test_a_day_of_the_year_inside_its_month_is_kept() -> None:
    events, warnings = read(
        calendar(event("DTSTART:20251201T090000Z\r\nRRULE:FREQ=YEARLY;BYYEARDAY=-20;BYMONTH=12\r\n"))
    )
    assert events == [("Standup", datetime(2026, 12, 12, 9, tzinfo=UTC))]
    assert warnings == []


def test_a_rule_too_costly_to_walk_is_named_and_the_others_stay() -> None:
    # COUNT with uneven periods: walked from 1800, 82,000 days
    costly = event("DTSTART:18000101T090000Z\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=99999\r\n")
    events, warnings = read(calendar(costly, GOOD))
    assert ("Review", datetime(2026, 12, 2, 15, tzinfo=UTC)) in events
    assert any(w.startswith("'Standup' repeats by a rule too costly to expand") for w in warnings), warnings


def test_a_daily_count_from_1800_is_counted_not_walked() -> None:
    daily = event("DTSTART:18000101T090000Z\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY;COUNT=99999\r\n")  # to 2073
    events, warnings = read(calendar(daily))
    assert [start for _, start in events] == [
        datetime(2026, 12, 3, 9, tzinfo=UTC) + timedelta(days=i) for i in range(30)
    ]
    assert warnings == []


def test_a_daily_meeting_since_1990_is_read_in_full_from_a_walk_near_the_window() -> None:
    events, warnings = read(calendar(event("DTSTART:19900101T090000Z\r\nDURATION:PT15M\r\nRRULE:FREQ=DAILY\r\n")))
    assert [start for _, start in events] == [
        datetime(2026, 12, 3, 9, tzinfo=UTC) + timedelta(days=i) for i in range(30)
    ]
    assert warnings == []


def _zoned(standard_rule: str, onset: str = "19700101T030000") -> bytes:
    zone = (
        f"BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\nDTSTART:{onset}\r\nTZOFFSETFROM:+0200\r\n"
        f"TZOFFSETTO:+0100\r\nRRULE:{standard_rule}\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:{onset}\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    meeting = event("DTSTART;TZID=Evil:20261210T100000\r\nDURATION:PT30M\r\n", title="Planning")
    return calendar(zone + meeting, GOOD)


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=SECONDLY", "the time zone 'Evil' changes its offset every second; that rule was ignored"),
        ("FREQ=DAILY", "the time zone 'Evil' changes its offset every day; that rule was ignored"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "the time zone 'Evil' has a rule no real zone has"),
        ("FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,2,3", "more than 24 times a year"),
    ],
)
def test_a_time_zone_rule_no_real_zone_has_is_ignored_and_named(rule: str, says: str) -> None:
    events, warnings = read(_zoned(rule))
    assert ("Review", datetime(2026, 12, 2, 15, tzinfo=UTC)) in events
    assert [title for title, _ in events].count("Planning") == 1
    assert any(says in w for w in warnings), warnings


@pytest.mark.parametrize("onset", ["16010101T030000", "00010101T030000"])
def test_an_early_zone_onset_gives_the_offsets_icalendar_gives(onset: str) -> None:
    import icalendar

    data = _zoned("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", onset)
    events, warnings = read(data)
    plain = icalendar.Calendar.from_ical(data)
    meeting = next(c for c in plain.walk("VEVENT") if str(c["SUMMARY"]) == "Planning")
    assert ("Planning", meeting["DTSTART"].dt.astimezone(UTC)) in [(t, s.astimezone(UTC)) for t, s in events]
    assert events[-1][1].astimezone(UTC) == datetime(2026, 12, 10, 9, tzinfo=UTC)  # winter: +0100
    assert warnings == []


def test_a_capped_series_keeps_its_first_occurrences_by_time_moved_ones_included() -> None:
    # hourly from noon: 720 times in 30 days; the 150th (Sat 08 Dec 17:00) is moved to 12:30 on the first day.
    # recurring-ical-events yields it at its rule time's place, so a cap on what it yields first dropped it.
    hourly = event("DTSTART:20261202T120000Z\r\nDURATION:PT15M\r\nRRULE:FREQ=HOURLY\r\n", uid="hourly@tests")
    moved = event(
        "RECURRENCE-ID:20261208T170000Z\r\nDTSTART:20261202T123000Z\r\nDURATION:PT15M\r\n",
        uid="hourly@tests",
        title="Moved",
    )
    events, warnings = read(calendar(hourly, moved))
    starts = [start for _title, start in events]
    assert ("Moved", datetime(2026, 12, 2, 12, 30, tzinfo=UTC)) in events
    assert len(events) == MAX_PER_SERIES and starts == sorted(starts)
    assert starts[-1] == datetime(2026, 12, 2, 12, tzinfo=UTC) + timedelta(hours=MAX_PER_SERIES - 2)
    assert any(f"only the first {MAX_PER_SERIES} occurrences" in w for w in warnings), warnings
