"""The world clock of the team (pure): rows for an instant, working-hours overlap, best meeting slots.

Every function takes the instant(s) it works on; nothing here reads the clock. Instants are aware
datetimes; intervals are returned in UTC.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.hours import WeekHours
from traystatus.core.team import Person

UTC = ZoneInfo("UTC")
NIGHT_FROM = time(22, 0)  # a local time outside working hours is "night" from 22:00 …
NIGHT_UNTIL = time(7, 0)  # … until 07:00
MINUTE = timedelta(minutes=1)


class Badge(enum.StrEnum):
    WORKING = "working"
    OFF_HOURS = "off_hours"
    NIGHT = "night"


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """One line of the team clock for one person at one instant."""

    name: str
    zone: str  # the IANA key of the zone they are in at that instant (travel included)
    local: datetime  # the instant in their zone
    day_delta: int  # their local date minus yours: -1 yesterday, +1 tomorrow
    offset_minutes: int  # their UTC offset minus yours
    badge: Badge
    group: str  # the team the row is listed under ("" = no team)
    is_me: bool = False
    initials: str = ""
    avatar_url: str = ""
    person_index: int = -1  # index into the ``people`` given to :func:`rows`; -1 for you
    hours_source: str = ""  # where their working hours come from ("from their calendar's availability", …)

    @property
    def working(self) -> bool:
        return self.badge is Badge.WORKING

    @property
    def offset_label(self) -> str:
        return offset_label(self.offset_minutes)

    @property
    def date_hint(self) -> str:
        return date_hint(self.day_delta)


def offset_label(minutes: int) -> str:
    """``+9 h``, ``+5 h 30 min``, ``-3 h 30 min``, ``+45 min``; ``±0 h`` for the same offset."""
    if minutes == 0:
        return "±0 h"
    sign = "+" if minutes > 0 else "-"
    h, m = divmod(abs(minutes), 60)
    if h and m:
        return f"{sign}{h} h {m} min"
    return f"{sign}{h} h" if h else f"{sign}{m} min"


def date_hint(delta: int) -> str:
    if delta == 0:
        return ""
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"{delta:+d} days"


def is_working(hours: WeekHours, local: datetime) -> bool:
    """Whether a local wall-clock time falls in the weekly hours (blocks past midnight included)."""
    t = local.time().replace(tzinfo=None, fold=0)
    wd = local.weekday()
    for b in hours.blocks(wd):
        if b.end is None or b.end < b.start:  # until midnight, or past it
            if t >= b.start:
                return True
        elif b.start <= t < b.end:
            return True
    # the tail of yesterday's overnight block
    return any(b.end is not None and b.end < b.start and t < b.end for b in hours.blocks((wd - 1) % 7))


def badge_for(hours: WeekHours, local: datetime) -> Badge:
    if is_working(hours, local):
        return Badge.WORKING
    t = local.time()
    return Badge.NIGHT if (t >= NIGHT_FROM or t < NIGHT_UNTIL) else Badge.OFF_HOURS


def _offset_minutes(dt: datetime) -> int:
    off = dt.utcoffset()
    assert off is not None
    return int(off.total_seconds() // 60)


def group_of(person: Person) -> str:
    return person.teams[0] if person.teams else ""


def row_for(
    person: Person, me: Person, instant: datetime, *, is_me: bool = False, index: int = -1, group: str | None = None
) -> Row:
    """The row of ``person`` at ``instant`` as seen by ``me``."""
    mine = instant.astimezone(me.zone_at(instant))
    zone = person.zone_at(instant)
    local = instant.astimezone(zone)
    return Row(
        name=person.name,
        zone=zone.key,
        local=local,
        day_delta=(local.date() - mine.date()).days,
        offset_minutes=_offset_minutes(local) - _offset_minutes(mine),
        badge=badge_for(person.hours, local),
        group="" if is_me else (group_of(person) if group is None else group),
        is_me=is_me,
        initials=person.initials,
        avatar_url=person.avatar_url,
        person_index=index,
        hours_source=person.hours_source,
    )


def rows(me: Person, people: Sequence[Person], instant: datetime, *, group_by_team: bool = True) -> list[Row]:
    """Your row first, then everyone else sorted by offset (then name), grouped by their first team;
    named teams come in alphabetical order, people without a team last."""
    others = [
        row_for(p, me, instant, index=i, group=group_of(p) if group_by_team else "") for i, p in enumerate(people)
    ]
    others.sort(key=lambda r: (r.group == "", r.group.casefold(), r.offset_minutes, r.name.casefold()))
    return [row_for(me, me, instant, is_me=True), *others]


# --- overlap and best slots ---------------------------------------------------------------------

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """[start, end) in UTC with who is within working hours then (``missing``: who is not)."""

    start: datetime
    end: datetime
    available: tuple[str, ...]
    missing: tuple[str, ...] = ()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start) / MINUTE)

    @property
    def everyone(self) -> bool:
        return not self.missing


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def working_intervals(person: Person, start: datetime, end: datetime) -> list[Interval]:
    """The person's working time within [start, end), in UTC, merged (travel and DST included)."""
    first = start.astimezone(person.tz).date() - timedelta(days=1)
    last = end.astimezone(person.tz).date() + timedelta(days=1)
    raw: list[Interval] = []
    day = first
    while day <= last:
        zone = person.zone_on(day)
        for b in person.hours.blocks(day.weekday()):
            s = datetime.combine(day, b.start, tzinfo=zone)
            if b.end is None:
                e = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            elif b.end < b.start:
                e = datetime.combine(day + timedelta(days=1), b.end, tzinfo=zone)
            else:
                e = datetime.combine(day, b.end, tzinfo=zone)
            su, eu = max(s.astimezone(UTC), start), min(e.astimezone(UTC), end)
            if su < eu:
                raw.append((su, eu))
        day += timedelta(days=1)
    return _merge(raw)


