"""Working hours on a real CalDAV server with scheduling (Cyrus, tests/fixtures/cyrus.py), where
``calendar-availability`` is a live property of the scheduling inbox that the server itself uses for free-busy.

Checked from the other side: another client's raw PROPPATCH/PROPFIND, and Cyrus's own free-busy answer
(RFC 6638 scheduling, RFC 7953 §7), which must agree with traystatus's reading of the same hours.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import icalendar
import pytest
import requests

from tests.adapters.test_caldav_availability import HOURS
from tests.adapters.test_calendar_caldav import MemorySecrets
from tests.app.test_calendar_hours_service import settings_for
from tests.fixtures.cyrus import CyrusServer
from traystatus.adapters.caldav_availability import CaldavAvailability
from traystatus.adapters.caldav_client import ENV_PASSWORD
from traystatus.adapters.calendar_availability import read_availability
from traystatus.adapters.calendar_caldav import CaldavCalendarSource, secret_key
from traystatus.app.calendar_hours_service import CalendarHoursService
from traystatus.core.availability import Interval, combine, subtract
from traystatus.core.availability_ics import weekly_availability_ics
from traystatus.core.errors import CalendarError
from traystatus.core.hours import parse_hours

CAL, CS = "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
NAMESPACES = pytest.mark.parametrize("ns", [CAL, CS], ids=["caldav", "apple"])
STAMP = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)
XML = {"Content-Type": "application/xml; charset=utf-8"}


def proppatch(server: CyrusServer, url: str, inner: str, ns: str = CAL) -> requests.Response:
    """What Nextcloud's, Apple's or any other client's settings send."""
    body = f'<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:x="{ns}">{inner}</d:propertyupdate>'
    return requests.request("PROPPATCH", url, data=body.encode(), headers=XML, auth=server.auth, timeout=10)


def other_client_sets(server: CyrusServer, ics: str, ns: str = CAL) -> None:
    r = proppatch(
        server,
        server.inbox,
        f"<d:set><d:prop><x:calendar-availability>{escape(ics)}</x:calendar-availability></d:prop></d:set>",
        ns,
    )
    assert r.status_code == 207 and "200 OK" in r.text, r.text


def other_client_reads(server: CyrusServer, url: str, ns: str = CAL) -> str | None:
    """The property as another client reads it (None: the server has none)."""
    body = (
        f'<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:x="{ns}">'
        "<d:prop><x:calendar-availability/></d:prop></d:propfind>"
    )
    r = requests.request(
        "PROPFIND", url, data=body.encode(), headers={"Depth": "0", **XML}, auth=server.auth, timeout=10
    )
    assert r.status_code == 207, r.text
    for propstat in ET.fromstring(r.content).iter("{DAV:}propstat"):
        el = propstat.find(f".//{{{ns}}}calendar-availability")
        if el is not None and " 200 " in (propstat.findtext("{DAV:}status") or ""):
            return el.text or ""
    return None


def requester(server: CyrusServer, calls: list[str] | None = None):  # type: ignore[no-untyped-def]
    def request(method: str, url: str, body: str, depth: str) -> requests.Response:
        if calls is not None:
            calls.append(f"{method} {url.removeprefix(server.base)}")
        return requests.request(
            method, url, data=body.encode(), headers={"Depth": depth, **XML}, auth=server.auth, timeout=10
        )

    return request


BERLIN = ZoneInfo("Europe/Berlin")


def source(server: CyrusServer, zone: ZoneInfo = BERLIN) -> CaldavCalendarSource:
    secrets = MemorySecrets({secret_key("Work"): server.password})
    return CaldavCalendarSource("Work", server.calendar, username=server.user, secrets=secrets, zone=zone)


@pytest.fixture
def cyrus(cyrus_server: CyrusServer) -> Iterator[CyrusServer]:
    """The shared server with no availability set (each namespace is its own property on Cyrus)."""

    def clear() -> None:
        for ns in (CAL, CS):
            r = proppatch(
                cyrus_server, cyrus_server.inbox, "<d:remove><d:prop><x:calendar-availability/></d:prop></d:remove>", ns
            )
            assert r.status_code == 207, r.text

    clear()
    yield cyrus_server
    clear()


