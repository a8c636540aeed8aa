"""`traystatus plan` takes the working hours from a calendar's RFC 7953 availability (a file or a feed over
HTTP), says where they come from, and lets --hours win for one run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.app.cli import run

AVAIL = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//traystatus tests//EN\r
BEGIN:VAVAILABILITY\r
UID:hours\r
DTSTAMP:20261101T000000Z\r
SUMMARY:Working hours\r
BEGIN:AVAILABLE\r
UID:b1\r
DTSTART;TZID=Asia/Kolkata:20261102T073000\r
DTEND;TZID=Asia/Kolkata:20261102T113000\r
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r
END:AVAILABLE\r
END:VAVAILABILITY\r
BEGIN:VEVENT\r
UID:sync\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=Asia/Kolkata:20261208T080000\r
DTEND;TZID=Asia/Kolkata:20261208T083000\r
SUMMARY:Sync\r
END:VEVENT\r
END:VCALENDAR\r
"""


def plan(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(["plan", "--tz", "Asia/Kolkata", "--from", "2026-12-08", "--days", "1", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def spans(out: str) -> list[tuple[str, str, str]]:
    return [(r["start"][11:16], r["end"][11:16], r["state"]) for r in json.loads(out)]


@pytest.fixture
def avail(tmp_path: Path) -> Path:
    path = tmp_path / "avail.ics"
    path.write_text(AVAIL, newline="")
    return path


def test_a_calendar_with_availability_gives_the_hours_without_any_config(
    avail: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(tmp_path / "none.toml"))
    code, out, _ = plan(capsys, "--calendar", str(avail), "--json")
    assert code == 0
    assert spans(out) == [
        ("00:00", "07:30", "off_hours"),
        ("07:30", "08:00", "available"),
        ("08:00", "08:30", "meeting"),
        ("08:30", "11:30", "available"),
        ("11:30", "00:00", "off_hours"),
    ]
    code, out, _ = plan(capsys, "--calendar", str(avail))
    assert "Working hours from availability in 'avail.ics'" in out
    assert "working hours (from availability in 'avail.ics')" in out


def test_hours_for_one_run_win_over_the_calendar_and_it_is_said(
    avail: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(tmp_path / "none.toml"))
    code, out, err = plan(capsys, "--calendar", str(avail), "--hours", "mon-fri 10:00-18:00", "--json")
    assert code == 0
    assert spans(out) == [
        ("00:00", "08:00", "off_hours"),
        ("08:00", "08:30", "meeting"),
        ("08:30", "10:00", "off_hours"),
        ("10:00", "18:00", "available"),
        ("18:00", "00:00", "off_hours"),
    ]
    assert "--hours was given: the calendars' availability is not used" in err


def test_the_config_hours_apply_where_the_calendar_has_no_availability(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blank = AVAIL.replace("BEGIN:AVAILABLE\r\nUID:b1\r\n", "X-OLD:\r\n").replace(
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:AVAILABLE\r\n", ""
    )
    blank = "\r\n".join(
        line
        for line in blank.split("\r\n")
        if not line.startswith(("DTSTART;TZID=Asia/Kolkata:20261102", "DTEND;TZID=Asia/Kolkata:20261102"))
    )
    path = tmp_path / "blank.ics"
    path.write_text(blank, newline="")
    config = tmp_path / "config.toml"
    config.write_text(
        f'timezone = "Asia/Kolkata"\nworking_hours = "mon-fri 09:00-17:00"\n'
        f'[[calendars]]\nname = "Work"\npath = "{path}"\n'
    )
    code = run(["--config", str(config), "plan", "--from", "2026-12-08", "--days", "1"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "'Working hours' has no available time at all: treated as not set" in err
    assert "Working hours from the configuration: mon-fri 09:00-17:00" in out
    assert "09:00 – 17:00" in out


def test_availability_from_a_feed_over_http(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    feed_server.routes["/avail.ics"] = Route(body=AVAIL.encode())
    code, out, _ = plan(capsys, "--calendar", feed_server.url("/avail.ics"), "--json")
    assert code == 0 and spans(out)[1] == ("07:30", "08:00", "available")
