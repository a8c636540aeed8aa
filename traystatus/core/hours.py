"""Working hours: a weekly schedule of time blocks, dated exceptions and travel, and their text format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from itertools import pairwise
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
    return tuple(sorted(blocks, key=lambda b: b.start))


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
    return WeekHours(days=tuple(days))


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


def _minutes(t: time | None) -> int:
    return 24 * 60 if t is None else t.hour * 60 + t.minute


def blocks_problem(blocks: tuple[TimeBlock, ...] | list[TimeBlock]) -> str:
    """Why a day's blocks do not make sense ("" if they do): an empty block, or two that overlap (a block past
    midnight counts up to midnight on its own day)."""
    spans = []
    for b in blocks:
        start, end = _minutes(b.start), _minutes(b.end)
        if start == end:
            return f"{b} is empty: its end is its start."
        spans.append((start, end if end > start else 24 * 60, b))
    spans.sort(key=lambda s: s[0])
    for (_, end, first), (start, _, second) in pairwise(spans):
        if start < end:
            return f"{first} and {second} overlap: make one end before the other starts, or join them."
    return ""
