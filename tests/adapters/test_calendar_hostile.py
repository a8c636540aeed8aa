"""Hostile feed servers on 127.0.0.1: each is cut off by the fetch's total deadline or refused with a clear
message, the last good copy keeps serving (also to the next process, from the disk cache), no thread is left."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.bounded_http import redirect_allowed
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_sources import load_all
from traystatus.core.ports import CalendarResult

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, tzinfo=BERLIN)
END = datetime(2026, 11, 30, tzinfo=BERLIN)
_ids = itertools.count()

GOOD = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:plan@test\r\n"
    b"DTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261124T100000\r\n"
    b"DTEND;TZID=Europe/Berlin:20261124T110000\r\nSUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def feed(server: FeedServer, r: Route) -> tuple[str, str]:
    path = f"/hostile/{next(_ids)}/private-5ecr3tt0ken.ics"
    server.routes[path] = r
    return path, server.url(path)


def source(url: str, cache: Path, timeout: float = 30.0) -> IcsCalendarSource:
    return IcsCalendarSource("Work", url, zone=BERLIN, cache_dir=cache, timeout=timeout)


def titles(result: CalendarResult) -> list[str]:
    return [e.title for e in result.events]


def timed_load(src: IcsCalendarSource) -> tuple[CalendarResult, float]:
    t0 = time.monotonic()
    result = src.load(START, END)
    return result, time.monotonic() - t0


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_total_deadline(
    feed_server: FeedServer, tmp_path: Path, part: str
) -> None:
    """A byte every 50 ms never trips a per-read timeout; the fetch's 1.5 s total deadline ends it."""
    path, url = feed(feed_server, Route(body=GOOD))
    assert titles(source(url, tmp_path).load(START, END)) == ["Planning"]
    feed_server.routes[path] = Route(trickle=part, body=GOOD[:40])
    result, took = timed_load(source(url, tmp_path, timeout=1.5))  # a new process: the disk copy serves
    assert 1.4 < took < 4.0
    assert result.error is not None and "no complete answer within 1.5 s" in result.error.message
    assert titles(result) == ["Planning"] and result.stale
    assert "5ecr3tt0ken" not in str(result.error)


def test_a_huge_header_is_named_not_called_unreachable(feed_server: FeedServer, tmp_path: Path) -> None:
    _, url = feed(feed_server, Route(header_bytes=200_000, body=GOOD))
    result = source(url, tmp_path).load(START, END)
    assert result.error is not None
    assert "oversized headers" in result.error.message and "could not be reached" not in result.error.message


@pytest.mark.parametrize(
    ("hiccup", "says"),
    [
        (Route(body=b"<!DOCTYPE html><html>Service Unavailable</html>", content_type="text/html"), "web page"),
        (Route(body=b""), "empty answer"),
        (Route(body=GOOD[:150], send_length=False), "cut off"),
        (Route(body=GOOD[:150], claim_extra=500), "broke off the download"),
    ],
    ids=["html-with-200", "empty", "cut-off-without-length", "shorter-than-its-length"],
)
def test_a_server_hiccup_never_replaces_the_last_good_copy(
    feed_server: FeedServer, tmp_path: Path, hiccup: Route, says: str
) -> None:
    path, url = feed(feed_server, Route(body=GOOD, etag='"v1"'))
    good = source(url, tmp_path).load(START, END)
    cached = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".ics"}
    feed_server.routes[path] = hiccup
    result = source(url, tmp_path).load(START, END)
    assert result.error is not None and says in result.error.message, result.error
    assert titles(result) == ["Planning"] and result.stale and result.fetched_at == good.fetched_at
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix == ".ics"} == cached
    feed_server.routes[path] = Route(body=GOOD.replace(b"Planning", b"Retro"), etag='"v2"')
    assert titles(source(url, tmp_path).load(START, END)) == ["Retro"]  # a whole calendar does replace it