def test_cyrus_keeps_the_property_on_the_scheduling_inbox_and_refuses_it_on_a_calendar(cyrus: CyrusServer) -> None:
    """The premise that makes Cyrus the real test (Radicale stores the property anywhere as a dead one)."""
    r = proppatch(
        cyrus,
        cyrus.calendar,
        f"<d:set><d:prop><x:calendar-availability>{escape(HOURS)}</x:calendar-availability></d:prop></d:set>",
    )
    assert r.status_code == 207 and "403 Forbidden" in r.text
    assert other_client_reads(cyrus, cyrus.calendar) is None


@NAMESPACES
def test_hours_another_client_set_on_the_inbox_are_read(cyrus: CyrusServer, ns: str) -> None:
    calls: list[str] = []
    dav = CaldavAvailability(cyrus.calendar, requester(cyrus, calls))
    empty = dav.read()
    assert empty.text == "" and empty.problem == "" and empty.where == "scheduling inbox"
    other_client_sets(cyrus, HOURS, ns)
    found = dav.read()
    assert (found.where, found.url, found.problem) == ("scheduling inbox", cyrus.inbox, "")
    day = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))  # a Monday, CET (+01:00)
    components, warnings = read_availability(
        icalendar.Calendar.from_ical(found.text),
        source="Cyrus availability",
        start=day[0],
        end=day[1],
        zone=ZoneInfo("UTC"),
    )
    hours = combine(components, *day)
    assert warnings == [] and hours is not None
    assert hours.free == ((datetime(2026, 12, 7, 7, 30, tzinfo=UTC), datetime(2026, 12, 7, 15, 30, tzinfo=UTC)),)
    assert cyrus.unavailable(*day) == subtract([day], hours.free)  # the server reads them the same way
    # discovery (collection, principal, inbox) happened once; a refresh is two small Depth-0 PROPFINDs
    assert calls[:3] == [
        f"PROPFIND {p}"
        for p in (
            "/dav/calendars/user/alice/Default/",
            "/dav/principals/user/alice/",
            "/dav/calendars/user/alice/Inbox/",
        )
    ]
    before = len(calls)
    dav.read()
    assert calls[before:] == [
        "PROPFIND /dav/calendars/user/alice/Default/",
        "PROPFIND /dav/calendars/user/alice/Inbox/",
    ]


def save(cyrus: CyrusServer, spec: str, tz: ZoneInfo, today: date) -> str:
    """traystatus saves ``spec`` on ``today`` as the settings window does; another client reads exactly that."""
    ics = weekly_availability_ics(parse_hours(spec), tz, today=today, stamp=STAMP)
    saved = source(cyrus, tz).write_hours(ics)
    assert (saved.where, saved.url, saved.problem) == ("scheduling inbox", cyrus.inbox, "")
    seen = other_client_reads(cyrus, cyrus.inbox)
    assert seen is not None and re.sub(r"\r?\n", "\n", seen).strip() == re.sub(r"\r?\n", "\n", ics).strip()
    return ics


def week_of(monday: date, tz: ZoneInfo) -> Interval:
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    return (start, start + timedelta(days=7))


