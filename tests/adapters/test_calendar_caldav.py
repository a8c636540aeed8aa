"""CalDAV sources against a real Radicale server: time-range query, recurrences, ctag reuse, faults."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fixtures.http_feeds import FeedServer, Route
from tests.fixtures.radicale import RadicaleServer
from traystatus.adapters.bounded_http import BoundedSession
from traystatus.adapters.calendar_caldav import ENV_PASSWORD, CaldavCalendarSource, secret_key
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_sources import build_sources, load_all
from traystatus.core.settings import CalendarSourceConfig, Settings

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = (datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN))

SERIES = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:standup\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Standup\r
DTSTART;TZID=Europe/Berlin:20260105T093000\r
DTEND;TZID=Europe/Berlin:20260105T094500\r
RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR\r
EXDATE;TZID=Europe/Berlin:20261125T093000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Standup (late)\r
RECURRENCE-ID;TZID=Europe/Berlin:20261126T093000\r
DTSTART;TZID=Europe/Berlin:20261126T110000\r
DTEND;TZID=Europe/Berlin:20261126T111500\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _single(uid: str, start: str, end: str, title: str, extra: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{title}\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        f"{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


class MemorySecrets:
    """A SecretStore kept in a dict (the keyring itself is tested in test_secrets)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


class CountingSession(BoundedSession):
    """The source's real session, counting what it sends: methods, and bytes both ways (bodies and headers)."""

    def __init__(self) -> None:
        super().__init__()
        self.methods: list[str] = []
        self.bytes = 0

    def request(self, method: str | bytes, url: str | bytes, *args: object, **kwargs: object) -> requests.Response:
        self.methods.append(str(method))
        resp = super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
        self.bytes += len(resp.content) + len(resp.request.body or b"")
        self.bytes += sum(len(k) + len(v) + 4 for k, v in (*resp.headers.items(), *resp.request.headers.items()))
        return resp

    def reset(self) -> None:
        self.methods.clear()
        self.bytes = 0


@pytest.fixture(scope="module")
def work_calendar(radicale_server: RadicaleServer) -> str:
    url = radicale_server.make_calendar("work-caldav", "Work")
    radicale_server.put(url, "standup", SERIES)
    radicale_server.put(url, "review", _single("review", "20261124T130000Z", "20261124T140000Z", "Review"))
    radicale_server.put(url, "old", _single("old", "20200101T090000Z", "20200101T100000Z", "Long ago"))
    radicale_server.put(
        url, "secret", _single("secret", "20261127T080000Z", "20261127T090000Z", "Doctor", "CLASS:PRIVATE\r\n")
    )
    return url


def source(server: RadicaleServer, url: str, password: str | None = None, **kw: object) -> CaldavCalendarSource:
    secrets = MemorySecrets({secret_key("Work"): server.password if password is None else password})
    return CaldavCalendarSource("Work", url, username=server.user, secrets=secrets, zone=BERLIN, **kw)  # type: ignore[arg-type]


def local(events: tuple[object, ...]) -> list[tuple[str, str]]:
    return [(e.title, e.start.astimezone(BERLIN).strftime("%a %H:%M")) for e in events]  # type: ignore[attr-defined]


def test_events_in_the_window_with_recurrences(radicale_server: RadicaleServer, work_calendar: str) -> None:
    result = source(radicale_server, work_calendar).load(*WEEK)
    assert result.error is None and not result.stale and result.fetched_at is not None
    assert local(result.events) == [
        ("Standup", "Mon 09:30"),
        ("Standup", "Tue 09:30"),
        ("Review", "Tue 14:00"),
        ("Standup (late)", "Thu 11:00"),
        ("Doctor", "Fri 09:00"),
        ("Standup", "Fri 09:30"),
    ]
    assert all(e.source == "Work" for e in result.events)
    doctor = next(e for e in result.events if e.title == "Doctor")
    assert doctor.display_title == "Private event"


def test_same_occurrences_as_the_same_data_in_a_file(
    radicale_server: RadicaleServer, work_calendar: str, tmp_path: Path
) -> None:
    path = tmp_path / "series.ics"
    path.write_text(SERIES, newline="")
    from_file = IcsCalendarSource("Work", str(path), zone=BERLIN, cache_dir=tmp_path).load(*WEEK).events
    from_dav = [e for e in source(radicale_server, work_calendar).load(*WEEK).events if e.uid == "standup"]
    assert [(e.start, e.end, e.title, e.recurrence_id) for e in from_dav] == [
        (e.start, e.end, e.title, e.recurrence_id) for e in from_file
    ]


def test_a_server_without_sync_collection_is_read_by_range_and_an_unchanged_one_costs_one_propfind(
    radicale_server: RadicaleServer,
) -> None:
    url = radicale_server.make_calendar("ctag", "Ctag")
    radicale_server.put(url, "a", _single("a", "20261124T090000Z", "20261124T100000Z", "First"))
    session = CountingSession()
    src = source(radicale_server, url, session=session)
    src._syncs = False  # as a server that refused sync-collection
    first = src.load(*WEEK)
    assert [e.title for e in first.events] == ["First"]
    # the calendar's tag and events, then once per process the working hours kept on the server (the
    # collection's calendar-availability with the user's principal, then the principal's scheduling inbox)
    assert session.methods == ["PROPFIND", "REPORT", "PROPFIND", "PROPFIND"]
    session.reset()
    again = src.load(WEEK[0] + timedelta(hours=3), WEEK[1])  # a window sliding with now: still covered
    assert session.methods == ["PROPFIND"]
    assert [e.title for e in again.events] == ["First"]
    radicale_server.put(url, "b", _single("b", "20261125T090000Z", "20261125T100000Z", "Second"))
    session.reset()
    changed = src.load(*WEEK)
    assert session.methods == ["PROPFIND", "REPORT"]
    assert [e.title for e in changed.events] == ["First", "Second"]


