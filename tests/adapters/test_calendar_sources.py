"""build_sources/load_all: several sources at once; a hanging or broken one never blocks the others; each
calendar's latest fetch goes into the fetch log (no address in it)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.calendar_fetch_log import FILE_NAME, CalendarFetchLog
from traystatus.adapters.calendar_sources import build_sources, describe, load_all
from traystatus.core.calendar_fetch import location_key
from traystatus.core.settings import CalendarSourceConfig, Settings

BERLIN = ZoneInfo("Europe/Berlin")
START, END = datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def settings(*calendars: CalendarSourceConfig) -> Settings:
    return Settings(timezone=BERLIN, calendars=calendars)


def test_a_hanging_feed_does_not_block_the_others(feed_server: FeedServer, tmp_path: Path) -> None:
    good = tmp_path / "good.ics"
    good.write_text(ICS.format(title="Planning"), newline="")
    feed_server.routes["/sources/hang/private-abc/basic.ics"] = Route(hang=True)
    feed_server.routes["/sources/ok.ics"] = Route(body=ICS.format(title="From the web").encode())
    sources = build_sources(
        settings(
            CalendarSourceConfig(name="Hangs", location=feed_server.url("/sources/hang/private-abc/basic.ics")),
            CalendarSourceConfig(name="File", location=str(good)),
            CalendarSourceConfig(name="Missing", location=str(tmp_path / "missing.ics")),
            CalendarSourceConfig(name="Web", location=feed_server.url("/sources/ok.ics")),
        ),
        cache_dir=tmp_path / "cache",
        timeout=3,
    )
    hangs, file, missing, web = load_all(sources, START, END, deadline=1.0)  # in order, one per source
    assert hangs.source == "Hangs" and hangs.error is not None and "took too long" in hangs.error.title
    assert [e.title for e in file.events] == ["Planning"] and file.error is None
    assert missing.error is not None and "missing.ics" in missing.error.message and missing.events == ()
    assert [e.title for e in web.events] == ["From the web"] and web.error is None
    assert "private-abc" not in repr(sources) + str(hangs.error)


def test_same_names_are_made_unique_and_descriptions_hide_secret_paths(tmp_path: Path) -> None:
    sources = build_sources(
        settings(
            CalendarSourceConfig(name="Work", location="a.ics"),
            CalendarSourceConfig(name="Work", location="b.ics"),
            CalendarSourceConfig(name="Work", location="c.ics"),
        ),
        cache_dir=tmp_path,
    )
    assert [s.name for s in sources] == ["Work", "Work (2)", "Work (3)"]
    google = CalendarSourceConfig(name="G", location="https://calendar.google.com/calendar/ical/x/private-1/basic.ics")
    assert describe(google) == "G (ics: https://calendar.google.com/…)"


def test_a_feed_that_starts_hanging_serves_its_last_good_copy(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/sources/later-hangs.ics"
    feed_server.routes[path] = Route(
        body=ICS.format(title="Retro").encode(), etag='"r1"'
    )  # validators: fetched each pass
    sources = build_sources(
        settings(CalendarSourceConfig(name="Web", location=feed_server.url(path))), cache_dir=tmp_path, timeout=0.5
    )
    [good] = load_all(sources, START, END)
    feed_server.routes[path] = Route(hang=True)
    [stale] = load_all(sources, START, END)
    assert stale.stale and stale.error is not None and "stopped answering" in stale.error.message
    assert [e.title for e in stale.events] == ["Retro"] and stale.fetched_at == good.fetched_at


def test_a_source_past_the_deadline_serves_its_last_good_copy(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/sources/slow-later.ics"
    feed_server.routes[path] = Route(body=ICS.format(title="Standup").encode(), etag='"s1"')
    good_file = tmp_path / "good.ics"
    good_file.write_text(ICS.format(title="Planning"), newline="")
    sources = build_sources(
        settings(
            CalendarSourceConfig(name="Web", location=feed_server.url(path)),
            CalendarSourceConfig(name="File", location=str(good_file)),
        ),
        cache_dir=tmp_path,
        timeout=3,
    )
    first, _ = load_all(sources, START, END)
    feed_server.routes[path] = Route(hang=True)  # answers nothing, longer than the deadline
    web, file = load_all(sources, START, END, deadline=0.5)
    assert web.stale and web.error is not None and "took too long" in web.error.title
    assert [e.title for e in web.events] == ["Standup"] and web.fetched_at == first.fetched_at
    assert [e.title for e in file.events] == ["Planning"]


def test_load_all_records_each_calendars_latest_fetch_without_its_address(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    path = "/sources/log/private-s3cret/basic.ics"
    feed_server.routes[path] = Route(body=ICS.format(title="Retro").encode(), etag='"r2"')
    good_file = tmp_path / "good.ics"
    good_file.write_text(ICS.format(title="Planning"), newline="")
    web_url = feed_server.url(path)
    cache = tmp_path / "cache"
    sources = build_sources(
        settings(
            CalendarSourceConfig(name="Web", location=web_url),
            CalendarSourceConfig(name="File", location=str(good_file)),
            CalendarSourceConfig(name="Missing", location=str(tmp_path / "no.ics")),
        ),
        cache_dir=cache,
        timeout=3,
    )
    fetch_log = CalendarFetchLog(cache)
    assert fetch_log.read() == {}  # never fetched: no record
    before = datetime.now(UTC)
    first, _, missing = load_all(sources, START, END)
    records = fetch_log.read()
    web = records[location_key(web_url)]
    assert web.name == "Web" and web.events == 1 and not web.stale and web.error_message == ""
    assert web.fetched_at == first.fetched_at and before <= web.attempted_at <= datetime.now(UTC)
    assert records[location_key(str(good_file))].events == 1
    gone = records[location_key(str(tmp_path / "no.ics"))]
    assert gone.fetched_at is None and "no.ics" in gone.error_message and missing.error is not None

    feed_server.routes[path] = Route(status=404, body=b"gone", content_type="text/plain")
    stale, _, _ = load_all(sources, START, END)
    web = fetch_log.read()[location_key(web_url)]
    assert stale.stale and web.stale and web.events == 1 and web.fetched_at == first.fetched_at
    assert "HTTP 404" in web.error_message and web.attempted_at > web.fetched_at
    text = fetch_log.path.read_text()
    assert "s3cret" not in text and "private" not in text  # file paths are no secret: they stay, to be fixed


def test_a_source_past_the_deadline_is_recorded_and_a_broken_log_starts_afresh(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    path = "/sources/log-hangs.ics"
    feed_server.routes[path] = Route(hang=True)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / FILE_NAME).write_text("{not json")  # a torn or hand-mangled log is not an error for the loads
    sources = build_sources(
        settings(
            CalendarSourceConfig(name="Slow", location=feed_server.url(path)),
            CalendarSourceConfig(name="Other", location=str(tmp_path / "x.ics")),
        ),
        cache_dir=cache,
        timeout=3,
    )
    slow, _ = load_all(sources, START, END, deadline=0.5)
    record = CalendarFetchLog(cache).read()[location_key(feed_server.url(path))]
    assert slow.error is not None and record.error_title == slow.error.title and "took too long" in record.error_title
    assert record.fetched_at is None and record.events == 0


WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from traystatus.adapters.calendar_fetch_log import CalendarFetchLog
from traystatus.core.calendar_fetch import CalendarFetch
log, who = CalendarFetchLog(Path(sys.argv[1])), sys.argv[2]
for i in range(25):
    log.record([(f"{who}-{i}", CalendarFetch(name=f"{who} {i}", attempted_at=datetime.now(UTC)))])
"""


