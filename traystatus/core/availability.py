"""Working hours from the calendar itself: RFC 7953 VAVAILABILITY components combined into working time.

Each component covers its DTSTART–DTEND range (unbounded when absent) and, inside it, the user works only in
its AVAILABLE periods. Components are applied from the lowest PRIORITY to the highest (RFC 5545: 0 is
undefined = lowest, then 9 … 1 = highest), a later one replacing what an earlier one said inside its range;
components of equal priority are one layer: their ranges and their available periods are united. Outside
every range the configured hours apply. An availability with no AVAILABLE period at all means "not set",
never "busy all week" (what a server writes when the user clears their hours).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from traystatus.core.hours import TimeBlock, WeekHours

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True, kw_only=True)
class AvailabilityComponent:
    """One VAVAILABILITY read from a calendar, its AVAILABLE periods expanded over a window (UTC, aware)."""

    name: str  # what a warning calls it: its SUMMARY, or its UID
    source: str  # where it comes from: "availability in 'Work'", "Nextcloud availability", …
    start: datetime | None = None  # None: from the beginning of time
    end: datetime | None = None  # None: for ever
    priority: int = 0
    busy_type: str = "BUSY-UNAVAILABLE"
    available: tuple[Interval, ...] = ()
    defined: bool = True  # False: no AVAILABLE period at all (the component is "not set")


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarHours:
    """Where the calendars define the working hours (``covered``) and the working time inside it (``free``)."""

    source: str  # "availability in 'Work'" — said in `plan`'s why and the settings window
    covered: tuple[Interval, ...] = ()
    free: tuple[Interval, ...] = ()
    warnings: tuple[str, ...] = ()

    def covers(self, moment: datetime) -> bool:
        return any(a <= moment < b for a, b in self.covered)


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint, non-touching intervals covering the same time."""
    out: list[Interval] = []
    for a, b in sorted(i for i in intervals if i[0] < i[1]):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def subtract(intervals: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    """``intervals`` minus ``holes`` (both sorted and disjoint, as :func:`union` gives them)."""
    out: list[Interval] = []
    for a, b in intervals:
        cursor = a
        for h0, h1 in holes:
            if h1 <= cursor or h0 >= b:
                continue
            if h0 > cursor:
                out.append((cursor, h0))
            cursor = max(cursor, h1)
            if cursor >= b:
                break
        if cursor < b:
            out.append((cursor, b))
    return out


def intersect(intervals: Sequence[Interval], within: Sequence[Interval]) -> list[Interval]:
    """The parts of ``intervals`` inside ``within`` (both sorted and disjoint)."""
    out: list[Interval] = []
    for a, b in intervals:
        for w0, w1 in within:
            lo, hi = max(a, w0), min(b, w1)
            if lo < hi:
                out.append((lo, hi))
    return union(out)


def _rank(priority: int) -> int:
    """Lower rank is applied first: 0 (undefined) is the lowest priority, 9 the next, 1 the highest."""
    return 0 if not 1 <= priority <= 9 else 10 - priority


def combine(components: Sequence[AvailabilityComponent], start: datetime, end: datetime) -> CalendarHours | None:
    """The working hours the components define over [start, end); ``None`` when they define none there."""
    warnings: list[str] = []
    usable: list[AvailabilityComponent] = []
    for c in components:
        if not c.defined:
            warnings.append(
                f"{c.source}: '{c.name}' has no available time at all: treated as not set (the configured "
                "working hours apply), not as busy all week"
            )
        else:
            usable.append(c)
    covered: list[Interval] = []
    free: list[Interval] = []
    for rank in sorted({_rank(c.priority) for c in usable}):
        layer = [c for c in usable if _rank(c.priority) == rank]
        ranges = union((max(c.start or start, start), min(c.end or end, end)) for c in layer)
        if not ranges:
            continue
        mine = union(
            piece
            for c in layer
            for piece in intersect(union(c.available), [(max(c.start or start, start), min(c.end or end, end))])
        )
        free = union([*subtract(free, ranges), *mine])
        covered = union([*covered, *ranges])
    if not covered:
        return CalendarHours(source="", warnings=tuple(warnings)) if warnings else None
    sources = sorted({c.source for c in usable})
    return CalendarHours(source=", ".join(sources), covered=tuple(covered), free=tuple(free), warnings=tuple(warnings))


class _WithCalendarHours(Protocol):
    @property
    def hours_pinned(self) -> bool: ...
    @property
    def calendar_hours(self) -> CalendarHours | None: ...


S = TypeVar("S", bound=_WithCalendarHours)


def apply_calendar_hours(
    settings: S, components: Sequence[AvailabilityComponent], start: datetime, end: datetime
) -> tuple[S, list[str]]:
    """Settings whose working hours come from the calendars over [start, end) where they define them.

    Precedence: ``--hours`` for one run (``hours_pinned``) > the calendars' availability > the config's
    ``working_hours``; the config's dated exceptions and travel still apply on top (see ``work_periods``).
    Returns the settings and what to tell the user.
    """
    if not components:
        return settings, []
    if settings.hours_pinned:
        return settings, ["--hours was given: the calendars' availability is not used for this run"]
    hours = combine(components, start, end)
    if hours is None:
        return settings, []
    notes = list(hours.warnings)
    if not hours.covered:
        return settings, notes
    return dataclasses.replace(settings, calendar_hours=hours), notes  # type: ignore[type-var]


def weekly_hours(free: Sequence[Interval], zone: ZoneInfo, week_start: datetime) -> WeekHours:
    """The working time of the 7 local days from ``week_start`` as a weekly schedule in ``zone`` (what the team
    clock draws for a teammate whose calendar says their hours). Blocks are cut at local midnight."""
    first = week_start.astimezone(zone).date()
    days: list[list[TimeBlock]] = [[] for _ in range(7)]
    for n in range(7):
        day = first + timedelta(days=n)
        lo = datetime.combine(day, time(0), tzinfo=zone)
        hi = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        for a, b in intersect(list(free), [(lo, hi)]):
            start, end = a.astimezone(zone).time().replace(second=0, microsecond=0), b.astimezone(zone)
            days[day.weekday()].append(
                TimeBlock(start=start, end=None if end >= hi else end.time().replace(second=0, microsecond=0))
            )
    return WeekHours(days=tuple(tuple(d) for d in days))
