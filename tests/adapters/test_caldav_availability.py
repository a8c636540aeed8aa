"""Working hours kept on a real CalDAV server (Radicale) as ``calendar-availability``: read what another client
wrote, write them so another client reads them, and turn them into working time."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import icalendar
import requests

from tests.fixtures.radicale import RadicaleServer
from traystatus.adapters.caldav_availability import CaldavAvailability
from traystatus.adapters.calendar_availability import read_availability
from traystatus.core.availability import combine

HOURS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Nextcloud//availability//EN\r
BEGIN:VAVAILABILITY\r
UID:nc\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Working hours\r
BEGIN:AVAILABLE\r
UID:nc-1\r
DTSTART;TZID=Europe/Berlin:20261102T083000\r
DTEND;TZID=Europe/Berlin:20261102T163000\r
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r
END:AVAILABLE\r
END:VAVAILABILITY\r
END:VCALENDAR\r
"""


def requester(server: RadicaleServer, counter: list[str] | None = None):
    def request(method: str, url: str, body: str, depth: str) -> requests.Response:
        if counter is not None:
            counter.append(method)
        return requests.request(
            method,
            url,
            data=body.encode(),
            headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"},
            auth=(server.user, server.password),
            timeout=10,
        )

    return request


def other_client_sets(server: RadicaleServer, url: str, ics: str) -> None:
    """What Nextcloud's or Apple's settings do: PROPPATCH the property (here on the collection)."""
    body = (
        '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        f"<d:set><d:prop><c:calendar-availability>{escape(ics)}</c:calendar-availability></d:prop></d:set>"
        "</d:propertyupdate>"
    )
    r = requests.request("PROPPATCH", url, data=body, auth=(server.user, server.password), timeout=10)
    assert r.status_code == 207, r.text


def other_client_reads(server: RadicaleServer, url: str) -> str:
    body = (
        '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
        "<d:prop><c:calendar-availability/></d:prop></d:propfind>"
    )
    r = requests.request(
        "PROPFIND", url, data=body, headers={"Depth": "0"}, auth=(server.user, server.password), timeout=10
    )
    assert r.status_code == 207
    import xml.etree.ElementTree as ET

    el = ET.fromstring(r.content).find(".//{urn:ietf:params:xml:ns:caldav}calendar-availability")
    return (el.text or "") if el is not None else ""


def test_hours_another_client_stored_are_read_and_become_working_time(radicale_server: RadicaleServer) -> None:
    url = radicale_server.make_calendar("avail-read", "Work")
    calls: list[str] = []
    dav = CaldavAvailability(url, requester(radicale_server, calls))
    assert dav.read().text == ""  # not set: nothing, not "busy"
    other_client_sets(radicale_server, url, HOURS)
    found = dav.read()
    assert found.where == "calendar" and found.problem == ""  # Radicale has no scheduling inbox
    components, warnings = read_availability(
        icalendar.Calendar.from_ical(found.text),
        source="Radicale availability",
        start=datetime(2026, 12, 7, tzinfo=UTC),
        end=datetime(2026, 12, 8, tzinfo=UTC),
        zone=ZoneInfo("UTC"),
    )
    hours = combine(components, datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 8, tzinfo=UTC))
    assert warnings == [] and hours is not None
    assert hours.free == ((datetime(2026, 12, 7, 7, 30, tzinfo=UTC), datetime(2026, 12, 7, 15, 30, tzinfo=UTC)),)
    before = len(calls)
    dav.read()  # a refresh: the inbox is known (none), one small PROPFIND
    assert calls[before:] == ["PROPFIND"]


def test_hours_written_by_traystatus_are_seen_by_another_client(radicale_server: RadicaleServer) -> None:
    url = radicale_server.make_calendar("avail-write", "Work")
    dav = CaldavAvailability(url, requester(radicale_server))
    written = dav.write(HOURS)
    assert written.problem == ""
    seen = other_client_reads(radicale_server, url)
    assert "BEGIN:VAVAILABILITY" in seen and "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" in seen
    assert dav.read().text.replace("\r\n", "\n").strip() == HOURS.replace("\r\n", "\n").strip()


def test_a_huge_property_is_refused_with_a_reason(radicale_server: RadicaleServer) -> None:
    url = radicale_server.make_calendar("avail-huge", "Work")
    other_client_sets(radicale_server, url, HOURS.replace("SUMMARY:Working hours", "SUMMARY:" + "x" * 300_000))
    found = CaldavAvailability(url, requester(radicale_server)).read()
    assert found.text == "" and "larger than 256 KB" in found.problem


def test_an_unreachable_server_is_not_set_with_no_exception() -> None:
    def refuse(method: str, url: str, body: str, depth: str) -> requests.Response:
        raise requests.ConnectionError("refused")

    found = CaldavAvailability("http://127.0.0.1:9/cal/", refuse).read()
    assert found.text == "" and "could not be read" in found.problem


def test_a_caldav_calendar_brings_the_hours_its_server_keeps(radicale_server: RadicaleServer) -> None:
    """Through the CalDAV source the app uses: the load carries the server's availability; while the server
    fails, the last hours read stay (an outage must not change the user's working hours)."""
    from tests.adapters.test_calendar_caldav import source

    url = radicale_server.make_calendar("avail-source", "Work")
    other_client_sets(radicale_server, url, HOURS)
    src = source(radicale_server, url)
    week = (datetime(2026, 12, 7, tzinfo=UTC), datetime(2026, 12, 14, tzinfo=UTC))
    result = src.load(*week)
    assert result.error is None and [c.name for c in result.availability] == ["Working hours"]
    hours = combine(result.availability, *week)
    assert hours is not None and len(hours.free) == 5
    src._client.url = "http://127.0.0.1:9/gone/"  # the server goes away
    stale = src.load(*week)
    assert stale.stale and [c.name for c in stale.availability] == ["Working hours"]