def test_two_processes_writing_the_fetch_log_at_once_lose_nothing(tmp_path: Path) -> None:
    """The tray's refresh and a CLI run (or the settings window's Test) share the file: read-merge-write is
    done under a lock between processes, so no record is lost."""
    import subprocess
    import sys

    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), who]) for who in ("tray", "cli")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    keys = set(CalendarFetchLog(tmp_path).read())
    assert keys == {f"{who}-{i}" for who in ("tray", "cli") for i in range(25)}


def test_feeds_with_validators_refresh_every_2_minutes_and_feeds_without_wait_longer(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    """The default refresh is 2 minutes (a 304 costs a few hundred bytes); a feed that sends neither ETag nor
    Last-Modified is a whole download each time, so its copy serves for 15 minutes unless the config says."""
    import tomllib

    from traystatus.core.settings import settings_from_mapping

    body = ICS.format(title="Review").encode()
    feed_server.routes["/refresh/etag.ics"] = Route(body=body, etag='"e1"')
    feed_server.routes["/refresh/bare.ics"] = Route(body=body)
    feed_server.routes["/refresh/bare-set.ics"] = Route(body=body)
    text = (
        'timezone = "Europe/Berlin"\n'
        f'[[calendars]]\nname = "Etag"\nurl = "{feed_server.url("/refresh/etag.ics")}"\n'
        f'[[calendars]]\nname = "Bare"\nurl = "{feed_server.url("/refresh/bare.ics")}"\n'
        f'[[calendars]]\nname = "Set"\nurl = "{feed_server.url("/refresh/bare-set.ics")}"\nrefresh_minutes = 3\n'
    )
    config = settings_from_mapping(tomllib.loads(text), source="config.toml", default_tz=BERLIN)
    assert [(c.refresh_minutes, c.refresh_set) for c in config.calendars] == [(2, False), (2, False), (3, True)]
    sources = build_sources(config, cache_dir=tmp_path, timeout=3)
    for _ in range(3):  # three passes
        results = load_all(sources, START, END)
        assert all(r.error is None and [e.title for e in r.events] == ["Review"] for r in results)
    assert len(feed_server.hits("/refresh/etag.ics")) == 3  # asked each pass: two 304s
    assert len(feed_server.hits("/refresh/bare.ics")) == 1  # its copy serves
    assert len(feed_server.hits("/refresh/bare-set.ics")) == 3  # the user asked for it
