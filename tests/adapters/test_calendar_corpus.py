"""Real calendars (tests/data/ics, see MANIFEST.md): upstream expectations through our adapter, and no crash."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.core.model import CalendarEvent, Privacy
from traystatus.core.ports import CalendarResult

ICS = Path(__file__).resolve().parent.parent / "data" / "ics"
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def load(rel: str, start: datetime, end: datetime, tz: ZoneInfo, tmp: Path) -> CalendarResult:
    source = IcsCalendarSource(Path(rel).name, str(ICS / rel), zone=tz, cache_dir=tmp)
    result = source.load(start, end)
    assert result.error is None, result.error
    return result


def days(first: date, last_inclusive: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """icalevents windows: dates, the end date counted inclusively."""
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime(last_inclusive.year, last_inclusive.month, last_inclusive.day, tzinfo=tz) + timedelta(days=1)
    return start, end


def on_day(rel: str, day: date, tz: ZoneInfo, tmp: Path) -> list[CalendarEvent]:
    return list(load(rel, *days(day, day, tz), tz, tmp).events)


def local(ev: CalendarEvent, tz: ZoneInfo) -> tuple[str, str]:
    if ev.all_day:
        return ev.start.astimezone(tz).date().isoformat(), ev.end.astimezone(tz).date().isoformat()
    return ev.start.astimezone(tz).strftime("%m-%d %H:%M"), ev.end.astimezone(tz).strftime("%m-%d %H:%M")


# -- icalevents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "count"),
    [
        (date(2010, 1, 1), date(2023, 12, 31), 239),  # Outlook reading of all-day UNTIL (not 236)
        (date(2021, 2, 1), date(2021, 2, 28), 17),
        (date(2021, 3, 1), date(2021, 3, 31), 30),
        (date(2021, 6, 1), date(2021, 6, 30), 11),
        (date(2021, 7, 1), date(2021, 7, 31), 1),
    ],
)
def test_cest_counts(first: date, last: date, count: int, tmp_path: Path) -> None:
    assert len(load("icalevents/cest.ics", *days(first, last, UTC), UTC, tmp_path).events) == count


ZURICH = ZoneInfo("Europe/Zurich")
CEST_APRIL = (
    "04-01 14:00→04-01 14:30; 04-01 15:30→04-01 17:00; 2021-04-02→2021-04-03; 04-05 16:00→04-05 17:00; "
    "2021-04-07→2021-04-08; 04-08 11:00→04-08 12:00; 04-08 14:30→04-08 15:00; 04-08 15:00→04-08 15:30; "
    "2021-04-09→2021-04-10; 04-12 11:00→04-12 11:30; 04-12 16:00→04-12 17:00; 2021-04-14→2021-04-15; "
    "04-15 12:00→04-15 13:00; 04-15 15:00→04-15 15:30; 2021-04-16→2021-04-17; 04-19 16:00→04-19 17:00; "
    "2021-04-21→2021-04-22; 04-22 11:00→04-22 12:00; 04-22 14:45→04-22 15:15; 2021-04-23→2021-04-24; "
    "04-26 16:00→04-26 17:00; 2021-04-28→2021-04-29; 04-29 09:00→04-29 11:00; 04-29 11:00→04-29 11:30; "
    "04-29 14:15→04-29 15:00; 04-29 15:00→04-29 15:30; 2021-04-30→2021-05-01"
)
CEST_MAY = (
    "05-03 16:00; 2021-05-05; 05-06 11:00; 05-06 15:00; 2021-05-07; 05-10 16:00; 2021-05-12; 05-13 15:00; "
    "2021-05-14; 05-17 16:00; 2021-05-19; 05-20 11:00; 05-20 12:00; 05-20 15:00; 2021-05-21; 05-24 16:00; "
    "2021-05-26; 05-27 15:00; 2021-05-28; 05-31 16:00"
)


def test_cest_april_exact_in_zurich(tmp_path: Path) -> None:
    events = load("icalevents/cest.ics", *days(date(2021, 4, 1), date(2021, 5, 1), ZURICH), ZURICH, tmp_path).events
    got = [f"{a}→{b}" for a, b in (local(e, ZURICH) for e in events)]
    # icalevents' window ends on 05-01 inclusive, but nothing starts on 05-01 itself
    assert "; ".join(got) == CEST_APRIL
    assert all(e.busy_status in ("BUSY", "OOF", "FREE", "TENTATIVE") for e in events)
    assert {e.busy_status for e in events if e.all_day} == {"OOF"}


def test_cest_may_exact_in_zurich(tmp_path: Path) -> None:
    start, _ = days(date(2021, 5, 1), date(2021, 5, 1), ZURICH)
    end = datetime(2021, 6, 1, tzinfo=ZURICH)
    events = load("icalevents/cest.ics", start, end, ZURICH, tmp_path).events
    got = [local(e, ZURICH)[0] for e in events if not (e.all_day and e.end <= start)]
    assert "; ".join(got) == CEST_MAY


def test_recurrenceid_ms(tmp_path: Path) -> None:
    rel = "icalevents/recurrenceid_ms.ics"
    events = load(rel, *days(date(2021, 1, 1), date(2021, 12, 31), UTC), UTC, tmp_path).events
    assert len(events) == 42  # "one was moved"; Outlook's UNTIL counts 2021-07-02
    assert max(e.start for e in events).date() == date(2021, 7, 2)
    window = load(rel, *days(date(2021, 4, 8), date(2021, 4, 10), BERLIN), BERLIN, tmp_path).events
    assert [e.start.date() for e in window] == [date(2021, 4, 10)]
    assert window[0].recurrence_id is not None and window[0].busy_status == "OOF" and window[0].all_day


def test_multi_exdate_same_line(tmp_path: Path) -> None:
    ny = ZoneInfo("America/New_York")
    events = load(
        "icalevents/multi_exdate_same_line_ms.ics", *days(date(2022, 3, 1), date(2022, 5, 1), ny), ny, tmp_path
    ).events
    assert [local(e, ny)[0] for e in events] == [
        "03-11 11:00",
        "03-25 11:00",
        "04-15 11:00",
        "04-22 11:00",
        "04-29 11:00",
    ]


def test_transparent(tmp_path: Path) -> None:
    events = load("icalevents/transparent.ics", *days(date(2021, 1, 1), date(2021, 12, 31), UTC), UTC, tmp_path).events
    assert len(events) == 2
    assert events[0].transparent and events[0].all_day
    assert not events[1].transparent


def test_small_time_frame(tmp_path: Path) -> None:
    la = ZoneInfo("America/Los_Angeles")
    events = load(
        "icalevents/small_time_frame.ics",
        datetime(2023, 5, 9, tzinfo=la),
        datetime(2023, 5, 9, 23, tzinfo=la),
        la,
        tmp_path,
    ).events
    assert [local(e, la) for e in events] == [("05-09 09:00", "05-09 10:00")]


def test_cest_with_deleted(tmp_path: Path) -> None:
    events = load(
        "icalevents/cest_with_deleted.ics", *days(date(2020, 1, 1), date(2024, 12, 31), UTC), UTC, tmp_path
    ).events
    assert len(events) == 3


def test_ms_tz_windows_name_is_berlin(tmp_path: Path) -> None:
    events = load("icalevents/ms_tz.ics", *days(date(2021, 1, 1), date(2021, 12, 31), BERLIN), BERLIN, tmp_path).events
    assert events[0].start.astimezone(BERLIN).hour == 0


def test_recurrenceid_google_orphans(tmp_path: Path) -> None:
    events = load(
        "icalevents/recurrenceid_google.ics", *days(date(2021, 1, 1), date(2021, 12, 31), UTC), UTC, tmp_path
    ).events
    assert len(events) == 4


def test_google_2024_dst(tmp_path: Path) -> None:
    events = load("icalevents/google_2024.ics", *days(date(2024, 1, 1), date(2024, 12, 31), UTC), UTC, tmp_path).events
    timed = [e for e in events if not e.all_day]
    first = timed[0]
    assert first.start.astimezone(UTC).hour == 6 and first.end.astimezone(UTC).hour == 7
    assert first.start.astimezone(ZURICH).tzname() == "CET"
    by_day = {e.start.astimezone(UTC).date(): e.start.astimezone(UTC).hour for e in timed}
    assert by_day[date(2024, 3, 30)] == 6 and by_day[date(2024, 3, 31)] == 5 and by_day[date(2024, 4, 1)] == 5


def test_rrule_until_only_date(tmp_path: Path) -> None:
    boise = ZoneInfo("America/Boise")
    events = load(
        "icalevents/rrule_until_only_date.ics", *days(date(2021, 9, 29), date(2021, 10, 19), boise), boise, tmp_path
    ).events
    assert len(events) == 8
    assert local(events[0], boise)[0] == "09-29 13:00" and local(events[-1], boise)[0] == "10-18 13:00"


def test_floating(tmp_path: Path) -> None:
    cest = ZoneInfo("Europe/Brussels")
    events = load("icalevents/floating.ics", *days(date(2021, 1, 1), date(2021, 12, 31), cest), cest, tmp_path).events
    assert len(events) == 2
    e1, e2 = events
    assert not e1.transparent and e1.start.astimezone(UTC).hour == 6 and e1.end.astimezone(UTC).hour == 14
    assert e1.start.astimezone(cest).tzname() == "CEST"
    assert e2.transparent and e2.all_day
    assert local(e2, cest) == ("2021-10-13", "2021-10-14")


# -- allenporter/ical ------------------------------------------------------------------------


def test_office_365_extended_timezone(tmp_path: Path) -> None:
    events = load(
        "ical/office_365_extended_timezone.ics", *days(date(2024, 4, 26), date(2024, 4, 26), BERLIN), BERLIN, tmp_path
    ).events
    assert [local(e, BERLIN) for e in events] == [("04-26 14:00", "04-26 15:00")]
    assert events[0].start.utcoffset() == timedelta(hours=2)


def test_calendar_labs_same_day_dtend(tmp_path: Path) -> None:
    events = load(
        "ical/calendar_labs_same_day_dtend.ics", *days(date(2025, 12, 1), date(2025, 12, 31), UTC), UTC, tmp_path
    ).events
    assert [local(e, UTC) for e in events] == [("2025-12-08", "2025-12-09")]


def test_apple_ical_first_five(tmp_path: Path) -> None:
    la = ZoneInfo("America/Los_Angeles")
    events = load("ical/apple_ical.ics", *days(date(2022, 9, 1), date(2022, 9, 30), la), la, tmp_path).events
    got = [(local(e, la), e.title) for e in events[:5]]
    assert got[0] == (("09-12 09:00", "09-12 10:00"), "New Event")
    assert [g[0] for g in got[1:]] == [(f"09-{d} 09:00", f"09-{d} 10:00") for d in (13, 14, 15, 16)]
    assert {g[1] for g in got[1:]} == {"Daily"}


def test_recurring_with_single_change(tmp_path: Path) -> None:
    ny = ZoneInfo("America/New_York")
    events = load(
        "ical/recurring_with_single_change.ics", *days(date(2026, 2, 1), date(2026, 2, 28), ny), ny, tmp_path
    ).events
    assert [(local(e, ny)[0], e.title) for e in events[:3]] == [
        ("02-01 10:00", "Initial Title"),
        ("02-02 10:00", "Edited Title"),
        ("02-03 10:00", "Initial Title"),
    ]
    assert events[1].recurrence_id == datetime(2026, 2, 2, 10, tzinfo=ny)


# -- python-recurring-ical-events --------------------------------------------------------------

RIE = "python-recurring-ical-events/"


def test_issue_27(tmp_path: Path) -> None:
    assert (
        len(
            load(
                RIE + "issue_27_t1.ics",
                datetime(2020, 4, 25, tzinfo=BERLIN),
                datetime(2020, 4, 30, tzinfo=BERLIN),
                BERLIN,
                tmp_path,
            ).events
        )
        == 2
    )


def test_issue_28(tmp_path: Path) -> None:
    london = ZoneInfo("Europe/London")
    rel = RIE + "issue_28_rrule_with_UTC_endinginZ.ics"
    assert (
        len(
            load(
                rel, datetime(2020, 5, 25, tzinfo=london), datetime(2020, 9, 5, tzinfo=london), london, tmp_path
            ).events
        )
        == 15
    )
    assert (
        len(
            load(rel, datetime(2020, 9, 3, tzinfo=london), datetime(2020, 9, 5, tzinfo=london), london, tmp_path).events
        )
        == 1
    )


def test_germany_all_day(tmp_path: Path) -> None:
    events = on_day(RIE + "Germany.ics", date(2014, 5, 11), BERLIN, tmp_path)
    assert [e.title for e in events] == ["Germany: Mother's Day [Not a public holiday]"]
    assert events[0].all_day
    for zone in ("Europe/Berlin", "Asia/Ho_Chi_Minh", "America/Panama"):
        tz = ZoneInfo(zone)
        new_year = load(
            RIE + "Germany.ics", datetime(2019, 1, 1, tzinfo=tz), datetime(2019, 1, 1, 1, tzinfo=tz), tz, tmp_path
        ).events
        assert len(new_year) == 1 and new_year[0].start == datetime(2019, 1, 1, tzinfo=tz)


def test_daylight_saving_time(tmp_path: Path) -> None:
    for day, offset in ((date(2019, 3, 20), 1), (date(2019, 4, 24), 2)):
        ev = on_day(RIE + "daylight_saving_time.ics", day, BERLIN, tmp_path)[0]
        assert ev.start.astimezone(BERLIN).hour == 19 and ev.start.utcoffset() == timedelta(hours=offset)
        assert ev.uid == "7uartkcnhf0elbvs8md0itrf6c@google.com"


def test_issue_62_moved_event(tmp_path: Path) -> None:
    rel = RIE + "issue_62_moved_event.ics"
    assert on_day(rel, date(2021, 12, 31), BERLIN, tmp_path) == []
    assert len(on_day(rel, date(2021, 12, 17), BERLIN, tmp_path)) == 1
    assert (
        len(
            load(
                rel, datetime(2021, 12, 1, tzinfo=BERLIN), datetime(2022, 1, 1, tzinfo=BERLIN), BERLIN, tmp_path
            ).events
        )
        == 1
    )


def test_issue_151(tmp_path: Path) -> None:
    la = ZoneInfo("America/Los_Angeles")
    rel = RIE + "issue_151_macos_linux_difference.ics"
    assert (
        len(load(rel, datetime(2024, 8, 2, 2, tzinfo=UTC), datetime(2024, 8, 2, 3, tzinfo=UTC), la, tmp_path).events)
        == 1
    )
    assert len(on_day(rel, date(2024, 8, 1), la, tmp_path)) == 1


def test_recurring_events_moved(tmp_path: Path) -> None:
    rel = RIE + "recurring_events_moved.ics"
    for day, hour in ((7, 2), (8, 1), (9, 3), (10, 2)):
        events = on_day(rel, date(2019, 3, day), BERLIN, tmp_path)
        assert [e.start.astimezone(BERLIN).hour for e in events] == [hour]
    moved = on_day(rel, date(2019, 3, 9), BERLIN, tmp_path)[0]
    assert moved.recurrence_id == datetime(2019, 3, 9, 2, tzinfo=BERLIN) and moved.title == "New Event"


def test_issue_223_thunderbird(tmp_path: Path) -> None:
    london = ZoneInfo("Europe/London")
    for d in (23, 24, 25):
        assert len(on_day(RIE + "issue_223_thunderbird.ics", date(2025, 4, d), london, tmp_path)) == 1


def test_duplicated_rrule(tmp_path: Path) -> None:
    london = ZoneInfo("Europe/London")
    assert (
        len(
            load(
                RIE + "duplicated_rrule.ics",
                datetime(2023, 1, 1, tzinfo=london),
                datetime(2024, 1, 1, tzinfo=london),
                london,
                tmp_path,
            ).events
        )
        == 20
    )


def test_issue_20_exdate_ignored(tmp_path: Path) -> None:
    rel = RIE + "issue_20_exdate_ignored.ics"
    for m, d in ((10, 15), (10, 22), (11, 5), (11, 19), (11, 26), (12, 3), (12, 17), (12, 24), (12, 31)):
        assert on_day(rel, date(2019, m, d), BERLIN, tmp_path) == []
    for y, m, d in (
        (2019, 10, 29),
        (2019, 11, 12),
        (2019, 12, 10),
        (2020, 1, 7),
        (2020, 1, 14),
        (2020, 1, 21),
        (2020, 1, 28),
    ):
        assert len(on_day(rel, date(y, m, d), BERLIN, tmp_path)) == 1
    assert (
        len(load(rel, datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC), BERLIN, tmp_path).events) == 7
    )


def test_recurrence_sequence_number(tmp_path: Path) -> None:
    events = on_day(RIE + "recurrence_sequence_number.ics", date(2020, 9, 22), BERLIN, tmp_path)
    assert [e.title for e in events] == ["Modified event"]


# -- collective/icalendar ----------------------------------------------------------------------


def test_timezone_same_start(tmp_path: Path) -> None:
    la = ZoneInfo("America/Los_Angeles")
    events = on_day("icalendar/timezone_same_start.ics", date(2017, 2, 24), la, tmp_path)
    assert events[0].start.astimezone(la).strftime("%a %b %d %H:%M:%S %Y") == "Fri Feb 24 12:00:00 2017"


def test_non_ascii_windows_tzid(tmp_path: Path) -> None:
    sp = ZoneInfo("America/Sao_Paulo")
    events = on_day(
        "icalendar/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics", date(2017, 5, 11), sp, tmp_path
    )
    assert events[0].start == datetime(2017, 5, 11, 13, 30, tzinfo=sp)
    assert events[0].start.utcoffset() == timedelta(hours=-3)


def test_rdate_period_tzid(tmp_path: Path) -> None:
    chicago = ZoneInfo("America/Chicago")
    events = load(
        "icalendar/issue_156_RDATE_with_PERIOD_TZID_khal.ics",
        datetime(2018, 3, 1, tzinfo=chicago),
        datetime(2018, 8, 31, tzinfo=chicago),
        chicago,
        tmp_path,
    ).events
    expected = [date(2018, 3, 27) + timedelta(weeks=i) for i in range(19)]
    assert [e.start.astimezone(chicago).date() for e in events] == expected
    assert {local(e, chicago)[0][6:] + "-" + local(e, chicago)[1][6:] for e in events} == {"08:00-09:00"}


def test_parsing_error_keeps_both_events(tmp_path: Path) -> None:
    result = load(
        "icalendar/parsing_error.ics",
        datetime(2008, 1, 1, tzinfo=UTC),
        datetime(2009, 1, 1, tzinfo=UTC),
        BERLIN,
        tmp_path,
    )
    # both daily series 03-03..03-23 minus EXDATE 03-11 survive; the empty EXDATE is reported, not fatal
    assert len(result.events) == 40
    assert sorted({e.start.date() for e in result.events})[-1] == date(2008, 3, 23)
    assert any("EXDATE" in w for w in result.warnings)


def test_issue_165_rrule_with_spaces_is_read(tmp_path: Path) -> None:
    events = load(
        "icalendar/issue_165_missing_event.ics",
        datetime(2015, 7, 1, tzinfo=BERLIN),
        datetime(2015, 8, 1, tzinfo=BERLIN),
        BERLIN,
        tmp_path,
    ).events
    assert len(events) == 14  # weekdays 07-03 .. 07-22, the stand-up the sender meant
    assert {local(e, BERLIN)[0][6:] for e in events} == {"10:00"}
    assert {e.start.weekday() for e in events} <= {0, 1, 2, 3, 4}


# -- khal ---------------------------------------------------------------------------------------


def test_khal_windows_timezone(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    result = load(
        "khal/tz_windows_format.ics",
        datetime(2019, 11, 19, tzinfo=UTC),
        datetime(2019, 11, 22, tzinfo=UTC),
        BERLIN,
        tmp_path,
    )
    assert [e.title for e in result.events] == ["Event with Windows TZ name"]
    assert result.events[0].start.tzinfo is not None
    assert "Cannot find timezone" not in caplog.text and result.warnings == ()


def test_khal_mixed_awareness(tmp_path: Path) -> None:
    events = load(
        "khal/event_dt_mixed_awareness.ics",
        datetime(2015, 5, 29, tzinfo=BERLIN),
        datetime(2015, 6, 3, tzinfo=BERLIN),
        BERLIN,
        tmp_path,
    ).events
    assert [local(e, BERLIN) for e in events] == [("05-30 12:00", "05-30 16:00"), ("06-02 12:00", "06-02 16:00")]


def test_khal_invalid_exdate(tmp_path: Path) -> None:
    ny = ZoneInfo("America/New_York")
    events = load(
        "khal/event_invalid_exdate.ics", datetime(2011, 1, 1, tzinfo=ny), datetime(2012, 1, 1, tzinfo=ny), ny, tmp_path
    ).events
    assert [local(e, ny) for e in events] == [
        ("11-12 15:50", "11-12 17:00"),
        ("11-19 15:50", "11-19 17:00"),
        ("12-03 15:50", "12-03 17:00"),
    ]


def test_khal_cancelled_override(tmp_path: Path) -> None:
    events = on_day("khal/event_rrule_recuid_cancelled.ics", date(2014, 7, 14), BERLIN, tmp_path)
    assert [(local(e, BERLIN), e.status, e.title) for e in events] == [
        (("07-14 07:00", "07-14 12:00"), "CANCELLED", "Arbeit")
    ]


def test_khal_non_dst_error_skips_the_alarm_keeps_both_trips(tmp_path: Path) -> None:
    brussels = ZoneInfo("Europe/Brussels")
    result = load(
        "khal/non_dst_error.ics",
        datetime(2023, 2, 1, tzinfo=brussels),
        datetime(2023, 2, 8, tzinfo=brussels),
        brussels,
        tmp_path,
    )
    assert [local(e, brussels) for e in result.events] == [
        ("02-03 15:15", "02-03 18:06"),
        ("02-06 09:50", "02-06 12:50"),
    ]
    assert result.warnings == ("the file has errors; read anyway (alarms ignored)",)


def test_khal_invalid_tzoffset_uses_the_zone_rules(tmp_path: Path) -> None:
    result = load("khal/invalid_tzoffset.ics", *days(date(2012, 12, 2), date(2012, 12, 2), BERLIN), BERLIN, tmp_path)
    assert [(e.title, local(e, BERLIN)) for e in result.events] == [("Some event", ("12-02 08:00", "12-02 09:30"))]
    assert "broken time zone definition" in result.warnings[0]


def test_ical4j_blank_tzid_is_read_in_the_user_zone(tmp_path: Path) -> None:
    ny = ZoneInfo("America/New_York")
    result = load("ical4j/blankTzid.ics", *days(date(2015, 8, 26), date(2015, 8, 26), ny), ny, tmp_path)
    assert [local(e, ny) for e in result.events] == [("08-26 09:00", "08-26 10:00")]
    assert "empty TZID" in result.warnings[0]


def test_icalendar_issue_348_value_less_property_parses(tmp_path: Path) -> None:
    source = IcsCalendarSource(
        "x", str(ICS / "icalendar/issue_348_exception_parsing_value.ics"), zone=BERLIN, cache_dir=tmp_path
    )
    result = source.load(datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    assert result.error is None and result.warnings == ()


# -- ics-parser, ical.js -------------------------------------------------------------------------


def test_ics_parser_issue_196(tmp_path: Path) -> None:
    events = load(
        "ics-parser/issue-196.ics", datetime(2019, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC), UTC, tmp_path
    ).events
    assert len(events) == 7
    assert [local(e, BERLIN)[0] for e in events[:6]] == [
        "11-05 19:00",
        "11-06 19:00",
        "11-07 19:00",
        "11-08 19:00",
        "11-09 17:00",
        "11-10 18:00",
    ]


def test_ics_parser_issue_340(tmp_path: Path) -> None:
    events = load(
        "ics-parser/issue-340.ics", datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 2, 1, tzinfo=UTC), UTC, tmp_path
    ).events
    assert [local(e, BERLIN)[0] for e in events] == ["01-12 18:00"]


def test_icaljs_duration(tmp_path: Path) -> None:
    la = ZoneInfo("America/Los_Angeles")
    events = on_day("ical.js/duration_instead_of_dtend.ics", date(2012, 6, 30), la, tmp_path)
    assert [(e.start, e.end) for e in events] == [
        (datetime(2012, 6, 30, 6, tzinfo=la), datetime(2012, 7, 1, 6, tzinfo=la))
    ]


# -- every file: events or a clear per-source error, never a crash --------------------------------

ALL = sorted(str(p.relative_to(ICS)) for p in ICS.rglob("*.ics"))


@pytest.mark.parametrize("rel", ALL)
def test_every_file_yields_events_or_a_clear_error(rel: str, tmp_path: Path) -> None:
    source = IcsCalendarSource(Path(rel).stem, str(ICS / rel), zone=BERLIN, cache_dir=tmp_path)
    result = source.load(datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    assert result.source == Path(rel).stem
    if result.error is not None:
        assert result.events == ()
        assert Path(rel).stem in result.error.title and result.error.message
        assert "Traceback" not in result.error.message
    else:
        assert result.events, "a calendar that parses must yield its events"
        for ev in result.events:
            assert ev.start.tzinfo is not None and ev.end.tzinfo is not None and ev.end >= ev.start
            assert ev.source == Path(rel).stem
            if ev.privacy is Privacy.PRIVATE:
                assert ev.display_title == "Private event"


def test_files_icalendar_cannot_parse_give_clear_errors(tmp_path: Path) -> None:
    for rel in ("ical4j/boeing.ics",):
        result = IcsCalendarSource("work", str(ICS / rel), zone=BERLIN, cache_dir=tmp_path).load(
            datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)
        )
        assert result.error is not None and "'work'" in result.error.title
        assert "Export it again" in result.error.message
