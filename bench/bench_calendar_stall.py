"""Benchmark: how long reading one big calendar keeps the other threads (the scheduler's) from running.

Issue 14 asks for parsing that cannot block the scheduler, with a separate process only if measurement
shows it is needed. This reads calendars of a few MB in a worker thread, as the app does, while a
ticker thread sleeps 10 ms at a time, and prints the ticker's worst stall next to the read's wall and
CPU time; the reference row is an ordinary 30-event calendar. A stall far above 10 ms means something
holds the GIL (a C-level regex, a garbage collection of millions of objects) for that long.
Each case is read twice in the same run: with the collector running through the read (the baseline, as
before ``adapters/collector_pause``) and paused for the read, as the app reads it now.
Run: ``.venv/bin/python bench/bench_calendar_stall.py``.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from traystatus.adapters import calendar_ics
from traystatus.adapters.calendar_ics import expand_text
from traystatus.adapters.calendar_parse import ParseContext

NOW = datetime.now(UTC).replace(microsecond=0)
CTX = ParseContext(source="bench", zone=ZoneInfo("Europe/Berlin"))
HEAD, TAIL = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n", "END:VCALENDAR\r\n"


def _event(i: int, extra: str = "") -> str:
    start = (NOW + timedelta(hours=i % 700)).strftime("%Y%m%dT%H%M%SZ")
    return (
        f"BEGIN:VEVENT\r\nUID:{i}@bench\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Meeting {i}\r\nDTSTART:{start}\r\n"
        f"DURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\n{extra}END:VEVENT\r\n"
    )


def cases() -> dict[str, str]:
    return {
        "30 weekly events (reference)": HEAD + "".join(_event(i) for i in range(30)) + TAIL,
        "5,000 weekly events": HEAD + "".join(_event(i) for i in range(5000)) + TAIL,
        "20,000 weekly events": HEAD + "".join(_event(i) for i in range(20000)) + TAIL,
        "one event with a 4.5 MB DESCRIPTION": HEAD
        + _event(0, "DESCRIPTION:" + "a;b:c,d=\\" * 500_000 + "\r\n")
        + TAIL,
    }


def measure(text: str) -> str:
    worst, done = [0.0], threading.Event()

    def tick() -> None:
        while not done.is_set():
            t = time.perf_counter()
            time.sleep(0.01)
            worst[0] = max(worst[0], time.perf_counter() - t - 0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    t, c = time.perf_counter(), time.process_time()
    events, warnings = expand_text(text.encode(), NOW, NOW + timedelta(days=30), CTX)
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    done.set()
    ticker.join()
    return (
        f"{len(text) / 1e6:5.1f} MB  {wall:6.2f} s wall {cpu:6.2f} s CPU  worst stall {worst[0] * 1000:6.0f} ms"
        f"  ({len(events)} events, {len(warnings)} warning(s))"
    )


def main() -> int:
    expand_text((HEAD + _event(0) + TAIL).encode(), NOW, NOW + timedelta(days=30), CTX)  # warm-up: imports
    paused = calendar_ics.collector_paused
    for name, text in cases().items():
        calendar_ics.collector_paused = contextlib.nullcontext  # type: ignore[assignment]  # the baseline
        print(f"{name:<40} collector on: {measure(text)}")
        gc.collect()
        calendar_ics.collector_paused = paused
        print(f"{'':<40} paused:       {measure(text)}")
        gc.collect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
