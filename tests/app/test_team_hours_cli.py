"""A teammate's hours from their own calendar's availability (a feed over real HTTP): the team clock uses them
instead of an assumed 09:00-17:00 and says where each person's hours come from; a feed that fails keeps the
last good hours, and a person without one says their hours are assumed."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.config_toml import load_config_file
from traystatus.app.cli import run
from traystatus.app.paths import AppPaths
from traystatus.app.team_import import team_roster

AIKO = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VAVAILABILITY\r\nUID:aiko\r\n"
    "DTSTAMP:20260101T000000Z\r\nBEGIN:AVAILABLE\r\nUID:a1\r\nDTSTART;TZID=Asia/Tokyo:20260105T070000\r\n"
    "DTEND;TZID=Asia/Tokyo:20260105T150000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:AVAILABLE\r\n"
    "END:VAVAILABILITY\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    feed_server.routes["/aiko-hours.ics"] = Route(body=AIKO.encode(), etag='"a1"')
    path = tmp_path / "config.toml"
    path.write_text(
        'timezone = "Europe/London"\n'
        "[[team.people]]\n"
        'name = "Aiko"\ntimezone = "Asia/Tokyo"\n'
        f'availability = "{feed_server.url("/aiko-hours.ics")}"\n'
        "[[team.people]]\n"
        'name = "Nia"\ntimezone = "America/New_York"\n'
    )
    return path


def rows(capsys: pytest.CaptureFixture[str], config: Path, at: str) -> dict[str, dict[str, object]]:
    assert run(["--config", str(config), "team", "--at", at, "--json"]) == 0
    return {r["name"]: r for r in json.loads(capsys.readouterr().out)}


def test_the_team_clock_uses_a_teammates_calendar_hours_and_says_so(
    config: Path, capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    # Monday 07 Dec 2026, 23:30 in London = Tuesday 08:30 in Tokyo: at work by Aiko's calendar (07:00-15:00),
    # not by the assumed 09:00-17:00
    by = rows(capsys, config, "2026-12-07T23:30")
    assert by["Aiko"]["working"] is True and by["Aiko"]["hours_source"] == "from their calendar's availability"
    assert by["Nia"]["hours_source"] == "assumed: mon-fri 09:00-17:00"
    # 07:30 London = 16:30 Tokyo: after Aiko's calendar day (assumed hours would say working)
    assert rows(capsys, config, "2026-12-08T07:30")["Aiko"]["working"] is False

    feed_server.routes["/aiko-hours.ics"] = Route(status=500, body=b"down", content_type="text/plain")
    by = rows(capsys, config, "2026-12-07T23:30")
    assert by["Aiko"]["working"] is True, "the last good hours stay"

    assert run(["--config", str(config), "team", "--at", "2026-12-07T23:30"]) == 0
    out = capsys.readouterr().out
    assert "hours from their calendar's availability" in out and "hours assumed: mon-fri 09:00-17:00" in out


def test_the_tray_roster_reads_only_the_cache(config: Path, feed_server: FeedServer) -> None:
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    paths = AppPaths.resolve(str(config))
    hits = len(feed_server.hits("/aiko-hours.ics"))
    _me, people = team_roster(settings, paths)  # what the team popup calls on the GUI thread
    assert len(feed_server.hits("/aiko-hours.ics")) == hits, "no network on the GUI thread"
    aiko = next(p for p in people if p.name == "Aiko")
    assert "their calendar: not read yet" in aiko.hours_source
