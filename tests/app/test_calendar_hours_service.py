"""The settings window's working-hours port against a real CalDAV server (Radicale): the hours saved are what
another client reads back, and where today's hours come from is said from what the server holds."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.adapters.test_caldav_availability import other_client_reads, other_client_sets
from tests.fixtures.radicale import RadicaleServer
from traystatus.adapters.caldav_client import ENV_PASSWORD
from traystatus.adapters.calendar_availability import read_availability
from traystatus.app.calendar_hours_service import CalendarHoursService
from traystatus.core.availability import combine, weekly_hours
from traystatus.core.errors import CalendarError, ConfigError
from traystatus.core.hours import WeekHours, parse_hours
from traystatus.core.settings import CalendarSourceConfig, Settings

BERLIN = ZoneInfo("Europe/Berlin")
NOT_SET = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VAVAILABILITY\r\nUID:empty\r\n"
    "DTSTAMP:20261101T000000Z\r\nSUMMARY:Cleared\r\nEND:VAVAILABILITY\r\nEND:VCALENDAR\r\n"
)


def settings_for(url: str, user: str, hours: str = "mon-fri 08:30-12:00,13:00-17:00; sat 10:00-12:00") -> Settings:
    calendar = CalendarSourceConfig(name="Work", location=url, kind="caldav", username=user)
    return Settings(timezone=BERLIN, hours=parse_hours(hours), calendars=(calendar,))


@pytest.fixture
def password(radicale_server: RadicaleServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PASSWORD, radicale_server.password)


def test_saved_hours_are_what_another_client_reads(
    radicale_server: RadicaleServer, password: None, tmp_path: Path
) -> None:
    url = radicale_server.make_calendar("hours-save", "Work")
    settings = settings_for(url, radicale_server.user)
    service = CalendarHoursService(tmp_path / "a")
    assert service.save_target(settings) == "Work"
    assert service.origin(settings) == "Today's hours come from the hours below."
    said = service.save(settings)
    assert "to the calendar of 'Work'" in said and "Europe/Berlin" in said
    seen = other_client_reads(radicale_server, url)
    monday = datetime(2027, 3, 22, tzinfo=BERLIN)  # a week with a DST change on its Sunday
    components, warnings = read_availability(
        icalendar.Calendar.from_ical(seen), source="other", start=monday, end=monday + timedelta(days=7), zone=BERLIN
    )
    hours = combine(components, monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC))
    assert warnings == [] and hours is not None
    assert weekly_hours(hours.free, BERLIN, monday) == settings.hours
    fresh = CalendarHoursService(tmp_path / "b")  # no cached copy: what the server holds now
    assert fresh.origin(settings) == (
        "Today's hours come from Work's availability on the server; the hours below apply where the calendar has none."
    )


def test_an_availability_cleared_elsewhere_is_said_and_the_grid_applies(
    radicale_server: RadicaleServer, password: None, tmp_path: Path
) -> None:
    url = radicale_server.make_calendar("hours-cleared", "Work")
    other_client_sets(radicale_server, url, NOT_SET)
    said = CalendarHoursService(tmp_path).origin(settings_for(url, radicale_server.user))
    assert said.startswith("Today's hours come from the hours below. ⚠ ")
    assert "'Cleared' has no available time at all: treated as not set" in said


def test_no_caldav_calendar_and_an_empty_week_are_refused_with_the_fix(
    radicale_server: RadicaleServer, password: None, tmp_path: Path
) -> None:
    service = CalendarHoursService(tmp_path)
    feed = CalendarSourceConfig(name="Feed", location=str(tmp_path / "x.ics"))
    none = Settings(timezone=BERLIN, calendars=(feed,))
    assert service.save_target(none) == ""
    with pytest.raises(ConfigError, match="Calendars page"):
        service.save(none)
    url = radicale_server.make_calendar("hours-empty", "Work")
    off = dataclasses.replace(settings_for(url, radicale_server.user), hours=WeekHours())  # no block at all
    with pytest.raises(ConfigError, match="every day is off"):
        service.save(off)
    assert other_client_reads(radicale_server, url) == ""  # nothing was written


class _Refusing(BaseHTTPRequestHandler):
    """A server that answers every WebDAV request with 403 (a read-only share)."""

    def _refuse(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PROPFIND = do_PROPPATCH = _refuse  # http.server calls do_<METHOD>

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cal/"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_a_calendar_that_cannot_be_read_is_named_in_the_origin(refusing: str, tmp_path: Path) -> None:
    settings = Settings(
        timezone=BERLIN, calendars=(CalendarSourceConfig(name="Shared", location=refusing, kind="caldav"),)
    )
    said = CalendarHoursService(tmp_path).origin(settings)
    assert said.startswith("Today's hours come from the hours below. ⚠ Calendar 'Shared' could not be fetched (")
    assert said.endswith("so its working hours are not known.") and "/cal/" not in said


def test_a_server_that_refuses_says_what_failed(refusing: str, tmp_path: Path) -> None:
    settings = Settings(
        timezone=BERLIN,
        hours=parse_hours("mon-fri 09:00-17:00"),
        calendars=(CalendarSourceConfig(name="Shared", location=refusing, kind="caldav"),),
    )
    with pytest.raises(CalendarError) as e:
        CalendarHoursService(tmp_path).save(settings)
    assert e.value.title == "Calendar 'Shared'"
    assert "did not store the working hours on the calendar (HTTP 403)" in e.value.message
    assert "may change the calendar's properties" in e.value.message


class _Trickling(BaseHTTPRequestHandler):
    """A server that starts a 207 answer and then sends one byte every 0.2 s, for ever."""

    def do_PROPFIND(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(207)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    do_PROPPATCH = do_PROPFIND

    def log_message(self, *args: object) -> None:
        pass


def test_a_trickling_server_ends_the_save_at_the_timeout_and_says_so(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickling)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cal/"
        settings = Settings(
            timezone=BERLIN,
            hours=parse_hours("mon-fri 09:00-17:00"),
            calendars=(CalendarSourceConfig(name="Slow", location=url, kind="caldav"),),
        )
        with pytest.raises(CalendarError) as e:
            CalendarHoursService(tmp_path, timeout=1.0).save(settings)
        assert e.value.title == "Calendar 'Slow'"
        assert e.value.message.startswith("the working hours were not saved: no complete answer within 1 s")
        assert "/cal/" not in e.value.message and e.value.message.endswith("Try again later.")
    finally:
        server.shutdown()
        server.server_close()
