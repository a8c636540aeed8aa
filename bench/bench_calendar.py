"""Benchmark: `traystatus plan` for 14 days on a big calendar (≈8,300 VEVENTs, ≈2.4 MB) vs icalendar +
recurring-ical-events over the same window.

Measures a cold `plan` from the file (the real CLI, in-process, empty cache), an unchanged-feed refresh
(HTTP with ETag → 304, sources kept as the running app keeps them, then the timeline) and peak memory
(tracemalloc), each next to the baseline measured in the same run, as ratios; the occurrences are
checked identical. Run: ``.venv/bin/python bench/bench_calendar.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from traystatus.adapters.calendar_sources import build_sources, load_all  # noqa: E402
from traystatus.app.cli import run as cli_run  # noqa: E402
from traystatus.app.commands.plan import EVENT_LOOKAHEAD  # noqa: E402
from traystatus.core.engine import build_timeline  # noqa: E402
from traystatus.core.hours import parse_hours  # noqa: E402
from traystatus.core.ports import CalendarSource  # noqa: E402
from traystatus.core.settings import CalendarSourceConfig, Settings  # noqa: E402

ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney")
SPAN_START = datetime(2025, 6, 1)
SPAN_DAYS = 3 * 365
USER_ZONE = ZoneInfo("Europe/Berlin")
HOURS = "mon-fri 09:00-12:30,13:30-17:30"
DAYS = 14
PLAN_START = datetime(2026, 11, 23, tzinfo=USER_ZONE)
PLAN_END = PLAN_START + timedelta(days=DAYS)
#: what `plan` reads: its days plus the look-ahead that makes an out-of-office "until" right
WINDOW_START, WINDOW_END = PLAN_START, PLAN_END + EVENT_LOOKAHEAD
WORDS = ("planning", "review", "sync", "retro", "design", "budget", "hiring", "roadmap", "customer", "incident")


def _fmt(d: datetime) -> str:
    return d.strftime("%Y%m%dT%H%M%S")


def _vevent(rng: random.Random, uid: str, start: datetime, minutes: int, zone: str, extra: str = "") -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(3))
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\n"
        f"DTSTART;TZID={zone}:{_fmt(start)}\r\nDTEND;TZID={zone}:{_fmt(start + timedelta(minutes=minutes))}\r\n"
        f"SUMMARY:{words.title()}\r\n{extra}"
        "STATUS:CONFIRMED\r\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\nEND:VEVENT\r\n"
    )


def generate(seed: int = 7) -> str:
    """5,000 single events over three years; 300 weekly series, each with 20 EXDATEs and 10 overrides."""
    rng = random.Random(seed)
    out = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus//bench//EN\r\n"]
    for i in range(5000):
        day = SPAN_START + timedelta(
            days=rng.randrange(SPAN_DAYS), hours=rng.randint(7, 18), minutes=rng.choice((0, 15, 30, 45))
        )
        out.append(_vevent(rng, f"single-{i}@bench", day, rng.choice((15, 30, 45, 60, 90)), rng.choice(ZONES)))
    for s in range(300):
        zone = rng.choice(ZONES)
        first = SPAN_START + timedelta(days=rng.randrange(SPAN_DAYS - 200), hours=rng.randint(8, 17))
        weeks = rng.randint(40, 120)
        kind = rng.random()
        if kind < 0.4:
            last = (first + timedelta(weeks=weeks - 1)).replace(tzinfo=ZoneInfo(zone))
            rule = f"FREQ=WEEKLY;UNTIL={_fmt(last.astimezone(UTC))}Z"
        elif kind < 0.8:
            rule = f"FREQ=WEEKLY;COUNT={weeks}"
        else:
            rule = "FREQ=WEEKLY"
        picks = rng.sample(range(1, weeks), 30)
        exdates = [first + timedelta(weeks=w) for w in picks[:20]]
        moved = [first + timedelta(weeks=w) for w in picks[20:]]
        extra = f"RRULE:{rule}\r\n" + "".join(f"EXDATE;TZID={zone}:{_fmt(d)}\r\n" for d in exdates)
        uid = f"series-{s}@bench"
        out.append(_vevent(rng, uid, first, 60, zone, extra))
        for d in moved:
            shift = timedelta(hours=rng.choice((-2, 1, 2, 24)))
            out.append(_vevent(rng, uid, d + shift, 30, zone, f"RECURRENCE-ID;TZID={zone}:{_fmt(d)}\r\n"))
    out.append("END:VCALENDAR\r\n")
    return "".join(out)


def baseline(text: str) -> list[tuple[str, datetime, datetime]]:
    """icalendar parse + recurring_ical_events.of(cal).between() over the window `plan` reads."""
    cal = icalendar.Calendar.from_ical(text)
    return sorted(
        (str(e["UID"]), e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in recurring_ical_events.of(cal).between(WINDOW_START, WINDOW_END)
    )


def settings_for(location: str) -> Settings:
    return Settings(
        timezone=USER_ZONE, hours=parse_hours(HOURS), calendars=(CalendarSourceConfig(name="bench", location=location),)
    )


def occurrences(sources: list[CalendarSource]) -> list[tuple[str, datetime, datetime]]:
    [result] = load_all(sources, WINDOW_START, WINDOW_END)
    assert result.error is None, result.error
    return sorted((e.uid, e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in result.events)


def plan_cli(path: Path, cache: Path) -> int:
    """`traystatus plan --calendar big.ics … --days 14 --json`, in this process, with an empty cache."""
    os.environ["XDG_CACHE_HOME"] = str(cache / str(time.perf_counter_ns()))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli_run(
            [
                "plan",
                "--calendar",
                str(path),
                "--tz",
                USER_ZONE.key,
                "--hours",
                HOURS,
                "--from",
                PLAN_START.date().isoformat(),
                "--days",
                str(DAYS),
                "--json",
            ]
        )
    assert code == 0, code
    return len(json.loads(out.getvalue()))


def refresh(sources: list[CalendarSource], settings: Settings) -> int:
    """What the running app does at each refresh: load every source, rebuild the timeline."""
    events = [e for r in load_all(sources, WINDOW_START, WINDOW_END) for e in r.events]
    return len(build_timeline(settings, events, [], PLAN_START, PLAN_END).intervals)


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return min(runs) if repeat < 5 else statistics.median(runs)


def peak(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def serve(body: bytes) -> tuple[ThreadingHTTPServer, str, list[int]]:
    """The feed on 127.0.0.1 with an ETag; returns the server, a secret-looking URL and the statuses sent."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.headers.get("If-None-Match") == etag:
                statuses.append(304)
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            statuses.append(200)
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/calendar/ical/secret/basic.ics", statuses


