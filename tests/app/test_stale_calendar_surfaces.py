"""A calendar whose server breaks keeps serving its last good copy, and every surface says so with its age:
`plan` (tests/app/test_plan_cli.py), `status` here, the tray's health line here, the settings window's
Calendars page (tests/qt/test_settings_calendar_fetches.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.calendar_sources import build_sources
from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.app.cli import run
from traystatus.app.container import SourcesReader
from traystatus.core.publishing import Service
from traystatus.core.settings import CalendarSourceConfig, settings_from_mapping
from traystatus.core.status_sync import StatusSync
from traystatus.core.sync_view import tray_view_for

BERLIN = ZoneInfo("Europe/Berlin")


def ics(title: str) -> bytes:
    day = datetime.now(UTC).strftime("%Y%m%d")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s@t\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART:{day}T230000Z\r\nDTEND:{day}T233000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def hours_just_now() -> set[str]:
    """The local hour of the copy fetched moments ago ("22:"), either side of an hour's turn."""
    return {(datetime.now(BERLIN) - timedelta(seconds=s)).strftime("%H:") for s in (0, 30)}


def test_status_says_a_stale_calendar_serves_its_copy_and_from_when(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", "xoxp-unused-status-sends-nothing")
    path = "/surfaces/status/private-5ecr3tt0ken.ics"
    feed_server.routes[path] = Route(body=ics("Retro"), etag='"1"')
    argv = ["status", "--calendar", feed_server.url(path), "--tz", "Europe/Berlin"]
    assert run(argv) == 0
    assert "problem:" not in capsys.readouterr().out
    feed_server.routes[path] = Route(status=503, body=b"maintenance", content_type="text/plain")
    assert run(argv) == 0  # a new process: the copy from the cache dir serves
    out = capsys.readouterr().out
    assert "HTTP 503" in out and "fetched just now)" in out
    assert any(f"(using the last good copy from {hour}" in out for hour in hours_just_now())
    assert "5ecr3tt0ken" not in out


def test_the_tray_health_line_says_the_stale_copy_and_its_age(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/surfaces/tray/private-5ecr3tt0ken.ics"
    feed_server.routes[path] = Route(body=ics("Planning"), etag='"1"')
    settings = settings_from_mapping(
        {"timezone": "Europe/Berlin", "working_hours": "mon-sun 00:00-24:00"}, source="test", default_tz=BERLIN
    )
    settings = type(settings)(
        timezone=BERLIN,
        hours=settings.hours,
        calendars=(CalendarSourceConfig(name="Work", location=feed_server.url(path)),),
    )
    sources = build_sources(settings, cache_dir=tmp_path / "cache", timeout=3)
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    tray = StatusSync(
        settings=settings,
        calendars=SourcesReader(sources),
        publishers=[slack],
        store=StateStore(tmp_path),
        clock=lambda: datetime.now(UTC),
    )
    assert all(h.ok for h in tray_view_for(tray.run(refresh=True), BERLIN).health)
    feed_server.routes[path] = Route(status=500, body=b"down", content_type="text/plain")
    lines = [h.text for h in tray_view_for(tray.run(refresh=True), BERLIN).health if not h.ok]
    assert len(lines) == 1 and lines[0].startswith("Work: Calendar 'Work' could not be fetched — using the last good")
    assert any(f"copy from {hour}" in lines[0] for hour in hours_just_now()) and "(fetched just now)" in lines[0]
    assert "5ecr3tt0ken" not in lines[0]