def test_wrong_password_is_a_clear_error_without_the_password(
    radicale_server: RadicaleServer, work_calendar: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = source(radicale_server, work_calendar, password="hunter2-wrong").load(*WEEK)
    assert result.error is not None and result.events == ()
    assert "'Work'" in result.error.title
    assert "refused the login (HTTP 401, user 'alice')" in result.error.message
    assert "keyring set traystatus caldav:Work" in result.error.message
    assert "hunter2" not in str(result.error) + caplog.text
    assert "/alice/work-caldav" not in result.error.message  # the path is redacted


def test_server_failure_serves_the_last_good_copy_marked_stale(
    radicale_server: RadicaleServer, work_calendar: str
) -> None:
    secrets = MemorySecrets({secret_key("Work"): radicale_server.password})
    src = CaldavCalendarSource("Work", work_calendar, username=radicale_server.user, secrets=secrets, zone=BERLIN)
    good = src.load(*WEEK)
    assert good.error is None and len(good.events) == 6
    secrets.set(secret_key("Work"), "changed elsewhere")  # the next login fails
    stale = src.load(*WEEK)
    assert stale.stale and stale.error is not None and "401" in stale.error.message
    assert stale.events == good.events and stale.fetched_at == good.fetched_at


def test_missing_collection_and_unreachable_server(radicale_server: RadicaleServer) -> None:
    missing = source(radicale_server, radicale_server.collection("nope")).load(*WEEK)
    assert missing.error is not None and "HTTP 404" in missing.error.message
    with_socket_closed = source(radicale_server, "http://127.0.0.1:9/dav/", timeout=2).load(*WEEK)
    assert with_socket_closed.error is not None and "could not be reached" in with_socket_closed.error.message


def test_plain_ics_url_is_not_a_caldav_collection(radicale_server: RadicaleServer, feed_server: FeedServer) -> None:
    feed_server.routes["/caldav-test/plain.ics/"] = Route(body=SERIES.encode())
    result = source(radicale_server, feed_server.url("/caldav-test/plain.ics")).load(*WEEK)
    assert result.error is not None and "does not speak CalDAV (HTTP 501)" in result.error.message
    assert 'kind = "ics"' in result.error.message


def test_build_sources_with_the_password_from_the_environment(
    radicale_server: RadicaleServer, work_calendar: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PASSWORD, radicale_server.password)
    settings = Settings(
        timezone=BERLIN,
        calendars=(
            CalendarSourceConfig(name="Work", location=work_calendar, kind="caldav", username=radicale_server.user),
            CalendarSourceConfig(name="Broken", location=str(tmp_path / "missing.ics")),
        ),
    )
    sources = build_sources(settings, cache_dir=tmp_path)
    assert "alice/work-caldav" not in repr(sources[0])
    work, broken = load_all(sources, *WEEK)
    assert work.error is None and len(work.events) == 6
    assert broken.error is not None and broken.events == ()


def test_caldav_needs_no_extra_package_and_leaves_urllib3_alone() -> None:
    code = (
        "import sys, urllib3, traystatus.adapters.calendar_caldav, traystatus.adapters.calendar_sources\n"
        "bad = [m for m in ('caldav', 'niquests', 'urllib3_future') if m in sys.modules]\n"
        "assert not bad, bad\n"
        "assert 'urllib3-future' not in urllib3.__file__ and not hasattr(urllib3, '__urllib3_future__')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_calendar_events_cli_on_a_caldav_config(
    radicale_server: RadicaleServer,
    work_calendar: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from traystatus.app.cli import run

    config = tmp_path / "config.toml"
    config.write_text(
        f'schema_version = 1\ntimezone = "Europe/Berlin"\n\n[[calendars]]\nname = "Work"\n'
        f'kind = "caldav"\nurl = "{work_calendar}"\nusername = "{radicale_server.user}"\n'
    )
    monkeypatch.setenv(ENV_PASSWORD, radicale_server.password)
    assert run(["--config", str(config), "calendar", "events", "--from", "2026-11-26", "--to", "2026-11-27"]) == 0
    out = capsys.readouterr().out
    assert "Standup (late)" in out and "Work" in out
    monkeypatch.setenv(ENV_PASSWORD, "Zq9-not-the-password")
    # the next process: the copy the first one synced serves, and says what is wrong and how old it is
    assert run(["--config", str(config), "calendar", "events", "--from", "2026-11-26", "--to", "2026-11-27"]) == 0
    captured = capsys.readouterr()
    assert "Standup (late)" in captured.out
    assert "refused the login" in captured.err and "Zq9" not in captured.err
    assert "is stale: showing the last good copy fetched 0 min ago" in captured.err


def test_floating_times_near_the_window_edge_are_not_lost(radicale_server: RadicaleServer) -> None:
    """The server reads a floating 01:00 as UTC; for a user in Los Angeles it is 09:00 UTC, inside the window."""
    url = radicale_server.make_calendar("floating", "Floating")
    radicale_server.put(url, "f", _single("f", "20261124T010000", "20261124T020000", "Early call"))
    la = ZoneInfo("America/Los_Angeles")
    secrets = MemorySecrets({secret_key("Work"): radicale_server.password})
    src = CaldavCalendarSource("Work", url, username=radicale_server.user, secrets=secrets, zone=la)
    result = src.load(datetime(2026, 11, 24, tzinfo=la), datetime(2026, 11, 25, tzinfo=la))
    assert [(e.title, e.start.astimezone(la).strftime("%H:%M")) for e in result.events] == [("Early call", "01:00")]
