"""Bounded expansion: what one calendar may cost, whatever it contains, and one bad series costs only itself.

dateutil (under recurring-ical-events) walks a rule from its DTSTART, period by period, and builds
the whole list of a window's instances before anyone can stop it: ``FREQ=SECONDLY`` near now is
2.6 million instances for 30 days (minutes and gigabytes), a rule that never matches
(``BYMONTHDAY=30;BYMONTH=2``) walks to the year 9999. So each rule is judged *before* it is
expanded, from its numbers alone: one that would take more than :data:`MAX_STEPS` steps to reach
the window keeps only its first :data:`MAX_PER_SERIES` occurrences (with a warning naming the
event), one that can never match is ignored. Expansion then goes series by series, each in its own
``try`` (an unreadable series is named and skipped, the others stay), within :data:`MAX_PER_WINDOW`
occurrences and :data:`EXPAND_SECONDS` of CPU time per calendar.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import icalendar
import recurring_ical_events
from dateutil.rrule import rrule
from icalendar.cal.component import Component
from icalendar.prop import vRecur

from traystatus.adapters.calendar_window_rule import MAX_WORK, WindowRule

#: occurrences one series may contribute when its rule is too dense to expand in full
MAX_PER_SERIES = 100
#: rule steps the expansion may spend reaching the end of the window (about 0.5 s of dateutil)
MAX_STEPS = 100_000
#: occurrences one calendar may contribute to one window
MAX_PER_WINDOW = 20_000
#: CPU time (this thread's: a busy machine must not cost events) one calendar's expansion may take;
#: past it, the series not yet expanded are skipped. The 8,300-event bench calendar needs about 1 s.
EXPAND_SECONDS = 5.0
#: CPU time one series may take within that (an ordinary one takes well under a millisecond)
SERIES_SECONDS = 0.02

_ORDER = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400}
_SECONDS |= {"MONTHLY": 28 * 86400, "YEARLY": 365 * 86400}
_UNIT = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour", "DAILY": "day", "WEEKLY": "week"}
_UNIT |= {"MONTHLY": "month", "YEARLY": "year"}
#: the BY parts that add instances inside one period, with the finest FREQ they expand
_EXPANDS = {"BYSECOND": 0, "BYMINUTE": 1, "BYHOUR": 2, "BYDAY": 3, "BYMONTHDAY": 4, "BYYEARDAY": 5, "BYWEEKNO": 5}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class _Query(recurring_ical_events.CalendarQuery):  # type: ignore[misc]  # the library is untyped
    """Every error of a series skips that series only; :func:`expand_bounded` names the skipped ones."""

    suppressed_errors: ClassVar[list[type[Exception]]] = [Exception]


def when(comp: Component, name: str) -> date | None:
    """The date or datetime (a :class:`date` subclass) of a DTSTART-like property; None if absent or unreadable."""
    try:
        value = getattr(comp.get(name), "dt", None)
    except Exception:  # icalendar's BrokenCalendarProperty ("2026XX"): unreadable, like a missing one
        return None
    return value if isinstance(value, date) else None


def rules(comp: Component) -> list[vRecur]:
    """The component's RRULEs (icalendar gives one or a list)."""
    value = comp.get("RRULE")
    items = value if isinstance(value, list) else [value]
    return [rule for rule in items if isinstance(rule, vRecur)]


