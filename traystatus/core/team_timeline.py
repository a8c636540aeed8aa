"""The team clock's shared timeline (pure): the window the slider spans, slider steps to instants, days ahead,
each person's working hours as bars, the overlap, a readable axis and the words for a best slot.

The window is three of your local days (yesterday, the chosen day, tomorrow), so the slider always reaches at
least 24 hours either side of the day it is on; steps are real quarter hours (UTC arithmetic), so a DST change
gives a 71- or 73-hour window whose labels skip or repeat a local hour, as the wall clock does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.team import Person
from traystatus.core.world_clock import (
    NIGHT_FROM,
    NIGHT_UNTIL,
    UTC,
    Interval,
    Span,
    all_working_intervals,
    coverage,
    day_window,
)

STEP = timedelta(minutes=15)  # one slider step
DAYS_BEFORE = 1  # the window starts this many local days before the chosen day …
DAYS_AFTER = 1  # … and ends this many after it
AXIS_STEPS_HOURS = (1, 2, 3, 6, 12, 24)  # the tick spacings the axis may use, finest first
NAMES_IN_SLOT = 3  # names listed per side of a best slot before "+N"


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    """One person's working hours in the window (UTC intervals), for a bar on the shared timeline."""

    name: str
    intervals: tuple[Interval, ...]
    is_me: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """Everything the shared timeline draws: the window, lanes (you first), where all of them work, ticks."""

    start: datetime
    end: datetime
    lanes: tuple[Lane, ...]
    overlap: tuple[Interval, ...]

    @property
    def steps(self) -> int:
        """How many slider steps the window has (the last one starts a quarter hour before ``end``)."""
        return int((self.end - self.start) / STEP)


def window(day: date, tz: ZoneInfo) -> Interval:
    """Local midnight ``DAYS_BEFORE`` days before ``day`` to local midnight ``DAYS_AFTER`` days after it, in UTC."""
    return (
        day_window(day - timedelta(days=DAYS_BEFORE), tz)[0],
        day_window(day + timedelta(days=DAYS_AFTER), tz)[1],
    )


def instant_at(start: datetime, step: int) -> datetime:
    """The instant of slider ``step`` in a window starting at ``start`` (UTC)."""
    return (start + step * STEP).astimezone(UTC)


