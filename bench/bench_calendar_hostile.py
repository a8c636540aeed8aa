"""Benchmark: what one small hostile or broken event costs to read, vs icalendar + recurring-ical-events.

Each case is a calendar of about 1 KB or less (the 280-KB alarm case excepted, named so) that anyone can
send as an invite. Ours is the app's whole read (normalise, prefilter, parse, bounded expansion) over a
30-day window from now, median of 3 in this process. The baseline is plain icalendar parse +
``recurring_ical_events.of(cal).between()`` over the same window, run once in a child process that is
killed after ``--limit`` seconds (default 20) and reports its CPU time and peak RSS. Target (issue 14):
ours ≤ 50 ms for every 1-KB event. Run: ``.venv/bin/python bench/bench_calendar_hostile.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from traystatus.adapters.calendar_ics import expand_text  # noqa: E402
from traystatus.adapters.calendar_parse import ParseContext  # noqa: E402
from traystatus.core.errors import CalendarError  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
END = NOW + timedelta(days=30)
TARGET_MS = 50.0
_BASELINE = """
import resource, sys, time
from datetime import datetime
import icalendar, recurring_ical_events
start, end = datetime.fromisoformat(sys.argv[1]), datetime.fromisoformat(sys.argv[2])
t = time.process_time()
try:
    cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read().decode())
    n = len(recurring_ical_events.of(cal).between(start, end))
except Exception as e:
    n = type(e).__name__
print(time.process_time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, n)
"""


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _calendar(body: str) -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{body}END:VCALENDAR\r\n"


def _event(lines: str, start: datetime = NOW) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:hostile@bench\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Standup\r\n"
        f"DTSTART:{_stamp(start)}\r\n{lines}END:VEVENT\r\n"
    )


def cases() -> dict[str, str]:
    days = ",".join(map(str, range(60)))
    hours = ",".join(map(str, range(24)))
    return {
        "plain weekly meeting (reference)": _calendar(_event("DURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\n")),
        "SECONDLY;COUNT=1000000000 near now": _calendar(
            _event("DURATION:PT1S\r\nRRULE:FREQ=SECONDLY;COUNT=1000000000\r\n")
        ),
        "SECONDLY from 2000, no end": _calendar(
            _event("DURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\n", datetime(2000, 1, 1, tzinfo=UTC))
        ),
        "MINUTELY from 2020, no end": _calendar(
            _event("DURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\n", datetime(2020, 1, 1, tzinfo=UTC))
        ),
        "DAILY with 24 BYHOUR × 60 BYMINUTE × 60 BYSECOND": _calendar(
            _event(f"DURATION:PT1S\r\nRRULE:FREQ=DAILY;BYHOUR={hours};BYMINUTE={days};BYSECOND={days}\r\n")
        ),
        "SECONDLY rule that never matches (30 February)": _calendar(
            _event("DURATION:PT1H\r\nRRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\r\n")
        ),
        "DURATION:P99999999W, COUNT=10**14": _calendar(
            _event("DURATION:P99999999W\r\nRRULE:FREQ=DAILY;COUNT=99999999999999\r\n")
        ),
        "280 KB of unclosed BEGIN:VALARM (not 1 KB)": _calendar(
            _event("DURATION:PT1H\r\n" + "BEGIN:VALARM\r\n" * 20_000)
        ),
    }


def ours(text: str) -> tuple[float, str]:
    ctx = ParseContext(source="bench", zone=ZoneInfo("Europe/Berlin"))
    times, outcome = [], ""
    for _ in range(3):
        t = time.perf_counter()
        try:
            events, warnings = expand_text(text.encode(), NOW, END, ctx)
            outcome = f"{len(events)} events, {len(warnings)} warning(s)"
        except CalendarError as e:
            outcome = f"error: {e.title}"
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, outcome


def baseline(text: str, limit: float) -> tuple[str, str]:
    argv = [sys.executable, "-c", _BASELINE, NOW.isoformat(), END.isoformat()]
    try:
        done = subprocess.run(argv, input=text.encode(), capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"> {limit:g} s (killed)", ""
    cpu, rss, n = done.stdout.decode().split()
    return f"{float(cpu) * 1000:.1f} ms", f"{rss} MB RSS, {n}"


def main() -> int:
    limit = float(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 20.0
    ours(_calendar(_event("DURATION:PT30M\r\n")))  # warm-up: imports
    print(f"window {NOW:%Y-%m-%d %H:%M}Z + 30 days; ours: median of 3; baseline: one run, killed after {limit:g} s")
    print(f"{'case':<50} {'size':>7} {'baseline':>18} {'ours':>10}  ours: outcome")
    missed = 0
    for name, text in cases().items():
        base, base_note = baseline(text, limit)
        ms, outcome = ours(text)
        small = len(text) <= 1024
        verdict = "" if not small else ("  OK" if ms <= TARGET_MS else f"  MISSED (target ≤ {TARGET_MS:g} ms)")
        missed += small and ms > TARGET_MS
        print(f"{name:<50} {len(text):>6}B {base:>18} {ms:>8.1f}ms  {outcome}{verdict}")
        if base_note:
            print(f"{'':<50} {'':>7} {base_note:>18}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