def describe(comp: Component) -> str:
    """How a warning names an event: its title, unless it is private; else its UID."""
    if str(comp.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL"):
        return "a private event"
    title = str(comp.get("SUMMARY", "")).strip()
    if title:
        return f"'{title[:60]}'"
    return f"an event (UID {str(comp.get('UID', '?'))[:40]})"


def bound_rules(cal: icalendar.Calendar, end: datetime, warnings: list[str]) -> None:
    """Cap the rules that would cost too much to expand up to ``end``; drop those that never match."""
    for comp in cal.walk("VEVENT"):
        if "RRULE" not in comp:
            continue
        try:
            _bound(comp, end, warnings)
        except Exception:  # noqa: S112 - an unreadable rule: the series is skipped and named in expand_bounded
            continue


def _bound(comp: Component, end: datetime, warnings: list[str]) -> None:
    first = when(comp, "DTSTART")
    if first is None:
        return
    start = _utc(first)
    for rule in rules(comp):
        freq = str(_first(rule, "FREQ", "")).upper()
        if freq not in _SECONDS:
            continue
        if not _can_match(rule):
            del comp["RRULE"]
            comp["EXDATE"] = comp["DTSTART"]  # the rule was all there was: nothing occurs
            warnings.append(f"{describe(comp)} repeats by a rule that never matches a real date; it is ignored")
            return
        interval = int(_first(rule, "INTERVAL", 1))
        if interval < 1:  # dateutil would never leave the first period
            rule["INTERVAL"] = [interval := 1]
            warnings.append(f"{describe(comp)} repeats with an INTERVAL below 1; it is read as 1")
        per_period = _per_period(rule, freq)
        until = _first(rule, "UNTIL", None)
        last = min(end, _utc(until)) if isinstance(until, date) else end
        steps = max((last - start).total_seconds(), 0) / (_SECONDS[freq] * interval) * per_period
        count = _first(rule, "COUNT", None)
        if count is not None:
            steps = min(steps, int(count))
        if steps <= MAX_STEPS:
            continue
        rule.pop("UNTIL", None)
        rule["COUNT"] = [min(int(count), MAX_PER_SERIES) if count is not None else MAX_PER_SERIES]
        warnings.append(f"{describe(comp)} {_how_often(rule)}; only the first {MAX_PER_SERIES} occurrences are used")


def _how_often(rule: Any) -> str:
    """``repeats every second``, ``repeats 576 times in every day``: what makes a rule too dense."""
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _UNIT:
        return "repeats too often"
    interval = max(int(_first(rule, "INTERVAL", 1)), 1)
    every = f"every {_UNIT[freq]}" if interval == 1 else f"every {interval} {_UNIT[freq]}s"
    per_period = _per_period(rule, freq)
    return f"repeats {per_period:,} times in {every}" if per_period > 1 else f"repeats {every}"


def _first(rule: Any, key: str, default: Any) -> Any:
    values = rule.get(key)
    return values[0] if values else default


def _utc(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _per_period(rule: Any, freq: str) -> int:
    """An upper bound on the instances one period of the rule holds."""
    level = _ORDER.index(freq)
    n = 1
    for part, finest in _EXPANDS.items():
        values = rule.get(part)
        if values and level > finest:
            weeks = 53 if freq == "YEARLY" and not rule.get("BYMONTH") else 5 if freq == "MONTHLY" else 1
            n *= len(values) * (weeks if part == "BYDAY" else 1)
    if freq == "YEARLY" and rule.get("BYMONTH"):
        n *= len(rule["BYMONTH"])
    return n


def _can_match(rule: Any) -> bool:
    """False for rules with no real date: day 30 of February, day 400 of a year, week 60, day 1 of the
    year in June. The window walk bounds their cost anyway; this names them, and drops the DTSTART too."""
    days = [int(d) for d in rule.get("BYMONTHDAY") or []]
    months = [int(m) for m in rule.get("BYMONTH") or range(1, 13)]
    if days and not any(1 <= m <= 12 and 0 < abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
        return False
    weeks = [int(w) for w in rule.get("BYWEEKNO") or []]
    if weeks and not any(0 < abs(w) <= 53 for w in weeks):
        return False
    yeardays = [int(d) for d in rule.get("BYYEARDAY") or []]
    if not yeardays:
        return True
    return any(_yearday_month(d, leap) in months for d in yeardays if 0 < abs(d) <= 366 for leap in (False, True))


def _yearday_month(day: int, leap: bool) -> int:
    """The month that day ``day`` (negative: from the year's end) of a (leap) year falls in; 0 if none."""
    length = 366 if leap else 365
    day = day if day > 0 else length + day + 1
    if not 1 <= day <= length:
        return 0
    for month in range(1, 13):
        size = 29 if month == 2 and leap else 28 if month == 2 else _MONTH_DAYS[month - 1]
        if day <= size:
            return month
        day -= size
    return 0


def expand_bounded(cal: icalendar.Calendar, start: datetime, end: datetime, warnings: list[str]) -> list[Component]:
    """Occurrence components overlapping [start, end], series by series, within the limits above."""
    query = recurring_ical_events.of(cal, keep_recurrence_attributes=True, skip_bad_series=True, calendar_query=_Query)
    read = {str(series.uid) for series in query.series}
    by_uid: dict[str, Component] = {}
    for comp in cal.walk("VEVENT"):
        uid = str(comp.get("UID", ""))
        by_uid.setdefault(uid, comp)
        if uid not in read:  # its series could not even be built (no DTSTART, mixed date types, …)
            read.add(uid)
            warnings.append(
                f"{describe(comp)} could not be read (its start, length or repeat rule is missing or out of range); "
                "it was skipped"
            )
    deadline = time.thread_time() + EXPAND_SECONDS
    out: list[Component] = []
    for i, series in enumerate(query.series):
        if time.thread_time() > deadline:
            skipped = len(query.series) - i
            warnings.append(f"reading took over {EXPAND_SECONDS:g} s of CPU; {skipped} more event(s) were not read")
            break
        walked = _window_rules(series, min(deadline, time.thread_time() + SERIES_SECONDS))
        try:
            found = list(itertools.islice(series.between(start, end), _most_found(series, walked)))
            comps = [occurrence.as_component(True) for occurrence in sorted(found)[:MAX_PER_SERIES]]
        except Exception as e:  # one broken series must not hide the others
            bad = by_uid.get(str(series.uid))
            name = describe(bad) if bad is not None else f"an event (UID {str(series.uid)[:40]})"
            warnings.append(f"{name} was skipped: {type(e).__name__}: {str(e)[:120]}")
            continue
        if any(rule.truncated for rule in walked):
            master = by_uid.get(str(series.uid), comps[0] if comps else None)
            name = describe(master) if master is not None else f"an event (UID {str(series.uid)[:40]})"
            warnings.append(
                f"{name} repeats by a rule too costly to expand (over {MAX_WORK:,} steps or "
                f"{SERIES_SECONDS * 1000:g} ms of CPU); only the occurrences found before it was stopped are used"
            )
        elif len(found) > MAX_PER_SERIES:
            master = by_uid.get(str(series.uid), comps[0])
            series_rules = rules(master)
            often = _how_often(series_rules[0]) if series_rules else "repeats too often"
            warnings.append(f"{describe(master)} {often}; only the first {MAX_PER_SERIES} occurrences are used")
        out.extend(comps)
        if len(out) > MAX_PER_WINDOW:
            warnings.append(
                f"the calendar has more than {MAX_PER_WINDOW} occurrences in the window; the rest are not read"
            )
            del out[MAX_PER_WINDOW:]
            break
    return out


def _most_found(series: Any, walked: list[WindowRule]) -> int:
    """How many occurrences of ``series`` to take from its ``between``, which yields the rule's times first
    and the moved instances after them, in set order: all it can yield, so that the first
    :data:`MAX_PER_SERIES` by time are the same whatever that order (and with or without the prefilter)."""
    recurrence = series.recurrence
    rules = len(getattr(recurrence, "rrules", ())) - 1  # the first one holds only the RDATEs
    unbounded = max(0, rules - len(walked))  # a rule this module could not bound: as many as kept
    kept = sum(rule.keep for rule in walked) + unbounded * (MAX_PER_SERIES + 1)
    return kept + len(getattr(recurrence, "rdates", ())) + len(series.modifications) + 1


def _window_rules(series: Any, deadline: float) -> list[WindowRule]:
    """The series' dateutil rules, made to walk only near the asked window and within ``deadline``."""
    out = []
    recurrence = series.recurrence
    # each EXDATE and moved instance may take one away: enough are kept to still say "more than N"
    keep = MAX_PER_SERIES + 1 + len(getattr(recurrence, "exdates", ())) + len(series.modifications)
    for rule in getattr(recurrence, "rrules", ()):
        if type(rule) is rrule:
            WindowRule.adopt(rule, keep=keep, work=MAX_WORK, deadline=deadline)
            out.append(rule)
    return out


__all__ = [
    "EXPAND_SECONDS",
    "MAX_PER_SERIES",
    "MAX_PER_WINDOW",
    "MAX_STEPS",
    "bound_rules",
    "describe",
    "expand_bounded",
]