def step_at(start: datetime, instant: datetime) -> int:
    """The slider step showing ``instant`` (the quarter hour it falls in)."""
    return int((instant - start) // STEP)


def days_later(instant: datetime, tz: ZoneInfo, days: int) -> datetime:
    """The same wall-clock time in ``tz`` ``days`` later (earlier if negative), in UTC. A time a DST change
    skips that day moves on by the gap (01:30 in London on 29 March 2026 is 02:30); a repeated one is the first."""
    local = instant.astimezone(tz)
    wall = datetime.combine(local.date() + timedelta(days=days), local.time().replace(fold=0), tzinfo=tz)
    return wall.astimezone(UTC)


def timeline(me: Person, people: Sequence[Person], day: date, tz: ZoneInfo) -> Timeline:
    """Lanes for you and ``people`` across the window around your local ``day``, and where everyone works."""
    start, end = window(day, tz)
    everyone = [me, *people]
    per_person = all_working_intervals(everyone, start, end)
    lanes = tuple(
        Lane(name=p.name, intervals=tuple(iv), is_me=i == 0)
        for i, (p, iv) in enumerate(zip(everyone, per_person, strict=True))
    )
    together = tuple((s, e) for s, e, n in coverage(per_person, start, end) if n == len(everyone)) if people else ()
    return Timeline(start=start, end=end, lanes=lanes, overlap=together)


def night_intervals(person: Person, start: datetime, end: datetime) -> list[Interval]:
    """Where it is night for ``person`` (their local 22:00 to 07:00, travel included) within [start, end), in
    UTC: the bars shade it, so "it is 03:00 for them" shows without reading the clock."""
    out: list[Interval] = []
    day = start.astimezone(person.tz).date() - timedelta(days=1)
    last = end.astimezone(person.tz).date() + timedelta(days=1)
    while day <= last:
        zone = person.zone_on(day)
        s = datetime.combine(day, NIGHT_FROM, tzinfo=zone).astimezone(UTC)
        e = datetime.combine(day + timedelta(days=1), NIGHT_UNTIL, tzinfo=zone).astimezone(UTC)
        if max(s, start) < min(e, end):
            out.append((max(s, start), min(e, end)))
        day += timedelta(days=1)
    return out


def _tick_label(local: datetime, hours: int) -> str:
    if local.hour == 0 and local.minute == 0:
        return f"{local:%a} {local.day}"  # a new day: "Wed 4", not "00:00"
    return f"{local:%H:%M}" if hours < 24 else ""


def axis_ticks(start: datetime, end: datetime, tz: ZoneInfo, *, max_labels: int) -> list[tuple[datetime, str]]:
    """Ticks at whole local hours (every 1, 2, 3, 6, 12 or 24 h: the finest that gives at most ``max_labels``),
    each labelled with a clock time ("06:00") or, at midnight, the day ("Wed 4"). Hours a DST change skips
    get no tick; a repeated hour gets one."""
    for hours in AXIS_STEPS_HOURS:
        ticks = _ticks(start, end, tz, hours)
        if len(ticks) <= max(max_labels, 1) or hours == AXIS_STEPS_HOURS[-1]:
            return ticks
    raise AssertionError("unreachable")  # pragma: no cover - the last spacing always returns


def _ticks(start: datetime, end: datetime, tz: ZoneInfo, hours: int) -> list[tuple[datetime, str]]:
    out: list[tuple[datetime, str]] = []
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        for h in range(0, 24, hours):
            wall = datetime.combine(day, time(h), tzinfo=tz)
            at = wall.astimezone(UTC)
            if at.astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
                continue  # the DST gap skips this hour
            if start <= at < end:
                out.append((at, _tick_label(wall, hours)))
        day += timedelta(days=1)
    return out


def clip(intervals: Sequence[Interval], span: Interval) -> list[Interval]:
    """The parts of ``intervals`` inside ``span``."""
    start, end = span
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def _hhmm(t: datetime, tz: ZoneInfo, day: date) -> str:
    local = t.astimezone(tz)
    return "24:00" if local.date() > day and local.time() == time(0) else f"{local:%H:%M}"  # the day's end


def overlap_words(day: date, spans: Sequence[Interval], tz: ZoneInfo, *, picked: int, everyone: bool, team: int) -> str:
    """The overlap line for your local ``day``: who it is for and when they all work, or what to do when there
    is nobody to compare with. ``picked`` teammates of ``team`` are picked (``everyone``: all of them)."""
    if team == 0:
        return "No teammates yet: add them in Settings › Team, or import them from Slack or Matrix."
    if picked == 0:
        return "Tick the people you want to meet to see the hours you all work."
    who = "everyone" if everyone else f"you + {picked}"
    shown = f"{day:%a} {day.day} {day:%b}"
    if not spans:
        return f"All in ({who}, {shown}): no hour when all {picked + 1} work"
    return f"All in ({who}, {shown}): " + ", ".join(f"{_hhmm(s, tz, day)}–{_hhmm(e, tz, day)}" for s, e in spans)


def _clock(t: datetime, start: datetime, tz: ZoneInfo) -> str:
    local, first = t.astimezone(tz), start.astimezone(tz)
    return "24:00" if local.date() > first.date() and local.time() == time(0) else f"{local:%H:%M}"


def hours_words(intervals: Sequence[Interval], day: Interval, theirs: ZoneInfo, yours: ZoneInfo) -> str:
    """Someone's working hours on the day shown, in their time and yours: "09:00–17:00 EDT (13:00–21:00 your
    time)"; "not working" on a day off."""
    parts = clip(intervals, day)
    if not parts:
        return "not working"
    mine = ", ".join(f"{_clock(s, s, yours)}–{_clock(e, s, yours)}" for s, e in parts)
    first = parts[0][0]
    if first.astimezone(theirs).utcoffset() == first.astimezone(yours).utcoffset():
        return f"{mine} (your time too)"
    own = ", ".join(f"{_clock(s, s, theirs)}–{_clock(e, s, theirs)} {s.astimezone(theirs):%Z}" for s, e in parts)
    return f"{own} ({mine} your time)"


def _names(names: Sequence[str]) -> str:
    shown = list(names[:NAMES_IN_SLOT])
    if len(names) > NAMES_IN_SLOT:
        shown.append(f"+{len(names) - NAMES_IN_SLOT}")
    return ", ".join(shown)


def slot_text(span: Span, tz: ZoneInfo, *, me_name: str) -> str:
    """A best slot in words: when (in ``tz``), who is in and who is missing; you are "you"."""
    local_start, local_end = span.start.astimezone(tz), span.end.astimezone(tz)
    when = f"{local_start:%a} {local_start.day} {local_start:%b %H:%M}–{local_end:%H:%M}"  # "Tue 3 Mar", not "03"
    ins = ["you"] * (me_name in span.available) + [n for n in span.available if n != me_name]
    total = len(span.available) + len(span.missing)
    if span.everyone:
        return f"{when} · everyone ({total}): {_names(ins)}"
    return f"{when} · {len(span.available)} of {total}: {_names(ins)} · missing {_names(span.missing)}"
