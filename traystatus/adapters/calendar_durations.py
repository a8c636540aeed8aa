"""Event lengths as RFC 5545 §3.3.6 means them: days on the calendar, hours, minutes and seconds exactly.

icalendar folds a DURATION's time part into days from 24 hours on ("PT24H" becomes "P1D") and
recurring-ical-events adds a DURATION on the wall clock (an hour across the fall-back night lasts two):
:func:`mark_long_times` keeps such a time part in a parameter before parsing, :func:`exact_durations`
and :func:`time_part` read it back, and :func:`after` adds a duration the way the RFC says.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar

from traystatus.adapters.calendar_limits import when

__all__ = ["add_days", "after", "exact_durations", "mark_long_times", "time_part"]

#: a DURATION whose time part has 24 hours or more: icalendar folds them into days ("PT24H" becomes "P1D"),
#: but RFC 5545 §3.3.6 reads days on the calendar and hours exactly; the time part's seconds are kept in a
#: parameter (_TIME_PARAM) for exact_durations
_LONG_TIME = re.compile(
    r"^(DURATION(?:;[^:\r\n]*)?):(\+?P(?:\d+W)?(?:\d+D)?T(\d+)H(?:(\d+)M)?(?:(\d+)S)?)([ \t]*\r?)$", re.MULTILINE
)
_TIME_PARAM = "X-TRAYSTATUS-TIME"


def mark_long_times(text: str) -> str:
    """ICS text with the time part of every DURATION of 24 hours or more kept in a parameter."""
    return _LONG_TIME.sub(_mark_time_part, text)


def _mark_time_part(m: re.Match[str]) -> str:
    hours, minutes, seconds = (int(g or 0) for g in m.group(3, 4, 5))
    if hours < 24:
        return m.group(0)  # icalendar keeps it apart from the days
    return f"{m.group(1)};{_TIME_PARAM}={hours * 3600 + minutes * 60 + seconds}:{m.group(2)}{m.group(6)}"


def exact_durations(cal: icalendar.Calendar) -> dict[str, tuple[timedelta, timedelta]]:
    """UID → (DURATION, its time part) of series timed by a DURATION with hours, minutes or seconds in it."""
    out: dict[str, tuple[timedelta, timedelta]] = {}
    for comp in cal.walk("VEVENT"):
        prop, start = comp.get("DURATION"), comp.get("DTSTART")
        if "RECURRENCE-ID" in comp or prop is None or start is None or "DTEND" in comp:
            continue
        try:
            value = getattr(prop, "dt", None)
        except Exception:  # noqa: S112 - a broken DURATION: the event is skipped and named later
            continue
        first = when(comp, "DTSTART")  # not start.dt: a broken one raises
        if not isinstance(value, timedelta) or not isinstance(first, datetime) or value < timedelta(0):
            continue
        part = time_part(prop, value)
        if part:
            out[str(comp.get("UID", ""))] = (value, part)
    return out


def time_part(prop: object, value: timedelta) -> timedelta:
    """The hours, minutes and seconds of a DURATION (its "T" part), which icalendar folds into days from 24 h."""
    marked = str(getattr(prop, "params", {}).get(_TIME_PARAM, ""))
    if marked.isdigit() and int(marked) <= value.total_seconds():
        return timedelta(seconds=int(marked))
    return timedelta(seconds=value.seconds, microseconds=value.microseconds)


def after(moment: datetime, duration: timedelta, time_part: timedelta | None = None) -> datetime:
    """``moment + duration`` as RFC 5545 §3.3.6 means it: days on the calendar, hours and less exactly
    (``time_part``: the exact part, when it is not just what is under a day)."""
    if duration < timedelta(0) or moment.tzinfo is None:
        return moment + duration
    exact = (
        time_part if time_part is not None else timedelta(seconds=duration.seconds, microseconds=duration.microseconds)
    )
    day = add_days(moment, (duration - exact).days)
    # in UTC: in the zone itself 01:30 EDT + 1 h is 01:30 EST, which Python compares and subtracts as equal
    return day.astimezone(UTC) + exact


def add_days(moment: datetime, days: int) -> datetime:
    """Calendar days in the moment's own zone (midnight stays midnight across DST)."""
    return (moment.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=moment.tzinfo)
