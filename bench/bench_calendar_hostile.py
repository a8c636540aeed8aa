"""Benchmark: what one small hostile or broken event costs to read, vs icalendar + recurring-ical-events.

Each case is a calendar of about 1 KB or less (the 280-KB alarm case excepted, named so) that anyone can
send as an invite, next to ordinary ones (the reference rows). Ours is the app's whole read (normalise,
prefilter, parse, bounded expansion) over a 30-day window from now: median of 3 in a child process,
CPU time (wall time beside it: on a loaded machine it is longer) and the peak RSS that child grew by
(after a warm-up read); the target is judged on CPU time. ``--compare DIR`` adds the same figures
for another checkout (``--compare /work/main``: before and after in one run). The baseline is plain
icalendar parse + ``recurring_ical_events.of(cal).between()`` over the same window. Every child is
killed after ``--limit`` seconds (default 20). Target (issue 14): ours ≤ 50 ms for every 1-KB event.
Run: ``.venv/bin/python bench/bench_calendar_hostile.py [--limit S] [--compare DIR]``.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

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
_OURS = """
import resource, statistics, sys, time
from datetime import datetime
from zoneinfo import ZoneInfo
sys.path.insert(0, sys.argv[1])
from traystatus.adapters.calendar_ics import expand_text
from traystatus.adapters.calendar_parse import ParseContext
from traystatus.core.errors import CalendarError
start, end = datetime.fromisoformat(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
ctx = ParseContext(source="bench", zone=ZoneInfo("Europe/Berlin"))
data = sys.stdin.buffer.read()
expand_text(sys.argv[4].encode(), start, end, ctx)  # warm-up: imports, zone data
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times, cpu = [], []
for _ in range(3):
    t, c = time.perf_counter(), time.process_time()
    try:
        events, warnings = expand_text(data, start, end, ctx)
        outcome = f"{len(events)} events, {len(warnings)} warning(s)"
    except CalendarError as e:
        outcome = f"error: {e.title}"
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
print(statistics.median(cpu) * 1000, statistics.median(times) * 1000, grown, outcome)
"""


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _calendar(body: str, zones: str = "") -> str:
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{zones}{body}END:VCALENDAR\r\n"


def _event(lines: str, start: datetime | str = NOW) -> str:
    when = start if isinstance(start, str) else f"DTSTART:{_stamp(start)}"
    return (
        f"BEGIN:VEVENT\r\nUID:hostile@bench\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Standup\r\n"
        f"{when}\r\n{lines}END:VEVENT\r\n"
    )


def _zone(standard_rule: str, onset: str = "19700101T000000") -> str:
    """A custom VTIMEZONE 'Evil' whose STANDARD part repeats by ``standard_rule``, and an event in it."""
    zone = (
        f"BEGIN:VTIMEZONE\r\nTZID:Evil\r\nBEGIN:STANDARD\r\nDTSTART:{onset}\r\nTZOFFSETFROM:+0200\r\n"
        f"TZOFFSETTO:+0100\r\nRRULE:{standard_rule}\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:{onset}\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    start = f"DTSTART;TZID=Evil:{NOW:%Y%m%dT%H%M%S}"
    return _calendar(_event("DURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\n", start), zone)


def cases() -> dict[str, str]:
    days = ",".join(map(str, range(60)))
    hours = ",".join(map(str, range(24)))
    y2000, y1990 = datetime(2000, 1, 1, tzinfo=UTC), datetime(1990, 1, 1, 9, tzinfo=UTC)
    never = "repeats by a rule that never matches:"
    return {
        "plain weekly meeting (reference)": _calendar(_event("DURATION:PT30M\r\nRRULE:FREQ=WEEKLY\r\n")),
        "daily meeting since 1990 (reference)": _calendar(_event("DURATION:PT30M\r\nRRULE:FREQ=DAILY\r\n", y1990)),
        "Outlook zone from 1601 (reference)": _zone("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "16010101T030000"),
        "SECONDLY;COUNT=1000000000 near now": _calendar(
            _event("DURATION:PT1S\r\nRRULE:FREQ=SECONDLY;COUNT=1000000000\r\n")
        ),
        "SECONDLY from 2000, no end": _calendar(_event("DURATION:PT1S\r\nRRULE:FREQ=SECONDLY\r\n", y2000)),
        "MINUTELY from 2020, no end": _calendar(
            _event("DURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\n", datetime(2020, 1, 1, tzinfo=UTC))
        ),
        "HOURLY from 2016, no end": _calendar(
            _event("DURATION:PT30M\r\nRRULE:FREQ=HOURLY\r\n", datetime(2016, 3, 1, tzinfo=UTC))
        ),
        "DAILY with 24 BYHOUR × 60 BYMINUTE × 60 BYSECOND": _calendar(
            _event(f"DURATION:PT1S\r\nRRULE:FREQ=DAILY;BYHOUR={hours};BYMINUTE={days};BYSECOND={days}\r\n")
        ),
        "YEARLY, every day × 24 h × 60 min": _calendar(
            _event(f"RRULE:FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR={hours};BYMINUTE={days}\r\n")
        ),
        "SECONDLY rule that never matches (30 February)": _calendar(
            _event("DURATION:PT1H\r\nRRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30\r\n")
        ),
        f"{never} BYYEARDAY=1 in June": _calendar(_event("RRULE:FREQ=DAILY;BYYEARDAY=1;BYMONTH=6\r\n")),
        f"{never} week 1 in July": _calendar(_event("RRULE:FREQ=DAILY;BYWEEKNO=1;BYMONTH=7\r\n")),
        f"{never} BYYEARDAY=400": _calendar(_event("RRULE:FREQ=DAILY;BYYEARDAY=400\r\n")),
        f"{never} DAILY;BYSETPOS=2": _calendar(_event("RRULE:FREQ=DAILY;BYSETPOS=2\r\n")),
        f"{never} every 7 days on a Tuesday": _calendar(
            _event("RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU\r\n", datetime(2026, 11, 30, 9, tzinfo=UTC))
        ),
        "DAILY;COUNT=99999 from 1800": _calendar(_event("RRULE:FREQ=DAILY;COUNT=99999\r\n", datetime(1800, 1, 1))),
        "DURATION:P99999999W, COUNT=10**14": _calendar(
            _event("DURATION:P99999999W\r\nRRULE:FREQ=DAILY;COUNT=99999999999999\r\n")
        ),
        "zone whose STANDARD repeats SECONDLY": _zone("FREQ=SECONDLY"),
        "zone whose STANDARD repeats DAILY": _zone("FREQ=DAILY"),
        "zone whose STANDARD never matches (30 Feb)": _zone("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
        "zone whose STANDARD starts in the year 1": _zone("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "00010101T030000"),
        "280 KB of unclosed BEGIN:VALARM (not 1 KB)": _calendar(
            _event("DURATION:PT1H\r\n" + "BEGIN:VALARM\r\n" * 20_000)
        ),
    }


def ours(text: str, root: Path, limit: float) -> tuple[float | None, str]:
    warm = _calendar(_event("DURATION:PT30M\r\n"))
    argv = [sys.executable, "-c", _OURS, str(root), NOW.isoformat(), END.isoformat(), warm]
    try:
        done = subprocess.run(argv, input=text.encode(), capture_output=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return None, f"> {limit:g} s (killed)"
    if done.returncode:
        return None, done.stderr.decode().strip().splitlines()[-1][:80]
    ms, wall, mb, outcome = done.stdout.decode().split(maxsplit=3)
    said = f"{float(ms):7.1f} ms CPU ({float(wall):6.1f} ms wall) {float(mb):4.0f} MB  {outcome.strip()}"
    return float(ms), said


def baseline(text: str, limit: float) -> str:
    argv = [sys.executable, "-c", _BASELINE, NOW.isoformat(), END.isoformat()]
    try:
        done = subprocess.run(argv, input=text.encode(), capture_output=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return f"> {limit:g} s (killed)"
    cpu, rss, n = done.stdout.decode().split()
    return f"{float(cpu) * 1000:.1f} ms, {rss} MB RSS, {n}"


def main() -> int:
    limit = float(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 20.0
    other = Path(sys.argv[sys.argv.index("--compare") + 1]) if "--compare" in sys.argv else None
    print(f"window {NOW:%Y-%m-%d %H:%M}Z + 30 days; ours: median of 3, RSS grown; children killed after {limit:g} s")
    missed = 0
    for name, text in cases().items():
        small = len(text) <= 1024
        print(f"{name} ({len(text)} B)")
        print(f"    baseline (icalendar + r-i-e): {baseline(text, limit)}")
        if other is not None:
            print(f"    {other!s:<28}: {ours(text, other, limit)[1]}")
        ms, said = ours(text, ROOT, limit)
        late = ms is None or ms > TARGET_MS
        verdict = "" if not small else (f"  MISSED (target ≤ {TARGET_MS:g} ms)" if late else "  OK")
        missed += small and late
        print(f"    {'ours (this checkout)':<28}: {said}{verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
