"""Working hours as UTC intervals: the weekly blocks, dated exceptions and travel zones, DST-correct.

Local wall times are turned into instants with ``fold=0``: a block starting in a spring-forward
gap starts at the first real instant after it, and a time in the repeated autumn hour is its first
occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from traystatus.core.availability import CalendarHours, Interval, intersect, subtract, union
from traystatus.core.hours import DayException, TimeBlock, Travel, WeekHours, format_hours

DAY = timedelta(days=1)


class HoursSettings(Protocol):
    """What this module reads from :class:`traystatus.core.settings.Settings`."""

    @property
    def timezone(self) -> ZoneInfo: ...
    @property
    def hours(self) -> WeekHours: ...
    @property
    def exceptions(self) -> tuple[DayException, ...]: ...
    @property
    def travel(self) -> tuple[Travel, ...]: ...
    @property
    def calendar_hours(self) -> CalendarHours | None: ...
    @property
    def hours_pinned(self) -> bool: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """[start, end) in UTC with why it is what it is."""

    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DayPlan:
    """One local date: its zone, its working blocks and how to explain the time off."""

    day: date
    zone: ZoneInfo
    blocks: tuple[TimeBlock, ...]
    work_reason: str
    off_reason: str
    special: bool  # an exception or travel day (its off reason differs from the usual one)


def _local(day: date, t: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, t).replace(tzinfo=zone, fold=0).astimezone(UTC)


def hours_text(settings: HoursSettings) -> str:
    return format_hours(settings.hours) or "none"


def hours_origin(settings: HoursSettings, start: datetime, end: datetime) -> str:
    """Where the working hours over [start, end) come from, in words (``plan``, the settings window)."""
    if settings.hours_pinned:
        return f"from --hours for this run: {hours_text(settings)}"
    ruled = calendar_ruled(settings, start, end)
    if not ruled:
        return f"from the configuration: {hours_text(settings)}"
    assert settings.calendar_hours is not None
    if ruled == [(start, end)]:
        return f"from {settings.calendar_hours.source}"
    return f"from {settings.calendar_hours.source} where it applies, else the configuration's {hours_text(settings)}"


def day_plan(settings: HoursSettings, day: date) -> DayPlan:
    """The working blocks of a local date (later exceptions and travel entries win)."""
    zone = settings.timezone
    travel = None
    for t in settings.travel:
        if t.first <= day <= t.last:
            travel = t
    if travel is not None:
        zone = travel.tz
    exception = None
    for e in settings.exceptions:
        if e.first <= day <= e.last:
            exception = e
    usual = hours_text(settings)
    where = f", {travel.label} in {zone.key}" if travel is not None else ""
    if exception is not None:
        blocks = exception.hours
        label = exception.label
        off = "day off" if label == "day off" else f"holiday: {label}"
        if blocks:
            hours = ",".join(str(b) for b in blocks)
            return DayPlan(
                day=day,
                zone=zone,
                blocks=blocks,
                work_reason=f"working hours ({label}: {hours}{where})",
                off_reason=f"outside working hours ({label}: {hours}{where})",
                special=True,
            )
        return DayPlan(day=day, zone=zone, blocks=(), work_reason="", off_reason=off, special=True)
    return DayPlan(
        day=day,
        zone=zone,
        blocks=settings.hours.blocks(day.weekday()),
        work_reason=f"working hours ({usual}{where})",
        off_reason=f"outside working hours ({usual}{where})",
        special=travel is not None,
    )


def _block_span(plan: DayPlan, block: TimeBlock) -> tuple[datetime, datetime]:
    start = _local(plan.day, block.start, plan.zone)
    if block.end is None:
        end = _local(plan.day + DAY, time(0), plan.zone)
    elif block.end <= block.start:  # runs past midnight
        end = _local(plan.day + DAY, block.end, plan.zone)
    else:
        end = _local(plan.day, block.end, plan.zone)
    return start, end


def _days(settings: HoursSettings, start: datetime, end: datetime) -> list[date]:
    # Two days of margin: a travel zone or a block past midnight can reach into the window.
    first = start.astimezone(settings.timezone).date() - 2 * DAY
    last = end.astimezone(settings.timezone).date() + 2 * DAY
    return [first + i * DAY for i in range((last - first).days + 1)]


def _config_pieces(settings: HoursSettings, start: datetime, end: datetime) -> list[Span]:
    out = []
    for day in _days(settings, start, end):
        plan = day_plan(settings, day)
        for block in plan.blocks:
            a, b = _block_span(plan, block)
            a, b = max(a, start), min(b, end)
            if a < b:
                out.append(Span(start=a, end=b, reason=plan.work_reason))
    return out


def _config_special(settings: HoursSettings, start: datetime, end: datetime) -> list[Span]:
    out = []
    for day in _days(settings, start, end):
        plan = day_plan(settings, day)
        if plan.special:
            a = max(_local(day, time(0), plan.zone), start)
            b = min(_local(day + DAY, time(0), plan.zone), end)
            if a < b:
                out.append(Span(start=a, end=b, reason=plan.off_reason))
    return out


def calendar_ruled(settings: HoursSettings, start: datetime, end: datetime) -> list[Interval]:
    """Where the calendar's availability decides the hours over [start, end): what it covers, except the
    configured exception and travel days (the config's dated entries still apply on top)."""
    hours = settings.calendar_hours
    if hours is None or not hours.covered:
        return []
    special = union((s.start, s.end) for s in _config_special(settings, start, end))
    return subtract(intersect(list(hours.covered), [(start, end)]), special)


def work_pieces(settings: HoursSettings, start: datetime, end: datetime) -> list[Span]:
    """Every working block overlapping [start, end), clipped, sorted by start (may touch or overlap)."""
    out = _config_pieces(settings, start, end)
    ruled = calendar_ruled(settings, start, end)
    if ruled:
        assert settings.calendar_hours is not None
        out = [Span(start=a, end=b, reason=s.reason) for s in out for a, b in subtract([(s.start, s.end)], ruled)]
        reason = f"working hours (from {settings.calendar_hours.source})"
        out.extend(Span(start=a, end=b, reason=reason) for a, b in intersect(list(settings.calendar_hours.free), ruled))
    out.sort(key=lambda s: s.start)
    return out


def special_days(settings: HoursSettings, start: datetime, end: datetime) -> list[Span]:
    """Exception and travel days overlapping [start, end) as UTC spans, with their off-hours reason; and where
    the calendar's availability rules, its own off-hours reason."""
    out = _config_special(settings, start, end)
    ruled = calendar_ruled(settings, start, end)
    if ruled:
        assert settings.calendar_hours is not None
        reason = f"outside working hours (from {settings.calendar_hours.source})"
        out.extend(Span(start=a, end=b, reason=reason) for a, b in ruled)
    out.sort(key=lambda s: s.start)
    return out


def merge(spans: Sequence[Span]) -> list[tuple[datetime, datetime]]:
    """The union of ``spans`` (sorted by start) as disjoint, non-touching intervals."""
    out: list[tuple[datetime, datetime]] = []
    for s in spans:
        if out and s.start <= out[-1][1]:
            if s.end > out[-1][1]:
                out[-1] = (out[-1][0], s.end)
        else:
            out.append((s.start, s.end))
    return out


def next_working_start(
    settings: HoursSettings, after: datetime, *, limit: timedelta = timedelta(days=60)
) -> datetime | None:
    """The start of the next working period beginning at or after ``after`` (for "back 09:00 CET").

    Inside working hours this is the start of the *next* period, not ``after``. Blocks that touch
    (22:00-24:00 then 00:00-06:00) are one period. ``None`` if there is none within ``limit``.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError(f"after must be an aware datetime, got {after!r}")
    after = after.astimezone(UTC)
    step = timedelta(days=14)
    lo = after - DAY  # a period that started before ``after`` must be seen to be skipped
    while lo < after + limit:
        hi = lo + step + DAY
        for a, _ in merge(work_pieces(settings, lo, hi)):
            if a >= after and a != lo:
                return a if a < after + limit else None
        lo += step
    return None
