"""Calendar reads without Python's cyclic garbage collector, which would stall every other thread.

icalendar builds a few hundred objects per event. Each time allocations pass the collector's thresholds,
it walks the generations holding the GIL, and a full pass walks every live object: reading a calendar
of 20,000 events kept the scheduler's thread from running for 1.16 s (``bench/bench_calendar_stall.py``).
What a read builds is freed by reference counting as it ends, so the collector is paused for the read
and given back after it; reads in several threads share one pause. The read's own time and memory stay
bounded by ``calendar_limits`` and the fetch's size cap.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_readers = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Automatic collection off while the block runs (and while any other thread's read runs)."""
    global _readers, _resume
    with _lock:
        if _readers == 0:
            _resume = gc.isenabled()
            gc.disable()
        _readers += 1
    try:
        yield
    finally:
        with _lock:
            _readers -= 1
            if _readers == 0 and _resume:
                gc.enable()
