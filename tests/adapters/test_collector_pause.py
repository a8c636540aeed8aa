"""Calendar reads pause the cyclic collector (its passes stalled the scheduler) and give it back."""

from __future__ import annotations

import contextlib
import gc
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters import calendar_ics
from traystatus.adapters.calendar_ics import expand_text
from traystatus.adapters.calendar_parse import ParseContext
from traystatus.adapters.collector_pause import collector_paused
from traystatus.core.errors import CalendarError

CTX = ParseContext(source="pause", zone=ZoneInfo("Europe/Berlin"))
START = datetime(2026, 12, 1, tzinfo=UTC)
DATA = Path(__file__).resolve().parent.parent / "data" / "ics"


def test_a_read_runs_with_the_collector_paused_and_gives_it_back(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = calendar_ics.parse_calendar

    def parse(text: str, ctx: ParseContext) -> object:
        seen.append(gc.isenabled())
        return real(text, ctx)

    monkeypatch.setattr(calendar_ics, "parse_calendar", parse)
    body = next(DATA.rglob("*.ics")).read_bytes()
    assert gc.isenabled()
    expand_text(body, START, START + timedelta(days=30), CTX)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(CalendarError):  # a refused body gives the collector back too
        expand_text(b"<html>not a calendar</html>", START, START + timedelta(days=30), CTX)
    assert gc.isenabled()


def test_reads_in_two_threads_share_one_pause() -> None:
    inside, release = threading.Event(), threading.Event()

    def other_read() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other_read)
    thread.start()
    assert inside.wait(10)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's read still runs
    release.set()
    thread.join(10)
    assert gc.isenabled()


def _weekly(count: int) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{i}@pause\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Meeting {i}\r\n"
        f"DTSTART:202612{1 + i % 28:02d}T{8 + i % 9:02d}0000Z\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\n"
        "END:VEVENT\r\n"
        for i in range(count)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pause//EN\r\n{events}END:VCALENDAR\r\n".encode()


def test_a_paused_read_leaves_no_cycles_for_the_collector() -> None:
    """Pausing costs no memory only while what a read builds is freed by reference counting: a big
    calendar's objects leave only a handful of cycles behind, a feed that needs repairs its exceptions' few."""
    gc.collect()
    events, _ = expand_text(_weekly(2000), START, START + timedelta(days=30), CTX)
    assert len(events) > 2000
    assert gc.collect() < 200  # dateutil's few generator cycles, not the 2,000 events' objects
    for body in sorted(DATA.rglob("*.ics"))[:20]:
        with contextlib.suppress(CalendarError):
            expand_text(body.read_bytes(), START, START + timedelta(days=60), CTX)
        assert gc.collect() < 200  # a caught exception's frames and traceback, not the calendar
