"""Working hours: a weekly schedule of time blocks, dated exceptions and travel, and their text format."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo

from traystatus.core.errors import ConfigError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_BLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeBlock:
    """A block of working time on one day; ``end`` may be ``None`` for midnight (24:00).

    An end earlier than the start means the block runs past midnight into the next day.
    """

    start: time
    end: time | None

    def __str__(self) -> str:
        end = "24:00" if self.end is None else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekHours:
    """Blocks per weekday, index 0 = Monday (``date.weekday()``)."""

    days: tuple[tuple[TimeBlock, ...], ...] = field(default_factory=lambda: tuple(() for _ in range(7)))

    def blocks(self, weekday: int) -> tuple[TimeBlock, ...]:
        return self.days[weekday]

    def __str__(self) -> str:
        return format_hours(self)


DEFAULT_HOURS_SPEC = "mon-fri 09:00-17:00"


@dataclass(frozen=True, slots=True, kw_only=True)
class DayException:
    """A dated exception: on [first, last] the hours are ``hours`` (empty = day off/holiday)."""

    first: date
    last: date
    hours: tuple[TimeBlock, ...] = ()
    label: str = "day off"


@dataclass(frozen=True, slots=True, kw_only=True)
class Travel:
    """While travelling on [first, last], working hours are read in ``tz``."""

    first: date
    last: date
    tz: ZoneInfo
    label: str = "travel"


def _parse_time(h: str, m: str, spec: str, *, allow_24: bool) -> time | None:
    hh, mm = int(h), int(m)
    if allow_24 and hh == 24 and mm == 0:
        return None
    if hh > 23 or mm > 59:
        raise ConfigError("Working hours", f"'{h}:{m}' in '{spec}' is not a time of day (00:00-23:59).")
    return time(hh, mm)


def parse_blocks(text: str, spec: str | None = None) -> tuple[TimeBlock, ...]:
    """Parse ``"09:00-12:30,13:30-17:30"``; ``"off"`` or ``""`` gives no blocks."""
    spec = spec if spec is not None else text
    text = text.strip()
    if text.lower() in ("", "off", "none"):
        return ()
    blocks: list[TimeBlock] = []
    for part in text.split(","):
        m = _BLOCK_RE.match(part.strip())
        if not m:
            raise ConfigError(
                "Working hours",
                f"'{part.strip()}' in '{spec}' is not a block like 09:00-17:30.",
            )
        start = _parse_time(m[1], m[2], spec, allow_24=False)
        assert start is not None
        end = _parse_time(m[3], m[4], spec, allow_24=True)
        if end is not None and end == start:
            raise ConfigError("Working hours", f"'{part.strip()}' in '{spec}' is empty (start = end).")
        blocks.append(TimeBlock(start=start, end=end))
    out = tuple(sorted(blocks, key=lambda b: b.start))
    clash = first_overlap((out,), wrap=False)
    if clash is not None:
        raise ConfigError("Working hours", overlap_problem(clash, days=False, spec=spec))
    return out


def _parse_days(text: str, spec: str) -> list[int]:
    out: list[int] = []
    for item in text.lower().split(","):
        item = item.strip()
        if "-" in item:
            a, _, b = item.partition("-")
            if a not in DAY_NAMES or b not in DAY_NAMES:
                raise ConfigError("Working hours", f"'{item}' in '{spec}' is not a day range like mon-fri.")
            i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
            out.extend(DAY_NAMES.index(d) % 7 for d in (DAY_NAMES * 2)[i : (j if j >= i else j + 7) + 1])
        elif item in DAY_NAMES:
            out.append(DAY_NAMES.index(item))
        else:
            raise ConfigError(
                "Working hours",
                f"'{item}' in '{spec}' is not a day; use mon, tue, wed, thu, fri, sat, sun or ranges like mon-fri.",
            )
    return out


def parse_hours(spec: str) -> WeekHours:
    """Parse ``"mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00"`` (later clauses win per day)."""
    days: list[tuple[TimeBlock, ...]] = [() for _ in range(7)]
    if not spec.strip():
        raise ConfigError("Working hours", 'No working hours given; use e.g. "mon-fri 09:00-17:00".')
    for clause in spec.split(";"):
        clause = clause.strip()
        if not clause:
            continue
        day_part, _, block_part = clause.partition(" ")
        if not block_part.strip():
            raise ConfigError("Working hours", f"'{clause}' needs days and blocks, e.g. \"mon-fri 09:00-17:00\".")
        blocks = parse_blocks(block_part, spec)
        for d in _parse_days(day_part, spec):
            days[d] = blocks
    clash = first_overlap(days, wrap=True)
    if clash is not None:
        raise ConfigError("Working hours", overlap_problem(clash, days=True, spec=spec))
    return WeekHours(days=tuple(days))


_DAY_MINUTES = 24 * 60

#: (day index, block, day index, block): two blocks that cover the same time, the earlier-starting first
Overlap = tuple[int, TimeBlock, int, TimeBlock]


def _minutes(block: TimeBlock) -> tuple[int, int]:
    """[start, end) in minutes from the block's own midnight; an overnight end lies past 1440."""
    start = block.start.hour * 60 + block.start.minute
    if block.end is None:
        return start, _DAY_MINUTES
    end = block.end.hour * 60 + block.end.minute
    return start, end + _DAY_MINUTES if end <= start else end


