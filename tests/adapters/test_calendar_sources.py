"""build_sources/load_all: several sources at once; a hanging or broken one never blocks the others."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.calendar_sources import build_sources, describe, load_all
from traystatus.core.settings import CalendarSourceConfig, Settings

BERLIN = ZoneInfo("Europe/Berlin")
START, END = datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN)
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20261101T000000Z\r\n"
       "DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def settings(*calendars: CalendarSourceConfig) -> Settings:
    return Settings(timezone=BERLIN, calendars=calendars)


def test_a_hanging_feed_does_not_block_the_others(feed_server: FeedServer, tmp_path: Path) -> None:
    good = tmp_path / "good.ics"
    good.write_text(ICS.format(title="Planning"), newline="")
    feed_server.routes["/sources/hang/private-abc/basic.ics"] = Route(hang=True)
    feed_server.routes["/sources/ok.ics"] = Route(body=ICS.format(title="From the web").encode())
    sources = build_sources(settings(
        CalendarSourceConfig(name="Hangs", location=feed_server.url("/sources/hang/private-abc/basic.ics")),
        CalendarSourceConfig(name="File", location=str(good)),
        CalendarSourceConfig(name="Missing", location=str(tmp_path / "missing.ics")),
        CalendarSourceConfig(name="Web", location=feed_server.url("/sources/ok.ics"))),
        cache_dir=tmp_path / "cache", timeout=3)
    hangs, file, missing, web = load_all(sources, START, END, deadline=1.0)  # in order, one per source
    assert hangs.source == "Hangs" and hangs.error is not None and "took too long" in hangs.error.title
    assert [e.title for e in file.events] == ["Planning"] and file.error is None
    assert missing.error is not None and "missing.ics" in missing.error.message and missing.events == ()
    assert [e.title for e in web.events] == ["From the web"] and web.error is None
    assert "private-abc" not in repr(sources) + str(hangs.error)


def test_same_names_are_made_unique_and_descriptions_hide_secret_paths(tmp_path: Path) -> None:
    sources = build_sources(settings(CalendarSourceConfig(name="Work", location="a.ics"),
                                     CalendarSourceConfig(name="Work", location="b.ics"),
                                     CalendarSourceConfig(name="Work", location="c.ics")), cache_dir=tmp_path)
    assert [s.name for s in sources] == ["Work", "Work (2)", "Work (3)"]
    google = CalendarSourceConfig(name="G", location="https://calendar.google.com/calendar/ical/x/private-1/basic.ics")
    assert describe(google) == "G (ics: https://calendar.google.com/…)"


def test_a_feed_that_starts_hanging_serves_its_last_good_copy(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/sources/later-hangs.ics"
    feed_server.routes[path] = Route(body=ICS.format(title="Retro").encode())
    sources = build_sources(settings(CalendarSourceConfig(name="Web", location=feed_server.url(path))),
                            cache_dir=tmp_path, timeout=0.5)
    [good] = load_all(sources, START, END)
    feed_server.routes[path] = Route(hang=True)
    [stale] = load_all(sources, START, END)
    assert stale.stale and stale.error is not None and "stopped answering" in stale.error.message
    assert [e.title for e in stale.events] == ["Retro"] and stale.fetched_at == good.fetched_at


def test_a_source_past_the_deadline_serves_its_last_good_copy(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/sources/slow-later.ics"
    feed_server.routes[path] = Route(body=ICS.format(title="Standup").encode())
    good_file = tmp_path / "good.ics"
    good_file.write_text(ICS.format(title="Planning"), newline="")
    sources = build_sources(settings(CalendarSourceConfig(name="Web", location=feed_server.url(path)),
                                     CalendarSourceConfig(name="File", location=str(good_file))),
                            cache_dir=tmp_path, timeout=3)
    first, _ = load_all(sources, START, END)
    feed_server.routes[path] = Route(hang=True)  # answers nothing, longer than the deadline
    web, file = load_all(sources, START, END, deadline=0.5)
    assert web.stale and web.error is not None and "took too long" in web.error.title
    assert [e.title for e in web.events] == ["Standup"] and web.fetched_at == first.fetched_at
    assert [e.title for e in file.events] == ["Planning"]
