"""VFREEBUSY busy periods (RFC 5545 §3.6.4) as busy :class:`CalendarEvent` blocks.

A free/busy publication (Exchange's and Google's free/busy feeds, CalDAV free-busy queries saved
to a file) holds no events, only ``FREEBUSY`` periods: BUSY and BUSY-UNAVAILABLE are busy,
BUSY-TENTATIVE is a tentative meeting, FREE is nothing; any other type (an x-name) is BUSY, as
RFC 5545 §3.2.9 says. The periods have no titles.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from traystatus.core.model import CalendarEvent

_BUSY = {
    "BUSY": ("Busy", "BUSY"),
    "BUSY-UNAVAILABLE": ("Unavailable", "BUSY"),
    "BUSY-TENTATIVE": ("Tentative", "TENTATIVE"),
}
#: a hostile file of a million periods: busy blocks beyond this are not read
MAX_PERIODS = 5000


def freebusy_events(
    cal: icalendar.Calendar, start: datetime, end: datetime, source: str, warnings: list[str]
) -> list[CalendarEvent]:
    """The busy periods of every VFREEBUSY overlapping [start, end)."""
    out: list[CalendarEvent] = []
    seen = 0
    for n, comp in enumerate(cal.walk("VFREEBUSY")):
        value = comp.get("FREEBUSY")
        periods = value if isinstance(value, list) else [] if value is None else [value]
        uid = str(comp.get("UID", f"freebusy-{n}"))
        for period in periods:
            seen += 1
            if seen > MAX_PERIODS:
                warnings.append(f"more than {MAX_PERIODS} free/busy periods; the rest are not read")
                return out
            kind = str(getattr(period, "params", {}).get("FBTYPE", "BUSY")).strip().upper()
            if kind == "FREE":
                continue
            kind = kind if kind in _BUSY else "BUSY"  # an x-name or a newer type: "the same way as BUSY"
            span = _span(getattr(period, "dt", None))
            if span is None:
                warnings.append(f"a free/busy period ({str(period)[:40]}) could not be read; it was ignored")
                continue
            first, last = span
            if first < end and last > start:
                title, busy = _BUSY[kind]
                out.append(
                    CalendarEvent(
                        uid=f"{uid}#{first.isoformat()}",
                        start=first,
                        end=last,
                        title=title,
                        source=source,
                        busy_status=busy,
                    )
                )
    return out


def _span(value: object) -> tuple[datetime, datetime] | None:
    """(start, end) in UTC from a period's (start, end) or (start, duration); None when unreadable."""
    if not isinstance(value, tuple) or len(value) != 2 or not isinstance(value[0], datetime):
        return None
    first = value[0] if value[0].tzinfo is not None else value[0].replace(tzinfo=UTC)  # RFC: FREEBUSY is UTC
    other = value[1]
    try:
        if isinstance(other, timedelta):
            last = first.astimezone(UTC) + other
        elif isinstance(other, datetime):
            last = other if other.tzinfo is not None else other.replace(tzinfo=UTC)
        else:
            return None
    except OverflowError:
        return None
    return (first, last) if last > first else None