@pytest.mark.parametrize(
    ("zone", "monday", "spec", "blocks"),
    [
        ("Europe/Berlin", date(2026, 12, 7), "mon-fri 09:00-17:00", 5),  # CET
        ("Europe/Berlin", date(2027, 6, 7), "mon-fri 09:00-17:00", 5),  # CEST: an hour earlier in UTC
        ("Europe/Berlin", date(2027, 3, 22), "mon-sun 09:00-17:00", 7),  # clocks go forward on Sunday 28 March
        ("America/New_York", date(2026, 10, 26), "mon-sun 08:30-16:30", 7),  # falls back on Sunday 1 November
        ("Asia/Kolkata", date(2026, 12, 7), "mon-fri 09:30-18:00", 5),  # +05:30
        ("Pacific/Kiritimati", date(2026, 12, 7), "mon-fri 09:00-17:00", 5),  # +14: the date line
        ("Europe/Berlin", date(2026, 12, 7), "mon-fri 22:00-06:00", 5),  # a night shift past midnight
    ],
)
def test_hours_traystatus_saves_are_what_cyrus_free_busy_tells_an_organiser(
    cyrus: CyrusServer, zone: str, monday: date, spec: str, blocks: int
) -> None:
    """Cyrus (libical) and traystatus read the saved hours independently and must agree to the minute,
    across DST changes, half-hour zones and the date line (the IANA TZID without a VTIMEZONE resolves)."""
    tz = ZoneInfo(zone)
    save(cyrus, spec, tz, today=monday)
    week = week_of(monday, tz)
    result = source(cyrus, tz).load(*week)  # another traystatus (or a restart) reads them from the server
    assert result.error is None and [c.name for c in result.availability] == ["Working hours"]
    hours = combine(result.availability, *week)
    assert hours is not None and hours.warnings == () and len(hours.free) == blocks
    assert cyrus.unavailable(*week) == subtract([week], hours.free)


def test_hours_with_several_blocks_a_day_reach_other_clients_whole(cyrus: CyrusServer) -> None:
    """Every block is stored and read back. (Cyrus 3.6's own free-busy applies only the first AVAILABLE of
    a VAVAILABILITY, so it is compared above on one-block weeks: docs/platform-notes.md, "Calendars".)"""
    tz = ZoneInfo("Europe/Berlin")
    save(cyrus, "mon-thu 09:00-12:30,13:30-17:30; fri 08:00-14:00; sat 22:00-24:00", tz, today=date(2026, 12, 2))
    week = week_of(date(2026, 12, 7), tz)
    hours = combine(source(cyrus, tz).load(*week).availability, *week)
    assert hours is not None and hours.warnings == ()
    assert [(a.astimezone(tz).strftime("%a %H:%M"), b.astimezone(tz).strftime("%a %H:%M")) for a, b in hours.free] == [
        *[
            (f"{d} {a}", f"{d} {b}")
            for d in ("Mon", "Tue", "Wed", "Thu")
            for a, b in (("09:00", "12:30"), ("13:30", "17:30"))
        ],
        ("Fri 08:00", "Fri 14:00"),
        ("Sat 22:00", "Sun 00:00"),
    ]


def test_a_caldav_source_on_cyrus_brings_its_events_and_the_inbox_hours(cyrus: CyrusServer) -> None:
    event = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:cyrus-review\r\n"
        "DTSTAMP:20260101T000000Z\r\nSUMMARY:Review\r\nDTSTART:20261208T130000Z\r\nDTEND:20261208T140000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    r = requests.put(
        f"{cyrus.calendar}cyrus-review.ics",
        data=event.encode(),
        headers={"Content-Type": "text/calendar; charset=utf-8"},
        auth=cyrus.auth,
        timeout=10,
    )
    assert r.status_code in (201, 204), r.text
    try:
        other_client_sets(cyrus, HOURS, CS)
        week = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))
        result = source(cyrus).load(*week)
        assert result.error is None
        assert [(e.title, e.start) for e in result.events] == [("Review", datetime(2026, 12, 8, 13, tzinfo=UTC))]
        hours = combine(result.availability, *week)
        assert hours is not None and len(hours.free) == 5 and "Work" in hours.source
    finally:
        requests.delete(f"{cyrus.calendar}cyrus-review.ics", auth=cyrus.auth, timeout=10)


