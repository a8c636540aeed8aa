"""Benchmark: what following a chained leave costs `traystatus plan`, next to the same plan without one.

The big bench calendar (bench_calendar.generate, ≈8,300 VEVENTs) read by a cold `plan --days 14` (the
real CLI, in-process, empty cache) three ways in one run: as it is (the baseline); with a daily
out-of-office hour every afternoon for a year (working hours lie between: no leave, so no further read);
and with a 90-day leave written as three out-of-office pieces that runs from the plan's first day past
what `plan` reads (14 days past its window), so the calendar is read again further. Prints medians, the
ratios to the baseline and the reads each needed. Run: ``.venv/bin/python bench/bench_leave_chain.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_calendar import PLAN_START, _fmt, generate, plan_cli, settings_for  # noqa: E402
from traystatus.adapters import calendar_sources  # noqa: E402
from traystatus.core.engine import build_timeline  # noqa: E402
from traystatus.core.leave_chain import read_through_leave  # noqa: E402
from traystatus.core.ports import CalendarSource  # noqa: E402
from traystatus.core.settings import Settings  # noqa: E402
from traystatus.core.status_sync import CALENDAR_AHEAD  # noqa: E402

REPEAT = 3


def ooo(uid: str, start: datetime, end: datetime, title: str) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nDTSTART;TZID=Europe/Berlin:{_fmt(start)}\r\n"
        f"DTEND;TZID=Europe/Berlin:{_fmt(end)}\r\nSUMMARY:{title}\r\nX-MICROSOFT-CDO-BUSYSTATUS:OOF\r\nEND:VEVENT\r\n"
    )


def with_events(text: str, *events: str) -> str:
    return text.replace("END:VCALENDAR\r\n", "".join(events) + "END:VCALENDAR\r\n")


def main() -> int:
    big = generate()
    day = PLAN_START.replace(tzinfo=None)
    daily = ooo("school-run@bench", day + timedelta(hours=15), day + timedelta(hours=16), "OOO school run").replace(
        "END:VEVENT", "RRULE:FREQ=DAILY;COUNT=365\r\nEND:VEVENT"
    )
    pieces = [
        ooo(f"leave-{n}@bench", day + timedelta(days=30 * n), day + timedelta(days=30 * (n + 1)), f"Leave {n + 1}/3")
        for n in range(3)
    ]
    variants = {
        "baseline (no leave)": big,
        "daily OOO hour": with_events(big, daily),
        "90-day chained leave": with_events(big, *pieces),
    }
    reads: dict[str, int] = {}
    current = ""
    real_load_all = calendar_sources.load_all

    def counting(*args: object, **kw: object) -> object:
        reads[current] = reads.get(current, 0) + 1
        return real_load_all(*args, **kw)  # type: ignore[arg-type]

    calendar_sources.load_all = counting  # type: ignore[assignment]
    times: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for i, (name, text) in enumerate(variants.items()):
            paths[name] = Path(tmp) / f"v{i}.ics"
            paths[name].write_text(text, encoding="utf-8", newline="")
        for _ in range(REPEAT):  # interleaved: a busy machine slows all three alike
            for name in variants:
                current = name
                t = time.perf_counter()
                plan_cli(paths[name], Path(tmp) / "cache")
                times[name].append(time.perf_counter() - t)
        calendar_sources.load_all = real_load_all  # reads counted for `plan` only
        # the running app: sources kept, a refresh 2 minutes after the last one (an unchanged file)
        refreshes: dict[str, list[float]] = {name: [] for name in variants}
        kept: dict[str, tuple[Settings, list[CalendarSource]]] = {}
        for name in variants:
            settings = settings_for(str(paths[name]))
            kept[name] = (settings, calendar_sources.build_sources(settings, cache_dir=Path(tmp) / "app"))
            refresh(*kept[name], PLAN_START)
        for n in range(1, REPEAT * 3 + 1):
            for name in variants:
                t = time.perf_counter()
                refresh(*kept[name], PLAN_START + timedelta(minutes=2 * n))
                refreshes[name].append(time.perf_counter() - t)
    base = statistics.median(times["baseline (no leave)"])
    print(f"cold `plan --days 14`, median of {REPEAT}, the big calendar ({len(big) / 1e6:.2f} MB):")
    for name in variants:
        median = statistics.median(times[name])
        print(f"  {name:<22} {median:6.2f} s  {median / base:5.2f}x baseline  reads: {reads[name] // REPEAT}")
    base = statistics.median(refreshes["baseline (no leave)"])
    print(f"the running app's refresh of the unchanged file + timeline, median of {REPEAT * 3}:")
    for name in variants:
        median = statistics.median(refreshes[name])
        print(f"  {name:<22} {median * 1000:6.1f} ms {median / base:5.2f}x baseline")
    return 0


def refresh(settings: Settings, sources: list[CalendarSource], now: datetime) -> int:
    """What StatusSync.load_calendars and the timeline do at a refresh (its windows)."""
    results, _ = read_through_leave(
        lambda a, b: calendar_sources.load_all(sources, a, b),
        now - timedelta(hours=36),
        now + CALENDAR_AHEAD,
        window_end=now + timedelta(days=3),
        settings=settings,
    )
    events = [e for r in results for e in r.events]
    return len(build_timeline(settings, events, [], now - timedelta(hours=12), now + timedelta(days=3)).intervals)


if __name__ == "__main__":
    raise SystemExit(main())
