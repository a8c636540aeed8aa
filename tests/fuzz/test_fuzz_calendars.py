"""Fuzz harness: mutated real calendars never crash, stay within time and memory, and read the same with
the prefilter on and off.

Seeds are the real corpus (tests/data/ics) and the quirk calendars (tests/data/quirks); mutations are
what broken producers and hostile senders write: flipped bytes, duplicated or cut lines, huge numbers
in RRULE/DURATION/COUNT/UNTIL, deep nesting, components left open, dense rules. Each input is read
twice through the app's path: once with the prefilter, once without; both runs measure their own cost.

CI runs ``TRAYSTATUS_FUZZ_EXAMPLES`` inputs (default 150, about 25 s); longer on demand, e.g.
``TRAYSTATUS_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest -q tests/fuzz`` (about 0.2 s an input
here). A failure prints the hypothesis example; the seed file and mutations reproduce it.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traystatus.adapters.calendar_ics import expand_text
from traystatus.adapters.calendar_parse import ParseContext, expand, parse_calendar
from traystatus.adapters.calendar_text import normalise
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import CalendarEvent

DATA = Path(__file__).resolve().parent.parent / "data"
SEEDS = sorted(p for d in ("ics", "quirks") for p in (DATA / d).rglob("*.ics") if p.stat().st_size <= 64 * 1024)
EXAMPLES = int(os.environ.get("TRAYSTATUS_FUZZ_EXAMPLES", "150"))
MAX_SECONDS = 2.0  # CPU time one read of one input may take (issue 14: no input over 2 s)
MAX_BYTES = 300 * 2**20  # memory one read may allocate at its peak (issue 14: no input over 300 MB)
CTX = ParseContext(source="fuzz", zone=ZoneInfo("Pacific/Auckland"))
_DTSTART = re.compile(rb"DTSTART[^:\r\n]*:(\d{8})")
HUGE = ("99999999", "999999999999", "4294967296", "99999999999999999999", "0", "-1")


def _mutate(data: bytes, draw: st.DrawFn) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "dup", "cut", "drop", "number", "nest", "unclose", "dense", "truncate"]))
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if kind == "flip" and lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + bytes([lines[i][j] ^ draw(st.integers(1, 255))]) + lines[i][j + 1 :]
        elif kind == "dup":
            lines[i:i] = [lines[i]] * draw(st.integers(1, 50))
        elif kind == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif kind == "drop" and len(lines) > 1:
            del lines[i]
        elif kind == "number":
            huge = draw(st.sampled_from(HUGE)).encode()
            lines[i] = re.sub(rb"\d+", huge, lines[i], count=draw(st.integers(1, 3)))
        elif kind == "nest":
            depth = draw(st.integers(1, 2000))
            lines[i:i] = [b"BEGIN:VALARM\r\n" * depth + b"END:VALARM\r\n" * draw(st.integers(0, depth))]
        elif kind == "unclose":
            ends = [k for k, line in enumerate(lines) if line.upper().startswith(b"END:")]
            if ends:
                del lines[draw(st.sampled_from(ends))]
        elif kind == "dense":
            rule = draw(
                st.sampled_from(["FREQ=SECONDLY", "FREQ=MINUTELY;COUNT=99999999", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31"])
            )
            ev = [k for k, line in enumerate(lines) if line.upper().startswith(b"DTSTART")]
            if ev:
                lines.insert(draw(st.sampled_from(ev)) + 1, f"RRULE:{rule}\r\n".encode())
        elif kind == "truncate":
            lines = lines[: i + 1]
    return b"".join(lines)


def _key(events: list[CalendarEvent]) -> list[tuple[str, datetime, datetime, str, bool]]:
    return [(ev.uid, ev.start, ev.end, ev.title, ev.all_day) for ev in events]


def _read(data: bytes, start: datetime, end: datetime, *, prefiltered: bool) -> list[CalendarEvent] | str:
    """The events, or the app's error; any other exception fails the test."""
    try:
        if prefiltered:
            return expand_text(data, start, end, CTX)[0]
        cal = parse_calendar(normalise(data.decode("utf-8", errors="replace")), CTX)
        return expand(cal, start, end, CTX)[0]
    except TrayStatusError as e:
        return f"error: {e.title}"


def _measured(data: bytes, start: datetime, end: datetime, *, prefiltered: bool) -> list[CalendarEvent] | str:
    """One read, asserting its CPU time and (traced: this pass only) its peak allocation."""
    tracemalloc.start()
    cpu = time.process_time()
    try:
        out = _read(data, start, end, prefiltered=prefiltered)
        spent = time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= MAX_BYTES, f"{peak / 2**20:.0f} MB for one read"
    assert spent <= MAX_SECONDS * 2, f"{spent:.2f} s CPU (traced) for one read"  # tracing about doubles it
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data(), days=st.sampled_from([1, 15, 60]))
def test_mutated_calendars_are_read_within_bounds_and_prefilter_changes_nothing(data: st.DataObject, days: int) -> None:
    seed = data.draw(st.sampled_from(SEEDS), label="seed")
    body = _mutate(seed.read_bytes(), data.draw)
    first = _DTSTART.search(body)
    around = datetime(2026, 12, 2, tzinfo=UTC)
    if first and data.draw(st.booleans(), label="near the file's own dates"):
        with contextlib.suppress(ValueError):
            around = datetime.strptime(first.group(1).decode(), "%Y%m%d").replace(tzinfo=UTC)
    start, end = around - timedelta(days=1), around + timedelta(days=days)
    cpu = time.process_time()
    without = _read(body, start, end, prefiltered=False)
    assert time.process_time() - cpu <= MAX_SECONDS, f"{seed.name}: over {MAX_SECONDS} s CPU without the prefilter"
    with_prefilter = _measured(body, start, end, prefiltered=True)
    if isinstance(without, str):
        return  # unreadable whole: the prefilter may still read it (far events cut), never the reverse
    assert not isinstance(with_prefilter, str), f"{seed.name}: {with_prefilter} only with the prefilter"
    assert _key(with_prefilter) == _key(without), seed.name


def test_the_seeds_are_the_corpus() -> None:
    assert len(SEEDS) >= 40 and any(p.parent.name == "quirks" for p in SEEDS)