def first_overlap(days: Sequence[Sequence[TimeBlock]], *, wrap: bool) -> Overlap | None:
    """Two blocks of consecutive ``days`` that cover the same minute (touching is fine: 22:00-24:00 then
    00:00-06:00 is one period). ``wrap``: the last day is followed by the first again, as in a week, so an
    overnight Sunday block runs into Monday's."""
    n = len(days)
    spans: list[tuple[int, int, int, TimeBlock]] = []
    for d, blocks in enumerate(days):
        for b in blocks:
            s, e = _minutes(b)
            spans.append((d * _DAY_MINUTES + s, d * _DAY_MINUTES + e, d, b))
            if wrap and d * _DAY_MINUTES + e > n * _DAY_MINUTES:  # its tail, seen at the start of the cycle
                spans.append((d * _DAY_MINUTES + s - n * _DAY_MINUTES, d * _DAY_MINUTES + e - n * _DAY_MINUTES, d, b))
    spans.sort(key=lambda x: (x[0], x[1]))
    reach: tuple[int, int, TimeBlock] | None = None
    for s, e, d, b in spans:
        if reach is not None and s < reach[0]:
            return reach[1], reach[2], d, b
        if reach is None or e > reach[0]:
            reach = (e, d, b)
    return None


def overlap_problem(clash: Overlap, *, days: bool, spec: str = "") -> str:
    """What is wrong with two overlapping blocks and how to fix it; ``days``: name their weekdays."""
    d1, a, d2, b = clash
    within = f" in '{spec}'" if spec else ""
    if a == b and d1 == d2:
        return f"'{a}' is listed twice{within}: keep one."
    where = ""
    if days:
        where = f" on {DAY_NAMES[d1]}" if d1 == d2 else f" ({DAY_NAMES[d1]}'s runs overnight into {DAY_NAMES[d2]})"
    fix = "make one end before the other starts"
    e1, e2 = _minutes(a)[1], _minutes(b)[1]
    if d1 == d2 and e1 <= _DAY_MINUTES and e2 <= _DAY_MINUTES:  # a day's two blocks: offer them as one
        fix += (
            f", or write them as one block {TimeBlock(start=min(a.start, b.start), end=a.end if e1 >= e2 else b.end)}"
        )
    return f"'{a}' and '{b}' overlap{where}{within}: {fix}."


def overnight_hint(block: TimeBlock) -> str:
    """For a block that runs overnight and reads more like a day block written backwards (17:00-09:00 is 16 h
    overnight but 8 h the other way), what it means and the likely intent; "" otherwise. A night shift such
    as 22:00-06:00 is shorter overnight than backwards, and is taken as meant."""
    s, e = _minutes(block)
    if block.end is None or e <= _DAY_MINUTES or e - s <= _DAY_MINUTES // 2:
        return ""
    swapped = TimeBlock(start=block.end, end=block.start)
    return (
        f"'{block}' runs overnight ({(e - s) / 60:g} h, until {block.end:%H:%M} the next day): did you mean "
        f"{swapped}? It is kept as an overnight block; write {swapped} if you meant the day."
    )


def format_hours(hours: WeekHours) -> str:
    """The inverse of :func:`parse_hours`, grouping consecutive days with equal blocks."""
    clauses: list[str] = []
    i = 0
    while i < 7:
        j = i
        while j + 1 < 7 and hours.days[j + 1] == hours.days[i]:
            j += 1
        if hours.days[i]:
            days = DAY_NAMES[i] if i == j else f"{DAY_NAMES[i]}-{DAY_NAMES[j]}"
            clauses.append(f"{days} {','.join(str(b) for b in hours.days[i])}")
        i = j + 1
    return "; ".join(clauses)


def blocks_problem(blocks: Sequence[TimeBlock]) -> str:
    """Why one day's blocks do not make sense ("" if they do), in the words config validation uses: an empty
    block, or two that overlap (a block past midnight counts up to midnight on its own day)."""
    for b in blocks:
        if b.end is not None and b.end == b.start:
            return f"'{b}' is empty: its end is its start."
    clash = first_overlap([blocks], wrap=False)
    return overlap_problem(clash, days=False) if clash is not None else ""
