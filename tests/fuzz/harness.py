"""One fuzz input read twice (prefilter on, prefilter off), each read in a forked child that cannot hang us.

A child gets :data:`CPU_LIMIT` seconds of CPU (``RLIMIT_CPU``: the kernel ends it) and an address
space :data:`AS_HEADROOM` over what it inherited (``RLIMIT_AS``: an allocation past it raises
``MemoryError``); the parent kills it after :data:`WALL_LIMIT` seconds whatever it is doing (C code
included). What the child measures: its CPU time and its peak resident memory above the start
(``/proc/self/clear_refs`` "5" resets ``VmHWM``). :func:`check` turns the two reads into problems:

- a read that raised anything but the app's own :class:`TrayStatusError` (a crash);
- a read over :data:`MAX_SECONDS` of CPU or :data:`MAX_BYTES` of memory, killed, or hung;
- the prefilter changed the result. *Fair key*: the same events (every field of
  :class:`CalendarEvent`: times, title, flags, recurrence id, per-event warnings), as a multiset;
  the calendar-wide warnings with the prefilter are a subset of those without it (the prefilter
  drops events that cannot touch the window, and with them the warnings about them: "'X' repeats
  by a rule that never matches" for a series ended in 2019 is not said), except that warnings naming an
  event skipped as unreadable may differ both ways (with a series' far master cut, the library trips on
  its broken override instead: the same events, another event named), and the repairs of one "read
  anyway (a; b)" count one by one. An error with the prefilter
  needs the same error without it; the reverse is allowed only when the error without it is about
  the whole file (not a calendar, cut off): a calendar one bad event made unreadable is a problem.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import re
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.fuzz import mutations
from traystatus.adapters.calendar_ics import expand_document
from traystatus.adapters.calendar_parse import ParseContext, expand, parse_calendar
from traystatus.adapters.calendar_text import normalise
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import CalendarEvent

DATA = Path(__file__).resolve().parent.parent / "data"
FOUND = DATA / "fuzz-found"
SEEDS = sorted(
    str(p.relative_to(DATA))
    for d in ("ics", "quirks")
    for p in (DATA / d).rglob("*.ics")
    if p.stat().st_size <= 64 * 1024
)
MAX_SECONDS = 2.0  # issue 14: no input over 2 s (CPU time of one read)
MAX_BYTES = 300 * 2**20  # issue 14: no input over 300 MB (peak resident memory one read adds)
CPU_LIMIT = 3  # RLIMIT_CPU of a child: the kernel ends a read stuck in C code
WALL_LIMIT = 30.0  # the parent kills a child still running after this (sleeping, swapping, …)
AS_HEADROOM = 1024 * 2**20  # address space a child may add: a runaway allocation fails, the machine lives
CTX = ParseContext(source="fuzz", zone=ZoneInfo("Pacific/Auckland"))
AROUND = datetime(2026, 12, 2, tzinfo=UTC)
_DTSTART = re.compile(rb"DTSTART[^:\r\n]*:(\d{8})")
#: errors about the whole file: reading it without the prefilter may fail where the prefilter's cut reads
#: (the prefilter drops only events whose start it can read: a file of one far event icalendar cannot read)
_WHOLE_FILE = ("is not a calendar", "has a readable start")


@dataclass(frozen=True, slots=True)
class Case:
    """A replayable input: the recipe and the window it is read for."""

    seed: str  # path under tests/data
    rng_seed: int
    names: tuple[str, ...]
    days: int = 15
    near: bool = True  # the window around the file's first DTSTART (else around AROUND)

    def body(self) -> bytes:
        return mutations.apply((DATA / self.seed).read_bytes(), self.rng_seed, list(self.names))

    def label(self) -> str:
        return f"{self.seed} rng={self.rng_seed} mutations={','.join(self.names)} days={self.days} near={self.near}"


def window(body: bytes, days: int, near: bool) -> tuple[datetime, datetime]:
    around = AROUND
    first = _DTSTART.search(body)
    if near and first:
        with contextlib.suppress(ValueError):
            around = datetime.strptime(first.group(1).decode(), "%Y%m%d").replace(tzinfo=UTC)
    if not 2 <= around.year <= 9998:  # the app's windows are near now, never at datetime's edges
        around = AROUND
    return around - timedelta(days=1), around + timedelta(days=days)


@dataclass(slots=True)
class Read:
    kind: str  # events | error | crash | memory | cpu (killed by RLIMIT_CPU) | hang | died
    events: list[CalendarEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    detail: str = ""  # the error's title and message, the traceback, the signal
    title: str = ""  # the error's title: what two errors are compared by
    cpu: float = 0.0
    peak: int = 0  # bytes of resident memory the read added at its peak
    wall: float = 0.0


def _read(data: bytes, start: datetime, end: datetime, prefiltered: bool) -> tuple[list[CalendarEvent], list[str]]:
    """The app's path (:func:`expand_document`), or the same without the prefilter."""
    if prefiltered:
        events, warnings, _ = expand_document(data, start, end, CTX)
        return events, warnings
    cal = parse_calendar(normalise(data.decode("utf-8", errors="replace")), CTX)
    return expand(cal, start, end, CTX)


