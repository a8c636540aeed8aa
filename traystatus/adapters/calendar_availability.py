"""RFC 7953 VAVAILABILITY in a parsed calendar → :class:`AvailabilityComponent` values for a window.

recurring-ical-events does not expand AVAILABLE components (its issue #143), but an AVAILABLE has the
recurrence properties of a VEVENT (DTSTART, DTEND/DURATION, RRULE, RDATE, EXDATE, RECURRENCE-ID): each one is
copied into a scratch calendar as a VEVENT, beside the file's own VTIMEZONEs, and expanded by the same library
that expands the events, so DST, exceptions and overrides behave alike. The combination of components
(ranges, PRIORITY, "not set") is the core's (``core/availability.py``).
"""

from __future__ import annotations

import itertools
import logging
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from traystatus.core.availability import AvailabilityComponent

log = logging.getLogger(__name__)

#: at most this many AVAILABLE occurrences per component and window: working blocks repeat daily or weekly,
#: so a rule that yields more is hostile or broken (a FREQ=SECONDLY block must not freeze the app)
MAX_OCCURRENCES = 500
_TOO_OFTEN = {"SECONDLY": "every second", "MINUTELY": "every minute", "HOURLY": "every hour"}
_RECURRENCE_PROPS = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "UID", "SUMMARY")


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    if not isinstance(value, datetime):  # a DATE: the start of that day in the user's zone
        return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC)
    if value.tzinfo is None or value.utcoffset() is None:  # floating or an unknown TZID: the user's zone
        return value.replace(tzinfo=zone).astimezone(UTC)
    return value.astimezone(UTC)


def _name(comp: Any, fallback: str) -> str:
    summary = str(comp.get("SUMMARY") or "").strip()
    if summary:
        return summary[:80]
    uid = str(comp.get("UID") or "").strip()
    return f"availability {uid[:40]}" if uid else fallback


def _unknown_tzids(comp: Any, known: set[str]) -> set[str]:
    out = set()
    for sub in comp.walk():
        for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = sub.get(key)
            tzid = prop.params.get("TZID") if prop is not None and hasattr(prop, "params") else None
            if tzid and str(tzid).strip() not in known:
                try:
                    ZoneInfo(str(tzid).strip())
                except (ValueError, KeyError, OSError):
                    out.add(str(tzid))
    return out


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _per_day(rule: Any) -> int:
    """How many instances a day the BYHOUR/BYMINUTE/BYSECOND parts make (1 when none is given)."""
    count = 1
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        count *= max(1, len(rule.get(part) or []))
    return count


def _dtstart_off_pattern(available: Any) -> bool:
    """A weekly block whose DTSTART falls on a day its BYDAY leaves out (RFC 7953's own examples: "Monday to
    Friday" anchored on a Sunday). RFC 5545 counts such a DTSTART as an instance; as working hours that would
    make the anchor day a working day nobody meant, so it is left out."""
    rrule = available.get("RRULE")
    start = available.get("DTSTART")
    if rrule is None or start is None or "RDATE" in available:
        return False
    days = [str(d).upper()[-2:] for d in (rrule.get("BYDAY") or [])]
    return bool(days) and _WEEKDAYS[start.dt.weekday()] not in days


