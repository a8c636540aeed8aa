"""Benchmark: the availability engine over 14 days of a busy calendar, next to a minute-by-minute baseline.

The baseline is the obvious approach (evaluate the precedence rules at every minute of the window);
both are run in the same process and their states are checked identical at every minute.
Run: ``.venv/bin/python bench/bench_engine.py``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from traystatus.core.classify import classify  # noqa: E402
from traystatus.core.engine import build_timeline, next_transition  # noqa: E402
from traystatus.core.hours import parse_hours  # noqa: E402
from traystatus.core.model import CalendarEvent, EventKind, State  # noqa: E402
from traystatus.core.settings import Settings  # noqa: E402
from traystatus.core.work_periods import MAX_BREAK, work_pieces  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone=ZONE, hours=parse_hours("mon-fri 09:00-12:30,13:30-17:30"))
START = datetime(2026, 10, 19, tzinfo=ZONE).astimezone(UTC)  # spans the October DST change
END = START + timedelta(days=14)
TITLES = ["Standup", "1:1", "Design review", "Focus block", "OOO", "Interview", "Planning"]


def events(n: int, seed: int = 7) -> list[CalendarEvent]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a = START + timedelta(minutes=15 * rng.randrange(0, 14 * 24 * 4))
        out.append(
            CalendarEvent(
                uid=str(i),
                start=a,
                end=a + timedelta(minutes=rng.choice([15, 30, 45, 60, 120])),
                title=rng.choice(TITLES),
                transparent=rng.random() < 0.1,
            )
        )
    return out


def _day(moment: datetime) -> object:
    return moment.astimezone(ZONE).date()


def baseline(evs: list[CalendarEvent]) -> list[State]:
    """The state at every minute, by brute force."""
    cls = [classify(e, SETTINGS.rules) for e in evs]
    work = work_pieces(SETTINGS, START, END)
    order = {EventKind.OOO: State.OOO, EventKind.FOCUS: State.FOCUS, EventKind.MEETING: State.MEETING}
    states = []
    t = START
    while t < END:
        kinds = {c.kind for c in cls if c.event.start <= t < c.event.end}
        state = next((s for k, s in order.items() if k in kinds), None)
        if state is None:
            if any(w.start <= t < w.end for w in work):
                state = State.AVAILABLE
            else:  # between two working pieces of one local day, less than MAX_BREAK apart: a break
                before = max((w.end for w in work if w.end <= t), default=None)
                after = min((w.start for w in work if w.start > t), default=None)
                same_day = before is not None and after is not None and _day(before) == _day(after)
                state = State.BREAK if same_day and after - before < MAX_BREAK else State.OFF_HOURS
        states.append(state)
        t += timedelta(minutes=1)
    return states


def ours(evs: list[CalendarEvent]) -> list[State]:
    tl = build_timeline(SETTINGS, evs, [], START, END)
    states = []
    t, nxt, current = START, START, tl.intervals[0]
    while t < END:  # walk the timeline like the scheduler does: transition to transition
        if t >= nxt:
            current = tl.at(t)
            nxt = next_transition(tl, t) or END
        states.append(current.state)
        t += timedelta(minutes=1)
    return states


def timed(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main() -> None:
    print("engine: 14 days, Europe/Berlin, two blocks a day, across a DST change (medians)")
    for n in (50, 300, 1000):
        evs = events(n)
        assert ours(evs) == baseline(evs), "states differ from the baseline"
        t_ours = timed(lambda evs=evs: build_timeline(SETTINGS, evs, [], START, END), 7)
        t_base = timed(lambda evs=evs: baseline(evs), 3 if n < 1000 else 1)
        print(
            f"  {n:5d} events: build_timeline {t_ours * 1000:8.2f} ms   minute-by-minute baseline "
            f"{t_base * 1000:9.1f} ms   ratio {t_ours / t_base:.4f}   (states identical at all 20,160 minutes)"
        )


if __name__ == "__main__":
    main()