def test_a_redirect_to_another_port_is_refused_and_never_followed(
    feed_server: FeedServer, other_feed_server: FeedServer, tmp_path: Path
) -> None:
    target_path, target = feed(other_feed_server, Route(body=GOOD))
    _, url = feed(feed_server, Route(status=302, location=target))
    result = source(url, tmp_path).load(START, END)
    port = other_feed_server.base.rsplit(":", 1)[1]
    assert result.error is not None and f"redirects to http://127.0.0.1:{port}" in result.error.message
    assert "https" in result.error.message  # what to do: the final https address
    assert other_feed_server.hits(target_path) == []


def test_a_redirect_on_the_same_server_is_followed(feed_server: FeedServer, tmp_path: Path) -> None:
    _, target = feed(feed_server, Route(body=GOOD))
    _, url = feed(feed_server, Route(status=301, location=target.removeprefix(feed_server.base)))
    assert titles(source(url, tmp_path).load(START, END)) == ["Planning"]


@pytest.mark.parametrize(
    ("source_url", "target", "allowed"),
    [
        ("http://cal.example/a", "https://other.example/b", True),
        ("https://cal.example/a", "https://cal.example:8443/b", True),
        ("http://cal.example/a", "http://cal.example:80/b", True),
        ("http://cal.example/a", "http://cal.example:8080/b", False),
        ("https://cal.example/a", "http://cal.example/b", False),
        ("http://cal.example/a", "http://evil.example/a", False),
    ],
)
def test_redirect_policy(source_url: str, target: str, allowed: bool) -> None:
    assert redirect_allowed(source_url, target) is allowed


def test_a_pass_waits_no_longer_than_the_deadline_and_leaves_no_thread(feed_server: FeedServer, tmp_path: Path) -> None:
    """Two hostile calendars and a good one, three passes: each pass ends by the deadline with the good
    calendar read, and every thread the passes started has ended."""
    before = {t.ident for t in threading.enumerate()}
    _, slow = feed(feed_server, Route(trickle="body", body=GOOD[:40]))
    _, silent = feed(feed_server, Route(hang=True))
    _, good = feed(feed_server, Route(body=GOOD))
    sources = [source(u, tmp_path / str(i), timeout=1.0) for i, u in enumerate((slow, silent, good))]
    for _ in range(3):
        t0 = time.monotonic()
        results = load_all(sources, START, END, deadline=5.0)
        assert time.monotonic() - t0 < 3.0
        assert [r.error is not None for r in results] == [True, True, False]
        assert titles(results[2]) == ["Planning"]
    deadline = time.monotonic() + 5
    while (feed_server.trickling or ours(before)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ours(before) == [] and feed_server.trickling == 0  # the server saw each trickled connection closed


def ours(before: set[int | None]) -> list[str]:
    """Threads started since ``before``, except the test server's own connection handlers."""
    return [
        t.name
        for t in threading.enumerate()
        if t.ident not in before and "process_request_thread" not in t.name and t.name != "feed-server"
    ]


def test_the_deadline_counts_from_the_start_not_per_read(feed_server: FeedServer, tmp_path: Path) -> None:
    """A body trickled at a byte every 0.2 s for longer than the deadline ends at the deadline."""
    _, url = feed(feed_server, Route(trickle="body", body=GOOD[:40], trickle_every=0.2))
    result, took = timed_load(source(url, tmp_path, timeout=1.0))
    assert result.error is not None and took < timedelta(seconds=3).total_seconds()


def test_the_cached_copy_is_private(feed_server: FeedServer, tmp_path: Path) -> None:
    """Meeting titles on disk: readable by this user only, like the CalDAV cache."""
    import stat

    _, url = feed(feed_server, Route(body=GOOD, etag='"p"'))
    assert titles(source(url, tmp_path).load(START, END)) == ["Planning"]
    files = sorted(tmp_path.glob("feed-*"))
    assert [p.suffix for p in files] == [".ics", ".json"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert not list(tmp_path.glob(".*tmp"))  # nothing half-written left behind