def _expand_available(
    vav: Any, timezones: list[Any], start: datetime, end: datetime, zone: tzinfo
) -> tuple[list[tuple[datetime, datetime]], bool, list[str]]:
    """The AVAILABLE periods of one VAVAILABILITY overlapping [start, end); ``True`` when the cap cut them; the
    blocks left out because they repeat more often than working hours can."""
    scratch = icalendar.Calendar()
    scratch.add("PRODID", "-//traystatus//availability//EN")
    scratch.add("VERSION", "2.0")
    for tz in timezones:
        scratch.add_component(tz)
    skipped: list[str] = []
    for n, available in enumerate(vav.subcomponents):
        if available.name != "AVAILABLE":
            continue
        rule = available.get("RRULE")
        freq = str((rule.get("FREQ") or [""])[0]).upper() if rule is not None else ""
        if freq in _TOO_OFTEN:  # the expansion would materialise every instance of each day: refuse it
            skipped.append(_name(available, f"block #{n + 1}") + f" (repeats {_TOO_OFTEN[freq]})")
            continue
        if rule is not None and _per_day(rule) > 4:  # FREQ=DAILY;BYHOUR=0,…,23;BYMINUTE=0,…,59 is MINUTELY too
            skipped.append(_name(available, f"block #{n + 1}") + " (repeats many times a day)")
            continue
        event = icalendar.Event()
        for key in _RECURRENCE_PROPS:
            if key in available:  # a repeated property (EXDATE, RDATE) is one list value: copied whole
                event[key] = available[key]
        if "UID" not in event:
            event["UID"] = f"traystatus-available-{n}"
        if _dtstart_off_pattern(available):
            event.add("EXDATE", available["DTSTART"].dt)
        scratch.add_component(event)
    query = recurring_ical_events.of(scratch, skip_bad_series=True)
    out: list[tuple[datetime, datetime]] = []
    capped = False
    for occurrence in itertools.islice(query.after(start - timedelta(days=1)), MAX_OCCURRENCES + 1):
        if len(out) >= MAX_OCCURRENCES:
            capped = True
            break
        a = occurrence.get("DTSTART")
        b = occurrence.get("DTEND")
        if a is None:
            continue
        s = _instant(a.dt, zone)
        if s >= end:
            break
        if b is not None:
            e = _instant(b.dt, zone)
        elif occurrence.get("DURATION") is not None:
            e = s + occurrence["DURATION"].dt
        else:
            e = s + (timedelta(days=1) if not isinstance(a.dt, datetime) else timedelta(0))
        if e > start and s < e:
            out.append((s, e))
    return out, capped, skipped


def read_availability(
    cal: icalendar.Calendar, *, source: str, start: datetime, end: datetime, zone: ZoneInfo
) -> tuple[list[AvailabilityComponent], list[str]]:
    """Every VAVAILABILITY of ``cal`` with its AVAILABLE periods over [start, end), and warnings naming blocks."""
    timezones = [c for c in cal.walk("VTIMEZONE")]
    known = {str(tz.get("TZID", "")).strip() for tz in timezones}
    components: list[AvailabilityComponent] = []
    warnings: list[str] = []
    for n, vav in enumerate(cal.walk("VAVAILABILITY"), start=1):
        name = _name(vav, f"availability #{n}")
        for tzid in sorted(_unknown_tzids(vav, known)):
            warnings.append(
                f"availability '{name}': the zone '{tzid}' is not defined in the file; its times are read in {zone.key}"
            )
        try:
            rng_start = vav.get("DTSTART")
            rng_end = vav.get("DTEND")
            duration = vav.get("DURATION")
            a = _instant(rng_start.dt, zone) if rng_start is not None else None
            if rng_end is not None:
                b: datetime | None = _instant(rng_end.dt, zone)
            elif duration is not None and a is not None:
                b = a + duration.dt
            else:
                b = None
            if a is not None and b is not None and b <= a:
                warnings.append(f"availability '{name}' ends before it starts: ignored")
                continue
            priority = int(str(vav.get("PRIORITY", 0)).strip() or 0)
            busy_type = str(vav.get("BUSYTYPE", "BUSY-UNAVAILABLE")).strip().upper() or "BUSY-UNAVAILABLE"
            has_available = any(s.name == "AVAILABLE" for s in vav.subcomponents)
            lo, hi = max(a or start, start), min(b or end, end)
            periods: list[tuple[datetime, datetime]] = []
            if has_available and lo < hi:
                periods, capped, skipped = _expand_available(vav, timezones, lo, hi, zone)
                warnings.extend(
                    f"availability '{name}': the block {what} is not a working-hours block; ignored" for what in skipped
                )
                if capped:
                    warnings.append(
                        f"availability '{name}' repeats too often; only the first {MAX_OCCURRENCES} available "
                        "periods in the window are used"
                    )
        except Exception as e:  # one broken availability costs only itself
            warnings.append(f"availability '{name}' was skipped: {type(e).__name__}: {str(e)[:120]}")
            continue
        if not 0 <= priority <= 9:
            warnings.append(f"availability '{name}': PRIORITY {priority} is not 0-9; read as 0 (lowest)")
            priority = 0
        components.append(
            AvailabilityComponent(
                name=name,
                source=source,
                start=a,
                end=b,
                priority=priority,
                busy_type=busy_type,
                available=tuple(periods),
                defined=has_available,
            )
        )
    return components, warnings