def main() -> int:
    text = generate()
    body = text.encode()
    tmp = Path(tempfile.mkdtemp(prefix="bench-calendar-"))
    path = tmp / "big.ics"
    path.write_bytes(body)
    print(
        f"calendar: {len(body) / 1e6:.2f} MB, {text.count('BEGIN:VEVENT')} VEVENTs "
        f"({text.count('RRULE:')} series, {text.count('RECURRENCE-ID')} overrides, "
        f"{text.count('EXDATE')} EXDATEs); plan {PLAN_START:%Y-%m-%d} + {DAYS} days, "
        f"events read to {WINDOW_END:%Y-%m-%d}"
    )

    file_settings = settings_for(str(path))
    expected = baseline(text)
    got = occurrences(build_sources(file_settings, cache_dir=tmp / "c0"))
    identical = expected == got
    print(f"occurrences: baseline {len(expected)}, ours {len(got)}, identical: {identical}")
    intervals = plan_cli(path, tmp)  # warm-up: imports
    print(f"plan: {intervals} intervals")

    t_base = timed(lambda: baseline(path.read_text("utf-8")), 3)
    t_cold = timed(lambda: plan_cli(path, tmp), 3)
    httpd, url, statuses = serve(body)
    try:
        feed_settings = settings_for(url)
        feed = build_sources(feed_settings, cache_dir=tmp / "http-cache")
        refresh(feed, feed_settings)  # the first fetch: 200, parsed
        t_refresh = timed(lambda: refresh(feed, feed_settings), 21)
        refreshed_same = occurrences(feed) == expected
        not_modified = statuses[0] == 200 and set(statuses[1:]) == {304}
    finally:
        httpd.shutdown()
        httpd.server_close()
    m_base = peak(lambda: baseline(path.read_text("utf-8")))
    m_cold = peak(lambda: plan_cli(path, tmp))
    local = build_sources(file_settings, cache_dir=tmp / "c1")
    refresh(local, file_settings)  # the first read: parsed
    t_file = timed(lambda: refresh(local, file_settings), 21)

    rows = [
        ("baseline: icalendar parse + recurring_ical_events.between()", t_base, 1.0, None),
        (f"ours: traystatus plan --days {DAYS}, cold from the file", t_cold, t_cold / t_base, 0.25),
        ("ours: unchanged feed refresh (HTTP 304) + timeline, median of 21", t_refresh, t_refresh / t_base, 0.01),
        ("ours: unchanged file refresh (same hash) + timeline, median of 21", t_file, t_file / t_base, 0.01),
    ]
    for label, seconds, ratio, target in rows:
        verdict = "" if target is None else ("  OK" if ratio <= target else f"  MISSED (target ≤ {target}×)")
        print(f"{label:<66} {seconds * 1000:9.1f} ms  {ratio:7.4f}×{verdict}")
    mem_ratio = m_cold / m_base
    print(f"{'peak memory (tracemalloc): baseline':<66} {m_base / 2**20:9.1f} MiB")
    print(
        f"{'peak memory (tracemalloc): ours, plan cold':<66} {m_cold / 2**20:9.1f} MiB  {mem_ratio:7.4f}×"
        f"{'  OK' if mem_ratio <= 0.5 else '  MISSED (target ≤ 0.5×)'}"
    )
    print(
        f"refresh: {len(statuses) - 1} conditional GETs answered 304: {not_modified}; "
        f"occurrences identical: {refreshed_same}"
    )
    return 0 if identical and refreshed_same and not_modified else 1


if __name__ == "__main__":
    raise SystemExit(main())