def test_an_empty_availability_is_not_set_for_traystatus_though_cyrus_says_busy_all_day(cyrus: CyrusServer) -> None:
    """What a server keeps when the user clears their hours in some clients: RFC 7953 reads it as never
    available, and Cyrus's free-busy does; traystatus treats it as "not set" and says so (issue 18, item 3)."""
    empty = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VAVAILABILITY\r\nUID:cleared\r\n"
        "DTSTAMP:20261101T000000Z\r\nSUMMARY:Working hours\r\nEND:VAVAILABILITY\r\nEND:VCALENDAR\r\n"
    )
    other_client_sets(cyrus, empty)
    day = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))
    assert cyrus.unavailable(*day) == [day]
    result = source(cyrus).load(*day)
    hours = combine(result.availability, *day)
    assert hours is not None and hours.free == () and hours.covered == ()
    assert any("treated as not set" in w and "not as busy all week" in w for w in hours.warnings)


def test_hours_cyrus_refuses_are_a_clear_error_and_the_saved_ones_stay(cyrus: CyrusServer) -> None:
    """Cyrus validates the property (403 with ``valid-calendar-data``): the user is told, nothing is lost."""
    other_client_sets(cyrus, HOURS)
    dav = CaldavAvailability(cyrus.calendar, requester(cyrus))
    refused = dav.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nthis is not iCalendar\r\n")
    assert refused.text == "" and "did not store the working hours on the scheduling inbox" in refused.problem
    with pytest.raises(CalendarError, match="check that this account may change"):
        source(cyrus).write_hours("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    assert "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" in (other_client_reads(cyrus, cyrus.inbox) or "")


@pytest.mark.parametrize("size", [300_000, 700_000])  # Cyrus answers with it twice: 0.6 and 1.4 MB
def test_a_huge_availability_on_cyrus_is_ignored_with_a_reason(cyrus: CyrusServer, size: int) -> None:
    other_client_sets(cyrus, HOURS.replace("SUMMARY:Working hours", "SUMMARY:" + "x" * size))
    found = CaldavAvailability(cyrus.calendar, requester(cyrus)).read()
    assert found.text == "" and "larger than 256 KB" in found.problem and "scheduling inbox" in found.problem


def test_a_save_also_updates_the_copy_apple_clients_read(cyrus: CyrusServer) -> None:
    """Cyrus keeps the Apple name apart: hours an Apple client stored there would stay what Apple clients
    show after a save under the CalDAV name alone. Without such a copy a save is one PROPPATCH."""
    tz = ZoneInfo("Europe/Berlin")
    ics = weekly_availability_ics(parse_hours("mon-fri 10:00-18:00"), tz, today=date(2026, 12, 2), stamp=STAMP)
    calls: list[str] = []
    dav = CaldavAvailability(cyrus.calendar, requester(cyrus, calls))
    assert dav.write(ics).problem == ""
    assert [c for c in calls if c.startswith("PROPPATCH")] == ["PROPPATCH /dav/calendars/user/alice/Inbox/"]
    other_client_sets(cyrus, HOURS, CS)  # an Apple client saves other hours under its name
    calls.clear()
    assert dav.write(ics.replace("T100000", "T090000")).problem == ""
    assert [c for c in calls if c.startswith("PROPPATCH")] == ["PROPPATCH /dav/calendars/user/alice/Inbox/"] * 2
    for ns in (CAL, CS):
        seen = other_client_reads(cyrus, cyrus.inbox, ns) or ""
        assert "T090000" in seen and "T083000" not in seen, ns


def test_the_settings_window_saves_to_the_inbox_and_says_where(
    cyrus: CyrusServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Working hours page's Save, as the user sees it: where the hours went, and where today's come from."""
    monkeypatch.setenv(ENV_PASSWORD, cyrus.password)
    settings = settings_for(cyrus.calendar, cyrus.user, "mon-fri 08:00-16:00")
    said = CalendarHoursService(tmp_path / "a").save(settings)
    assert said.startswith(f"Saved your hours (Europe/Berlin) to the scheduling inbox of 'Work' ({cyrus.base}/…)")
    assert "T080000" in (other_client_reads(cyrus, cyrus.inbox) or "")
    assert (
        CalendarHoursService(tmp_path / "b")
        .origin(settings)
        .startswith("Today's hours come from Work's availability on the server;")
    )