def all_working_intervals(people: Sequence[Person], start: datetime, end: datetime) -> list[list[Interval]]:
    """``working_intervals`` of each person; people sharing zone, hours and travel share one computation."""
    memo: dict[tuple[object, ...], list[Interval]] = {}
    out = []
    for p in people:
        key = (p.tz, p.hours, p.travel)
        if key not in memo:
            memo[key] = working_intervals(p, start, end)
        out.append(memo[key])
    return out


def _clip(intervals: Sequence[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(a, start), min(b, end)) for a, b in intervals if a < end and b > start]


def coverage(
    per_person: Sequence[Sequence[Interval]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, int]]:
    """Split [start, end) where the number of people working changes: (start, end, count) segments."""
    events: dict[datetime, int] = {}
    for intervals in per_person:
        for s, e in intervals:
            events[s] = events.get(s, 0) + 1
            events[e] = events.get(e, 0) - 1
    out: list[tuple[datetime, datetime, int]] = []
    count, cursor = 0, start
    for t in sorted(events):
        if t > cursor:
            out.append((cursor, t, count))
            cursor = t
        count += events[t]
    if cursor < end:
        out.append((cursor, end, count))
    return [seg for seg in out if seg[0] < seg[1]]


def _who(
    people: Sequence[Person], per_person: Sequence[Sequence[Interval]], s: datetime, e: datetime
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    yes: list[str] = []
    no: list[str] = []
    for p, intervals in zip(people, per_person, strict=True):
        (yes if any(a <= s and e <= b for a, b in intervals) else no).append(p.name)
    return tuple(yes), tuple(no)


def overlap(people: Sequence[Person], start: datetime, end: datetime) -> list[Span]:
    """The spans of [start, end) where everyone in ``people`` is within working hours."""
    if not people:
        return []
    per_person = all_working_intervals(people, start, end)
    names = tuple(p.name for p in people)
    return [Span(start=s, end=e, available=names) for s, e, n in coverage(per_person, start, end) if n == len(people)]


def day_window(day: date, tz: ZoneInfo) -> Interval:
    """Local midnight to the next local midnight of ``day`` in ``tz``, in UTC (23 or 25 h across DST)."""
    s = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    return s, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def day_overlap(people: Sequence[Person], day: date, tz: ZoneInfo) -> list[Span]:
    """Where everyone in ``people`` works during your local ``day``."""
    return overlap(people, *day_window(day, tz))


def working_days(start: date, count: int, hours: WeekHours | None) -> list[date]:
    """The next ``count`` days from ``start`` (included) with working hours (Mon-Fri without hours)."""
    out: list[date] = []
    day = start
    while len(out) < count and (day - start).days < 7 * max(count, 1) + 7:
        if hours.blocks(day.weekday()) if hours is not None else day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def best_slots(
    people: Sequence[Person],
    now: datetime,
    *,
    tz: ZoneInfo,
    hours: WeekHours | None = None,
    days: int = 5,
    minutes: int = 30,
    limit: int = 5,
    required: Sequence[Person] = (),
) -> list[Span]:
    """The best meeting times from ``now`` over the next ``days`` working days (of ``hours``, in ``tz``):
    spans of at least ``minutes`` where the most of ``people`` are within working hours, earliest first
    among equals. ``required`` people (you, the organiser) are within working hours in every span.
    Spans where nobody works are never returned, nor spans only the required people can attend (a
    "meeting" with yourself is no slot: at least one other person is in)."""
    if not people:
        return []
    names = {p.name for p in people}
    floor = len(names & {p.name for p in required})  # the required people are in every span already
    candidates: list[tuple[int, datetime, datetime]] = []
    per_day: dict[date, list[list[Interval]]] = {}
    windows_by_day: list[tuple[date, datetime, datetime]] = []
    for day in working_days(now.astimezone(tz).date(), days, hours):
        s, e = day_window(day, tz)
        s = max(s, now.astimezone(UTC))
        if s < e:
            windows_by_day.append((day, s, e))
    if not windows_by_day:
        return []
    everyone = all_working_intervals(people, windows_by_day[0][1], windows_by_day[-1][2])
    for day, s, e in windows_by_day:
        per_person = [_clip(iv, s, e) for iv in everyone]
        per_day[day] = per_person
        windows = [(x.start, x.end) for x in overlap(required, s, e)] if required else [(s, e)]
        for ws, we in windows:
            clipped = [_clip(iv, ws, we) for iv in per_person]
            for a, b, n in coverage(clipped, ws, we):
                if n > max(floor, 0) and b - a >= minutes * MINUTE:
                    candidates.append((n, a, b))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    out: list[Span] = []
    for _n, a, b in candidates[:limit]:
        yes, no = _who(people, per_day[a.astimezone(tz).date()], a, b)
        out.append(Span(start=a, end=b, available=yes, missing=no))
    return out