def _status(name: str) -> int:
    """A ``/proc/self/status`` figure in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(name)


Reader = Callable[[], tuple[list[CalendarEvent], list[str]]]


def _child(reader: Reader) -> Read:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 1))
    room = _status("VmSize") + AS_HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (room, room))
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    base = _status("VmRSS")
    cpu = time.process_time()
    try:
        events, warnings = reader()
        out = Read("events", events, warnings)
    except TrayStatusError as e:
        out = Read("error", detail=f"{e.title}: {e.message}", title=e.title)
    except MemoryError:
        out = Read("memory", detail=traceback.format_exc(limit=-8))
    except Exception:
        out = Read("crash", detail=traceback.format_exc(limit=-8))
    out.cpu = time.process_time() - cpu
    out.peak = _status("VmHWM") - base
    return out


def read_isolated(data: bytes, start: datetime, end: datetime, *, prefiltered: bool) -> Read:
    """One read of ``data`` in a forked child, with the prefilter or without."""
    return run_isolated(lambda: _read(data, start, end, prefiltered))


def run_isolated(reader: Reader, wall_limit: float = WALL_LIMIT) -> Read:
    """``reader()`` in a forked child; the parent never waits longer than ``wall_limit``."""
    r, w = os.pipe()
    began = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: measure, send, leave without running the parent's exit handlers
        status = 0
        try:
            os.close(r)
            try:
                payload = pickle.dumps(_child(reader))
            except BaseException:
                payload = pickle.dumps(Read("crash", detail=traceback.format_exc(limit=-8)))
            with os.fdopen(w, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(w)
    chunks: list[bytes] = []
    hung = False
    try:
        while True:
            left = wall_limit - (time.monotonic() - began)
            if left <= 0 or not select.select([r], [], [], left)[0]:
                hung = True
                break
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        if hung:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    wall = time.monotonic() - began
    if hung:
        return Read("hang", detail=f"still running after {wall_limit:g} s (killed)", wall=wall)
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status))
        kind = "cpu" if sig in (signal.SIGXCPU, signal.SIGKILL) else "died"
        return Read(kind, detail=f"killed by {sig.name} (RLIMIT_CPU {CPU_LIMIT} s)", wall=wall, cpu=CPU_LIMIT)
    try:
        out: Read = pickle.loads(b"".join(chunks))
    except Exception:
        return Read("died", detail=f"exit status {os.WEXITSTATUS(status)}, no result", wall=wall)
    out.wall = wall
    return out


@dataclass(slots=True)
class Report:
    on: Read
    off: Read
    problems: list[str]

    def signature(self) -> str:
        """What kind of problem this is, without the input's details (to count and dedupe findings)."""
        kinds = {p.split(":", 1)[0] for p in self.problems}
        return "; ".join(sorted(k for k in kinds if not (k.startswith("slow") and k.replace("slow", "cpu") in kinds)))

    def describe(self) -> str:
        lines = list(self.problems)
        for name, read in (("prefilter on", self.on), ("prefilter off", self.off)):
            lines.append(
                f"{name}: {read.kind}, {len(read.events)} events, {read.cpu:.2f} s CPU, "
                f"{read.peak / 2**20:.0f} MB, {read.wall:.2f} s wall"
            )
            if read.kind not in ("events",) and read.detail:
                lines.append("  " + read.detail.strip().replace("\n", "\n  "))
        return "\n".join(lines)


def _event_key(ev: CalendarEvent) -> str:
    return repr(ev)


_SKIPPED = re.compile(r"could not be read \(its start|was skipped: ")
_REPAIRED = re.compile(r"^(the file has errors; read anyway) \((.*)\)$")


def _warning_keys(warnings: list[str]) -> collections.Counter[str]:
    """Warnings as compared: the repairs of one file's "read anyway (a; b)" count one by one (fewer events
    to repair with the prefilter: fewer repairs named)."""
    out: collections.Counter[str] = collections.Counter()
    for w in warnings:
        if _SKIPPED.search(w):
            continue  # which block of a broken series the library trips on depends on the blocks kept

        m = _REPAIRED.match(w)
        out.update([f"{m.group(1)}: {fix}" for fix in m.group(2).split("; ")] if m else [w])
    return out


def check(data: bytes, start: datetime, end: datetime) -> Report:
    on = read_isolated(data, start, end, prefiltered=True)
    off = read_isolated(data, start, end, prefiltered=False)
    problems: list[str] = []
    for name, read in (("prefilter on", on), ("prefilter off", off)):
        if read.kind in ("crash", "memory", "cpu", "hang", "died"):
            last = read.detail.strip().splitlines()[-1] if read.detail.strip() else ""
            problems.append(f"{read.kind} ({name}): {last}")
        if read.cpu > MAX_SECONDS:
            problems.append(f"slow ({name}): {read.cpu:.2f} s CPU > {MAX_SECONDS} s")
        if read.peak > MAX_BYTES:
            problems.append(f"memory ({name}): {read.peak / 2**20:.0f} MB > {MAX_BYTES / 2**20:.0f} MB")
    if on.kind == "error" and off.kind != "error":
        problems.append(f"differs: an error only with the prefilter: {on.detail}")
    elif on.kind == "error" and off.kind == "error" and on.title != off.title:
        problems.append(f"differs: another error with the prefilter: {on.detail!r} vs {off.detail!r}")
    elif off.kind == "error" and on.kind == "events" and not any(w in off.detail for w in _WHOLE_FILE):
        problems.append(f"whole calendar lost (prefilter off): {off.detail}; it reads with the prefilter")
    if on.kind == "events" and off.kind == "events":
        a = collections.Counter(map(_event_key, on.events))
        b = collections.Counter(map(_event_key, off.events))
        if a != b:
            only_on, only_off = sorted((a - b).elements()), sorted((b - a).elements())
            problems.append(
                f"differs: events; only with the prefilter: {only_on[:3]} ({len(only_on)}); "
                f"only without: {only_off[:3]} ({len(only_off)})"
            )
        extra = _warning_keys(on.warnings) - _warning_keys(off.warnings)
        if extra:
            problems.append(f"differs: warnings only with the prefilter: {sorted(extra)[:3]}")
    return Report(on, off, problems)


def check_case(case: Case) -> Report:
    body = case.body()
    start, end = window(body, case.days, case.near)
    return check(body, start, end)
