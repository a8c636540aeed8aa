"""ICS text → expanded :class:`CalendarEvent` occurrences over a window, in the user's zone.

Uses icalendar + recurring-ical-events; fixes what real producers get wrong (Outlook's all-day
UNTIL, unknown TZIDs, floating times) and turns every library failure into a :class:`CalendarError`.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import icalendar
from icalendar.prop import vBroken
from icalendar.timezone import tzp

from traystatus.adapters.calendar_durations import add_days, after, exact_durations, mark_long_times, time_part
from traystatus.adapters.calendar_freebusy import freebusy_events
from traystatus.adapters.calendar_limits import bound_rules, describe, expand_bounded, rules, when
from traystatus.adapters.calendar_text import (
    drop_alarms,
    drop_bad_timezones,
    drop_open_events,
    hostile_timezones,
    normalise,
    tame_timezones,
    validate_body,
)
from traystatus.adapters.calendar_zone_misses import remember_misses
from traystatus.core.errors import CalendarError
from traystatus.core.model import CalendarEvent, Privacy

__all__ = ["ParseContext", "expand", "overlaps", "parse_calendar", "validate_body"]

log = logging.getLogger(__name__)

_TZ_LOCK = threading.Lock()
#: icalendar's process-wide cache of VTIMEZONEs by TZID (private: tests/adapters/test_calendar_zones.py
#: fails if a new icalendar renames it)
_TZ_CACHE: dict[str, object] = tzp._TZP__tz_cache  # type: ignore[attr-defined]
remember_misses(tzp._TZP__provider)  # type: ignore[attr-defined]  # an unknown TZID is searched for once

#: recurring-ical-events is asked for a slightly wider window: floating and all-day times are
#: only placed in the user's zone afterwards, and no zone is more than 14 h off UTC.
_SLACK = timedelta(days=1)
_REPAIRABLE = ("DTEND", "DURATION", "EXDATE", "RDATE")
_SINGLE = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SEQUENCE")  # RFC 5545: at most once in a VEVENT
_RRULE_SPACES = re.compile(r"^(RRULE[;:][^\r\n]*)$", re.MULTILINE)
_EMPTY_TZID = re.compile(
    r"^((?:DTSTART|DTEND|RECURRENCE-ID|EXDATE|RDATE|DUE)(?:;[^:;\r\n]+)*);TZID=(?=[:;])", re.MULTILINE
)


_LONG_TZID = re.compile(r';TZID=(?:"[^"\r\n]{100,}"|[^:;"\r\n]{100,})(?=[:;])')


@dataclass(frozen=True, slots=True, kw_only=True)
class ParseContext:
    source: str  # display name, for events and errors
    zone: ZoneInfo  # the user's zone: floating times, all-day dates, unknown TZIDs
    user_emails: frozenset[str] = frozenset()  # lower-case addresses, for PARTSTAT


def parse_calendar(data: bytes | str, ctx: ParseContext) -> icalendar.Calendar:
    """Parse ICS text; raises :class:`CalendarError` naming the source when it is not a calendar."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = normalise(text)
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        head = text.lstrip("\ufeff \t\r\n")[:200].lower()
        what = "a web page (HTML)" if head.startswith("<") else "not an iCalendar file"
        raise CalendarError(
            f"Calendar '{ctx.source}' is not a calendar",
            f"it is {what}. Use the calendar's iCal/ICS address or an .ics file "
            "(for Google: 'Secret address in iCal format').",
        )
    if "RRULE" in text and re.search(r"^RRULE[;:][^\r\n]*[ \t]", text, re.MULTILINE):
        # "BYDAY=MO, TU, WE" (icalendar issue 165): spaces make the whole series unreadable
        text = _RRULE_SPACES.sub(lambda m: m.group(1).replace(" ", "").replace("\t", ""), text)
    upper = text.upper()
    repairs = []
    if upper.count("BEGIN:VALARM") != upper.count("END:VALARM"):
        # alarms left open: icalendar takes seconds to refuse thousands of them (280 KB: 2.2 s)
        text = drop_alarms(text)[0]
        repairs.append("alarms left open ignored")
    if "DURATION" in upper and "H" in upper:
        text = mark_long_times(text)
    if "BEGIN:VTIMEZONE" in upper and "RRULE" in upper:  # a zone's rule is expanded to 2038 as it is read
        text, notes = tame_timezones(text)
        repairs.extend(notes)
        upper = text.upper() if notes else upper
    zones_dropped = "BEGIN:VTIMEZONE" in upper and hostile_timezones(upper)
    if zones_dropped:  # a zone too big, or a rule the taming above left: dateutil walks it for seconds, or for ever
        text = drop_bad_timezones(text)[0]
    try:
        cal = _from_ical(text)
    except Exception as e:  # icalendar raises ValueError, KeyError, … on broken input
        cal = _repaired(text, e, ctx)
    if isinstance(cal, list):  # several VCALENDARs in one file: take the first
        cal = cal[0]
    if not isinstance(cal, icalendar.Calendar):  # the lines ran together: icalendar made up a component
        raise CalendarError(
            f"Calendar '{ctx.source}' could not be read",
            f"the file is malformed (it holds no VCALENDAR icalendar can read, but a {type(cal).__name__[:40]}). "
            "Export it again from your calendar app, or remove this source.",
        )
    fixes = repairs
    if zones_dropped:
        fixes.append("a time zone definition with impossible rules ignored (the standard rules of its zone apply)")
    if fixes:  # with the repairs of the second parse, if there was one
        if (repaired := cal.get("X-TRAYSTATUS-REPAIRED")) is not None:
            del cal["X-TRAYSTATUS-REPAIRED"]
            fixes = [fix for fix in str(repaired).split("; ") if fix not in fixes] + fixes
        cal.add("X-TRAYSTATUS-REPAIRED", "; ".join(fixes))
    return cal


def _from_ical(text: str) -> icalendar.Calendar | list[icalendar.Calendar]:
    """Parse with only this file's VTIMEZONEs known by their TZID.

    icalendar caches the first VTIMEZONE it meets for a custom TZID for the whole process and
    reads every later file's times in it (two Outlook calendars both saying "Customized Time
    Zone"). The cache is emptied before each parse, under a lock so that two sources parsed at
    once cannot see each other's zones; IANA and Windows names do not depend on it.
    """
    with _TZ_LOCK:
        _TZ_CACHE.clear()
        return icalendar.Calendar.from_ical(text)


def _repaired(text: str, error: Exception, ctx: ParseContext) -> icalendar.Calendar:
    """Parse again without what the app never needs and producers get wrong: alarms (``TRIGGER:PT-2H``),
    impossible VTIMEZONE offsets (``+5328``: the zone's IANA rules serve) and empty TZIDs (floating)."""
    fixes = []
    text, n = drop_alarms(text)
    if n:
        fixes.append("alarms ignored")
    text, n = drop_bad_timezones(text)
    if n:
        fixes.append("a broken time zone definition ignored (the standard rules of its zone apply)")
    text, n = _EMPTY_TZID.subn(r"\1", text)
    if n:
        fixes.append("times with an empty TZID read in your time zone")
    text, n = _LONG_TZID.subn("", text)
    if n:  # zoneinfo looks a TZID up as a file name: 300 characters raise OSError (name too long)
        fixes.append("times whose TZID is no zone name (over 100 characters) read in your time zone")
    text, n, mended = drop_open_events(text)
    if n:
        fixes.append(f"{n} event(s) never closed (END:VEVENT missing) skipped")
    if mended:
        fixes.append(f"{mended} unbalanced BEGIN/END line(s) inside events mended")
    try:
        if not fixes:
            raise error
        cal = _from_ical(text)
    except Exception:  # reported with the first error, which says what is wrong
        raise CalendarError(
            f"Calendar '{ctx.source}' could not be read",
            f"the file is malformed ({type(error).__name__}: {_short(error)}). "
            "Export it again from your calendar app, or remove this source.",
        ) from None
    first = cal[0] if isinstance(cal, list) else cal  # several VCALENDARs: normalise merged them, take the first
    first.add("X-TRAYSTATUS-REPAIRED", "; ".join(fixes))
    # info, not warning: the caller reports the returned warnings; a console handler would print them twice
    log.info("Calendar '%s' had errors (%s): %s", ctx.source, _short(error), "; ".join(fixes))
    return first


def expand(
    cal: icalendar.Calendar, start: datetime, end: datetime, ctx: ParseContext, *, whole: bool = True
) -> tuple[list[CalendarEvent], list[str]]:
    """Occurrences overlapping [start, end), sorted; plus warnings for the whole source.

    One unreadable event is named in a warning and skipped; when ``whole`` (``cal`` is the whole file, not
    what the prefilter kept of it) and no event has a readable start, the file is malformed: an error.
    """
    warnings: list[str] = []
    if cal.get("X-TRAYSTATUS-REPAIRED"):
        warnings.append(f"the file has errors; read anyway ({cal['X-TRAYSTATUS-REPAIRED']})")
    _first_of_each(cal)
    _drop_unreadable_events(cal, warnings)
    _drop_ends_before_starts(cal, warnings)
    vevents = cal.walk("VEVENT")
    if whole and vevents and all(when(comp, "DTSTART") is None for comp in vevents):
        raise CalendarError(
            f"Calendar '{ctx.source}' could not be read",
            f"the file is malformed (none of its {len(vevents)} events has a readable start). "
            "Export it again from your calendar app, or remove this source.",
        )
    try:
        _fix_outlook_all_day_until(cal, ctx.zone)
        _promote_orphan_series(cal)
        _drop_broken_properties(cal, warnings)
        recurring = _recurring_uids(cal)
        exact = exact_durations(cal)
        unknown_tz = _unknown_tz_uids(cal)
        bound_rules(cal, end + _SLACK, warnings)
        raw = expand_bounded(cal, start - _SLACK, end + _SLACK, warnings)
    except Exception as e:  # a series the library cannot expand even when skipping bad ones
        raise CalendarError(
            f"Calendar '{ctx.source}' could not be expanded",
            f"a recurring event is malformed ({type(e).__name__}: {_short(e)}). "
            "Export the calendar again or remove this source.",
        ) from None
    events: list[CalendarEvent] = []
    warned: set[str] = set()
    for comp in raw:
        try:
            event = _to_event(comp, ctx, recurring, unknown_tz, warned, warnings, exact)
        except Exception as e:  # one broken VEVENT must not hide the others
            uid = str(comp.get("UID", "?"))
            warnings.append(f"an event (UID {uid[:40]}) was skipped: {type(e).__name__}: {_short(e)}")
            continue
        if event is not None and overlaps(event, start, end):
            events.append(event)
    events.extend(freebusy_events(cal, start, end, ctx.source, warnings))
    events.sort(key=lambda ev: (ev.start, ev.end, ev.uid))
    return events, warnings


def overlaps(ev: CalendarEvent, start: datetime, end: datetime) -> bool:
    if ev.end <= ev.start:  # zero-length: counts when its instant is inside the window
        return start <= ev.start < end
    return ev.start < end and ev.end > start


def _short(e: BaseException) -> str:
    text = str(e).replace("\n", " ")
    return text[:160] + ("…" if len(text) > 160 else "")


def _unknown_tz_uids(cal: icalendar.Calendar) -> dict[str, str]:
    """UID → TZID for events whose zone is neither defined in the file nor known (icalendar leaves them naive)."""
    missing = cal.get_missing_tzids()
    if not missing:
        return {}
    out = {}
    for comp in cal.walk("VEVENT"):
        prop = comp.get("DTSTART")
        tzid = getattr(prop, "params", {}).get("TZID") if prop is not None else None
        if tzid in missing and isinstance(start := when(comp, "DTSTART"), datetime) and start.tzinfo is None:
            out[str(comp.get("UID", ""))] = str(tzid)
    return out


def _recurring_uids(cal: icalendar.Calendar) -> set[str]:
    out = set()
    for comp in cal.walk("VEVENT"):
        if "RRULE" in comp or "RDATE" in comp or "RECURRENCE-ID" in comp:
            out.add(str(comp.get("UID", "")))
    return out


def calendar_zone(cal: icalendar.Calendar, fallback: ZoneInfo) -> tzinfo:
    """The zone the producer wrote in: X-WR-TIMEZONE, else a lone VTIMEZONE, else ``fallback``."""
    name = cal.get("X-WR-TIMEZONE")
    if name:
        try:
            return ZoneInfo(str(name))
        except (ValueError, KeyError, OSError):
            pass
    zones = list(cal.walk("VTIMEZONE"))
    if len(zones) == 1 and isinstance(zones[0], icalendar.Timezone):
        try:
            tz = zones[0].to_tz(lookup_tzid=False)  # its own rules: icalendar's cache may hold another file's
            if isinstance(tz, tzinfo):
                return tz
        except Exception:  # noqa: S110 - a broken VTIMEZONE: the fallback is right
            pass
    return fallback


def _fix_outlook_all_day_until(cal: icalendar.Calendar, fallback: ZoneInfo) -> None:
    """All-day series with a DATE-TIME UNTIL: Outlook writes the UTC start of the last instance.

    Read UNTIL as a date in the producer's zone so that last instance counts (EXPECTATIONS.md).
    """
    zone: tzinfo | None = None
    for comp in cal.walk("VEVENT"):
        dtstart = when(comp, "DTSTART")
        if dtstart is None or isinstance(dtstart, datetime):
            continue
        for rule in rules(comp):
            untils = rule.get("UNTIL") or []
            if untils and isinstance(untils[0], datetime):
                if zone is None:
                    zone = calendar_zone(cal, fallback)
                until = untils[0]
                if until.tzinfo is None or not 1 < until.year < 9999:  # at datetime's edges no zone can hold it
                    rule["UNTIL"] = [until.date()]
                    continue
                local_until = until.astimezone(zone)
                if local_until.time() == time(0):  # Outlook: the start of the last instance
                    rule["UNTIL"] = [local_until.date()]
                else:  # Google & co: an instant on the last day, in UTC
                    rule["UNTIL"] = [until.astimezone(UTC).date()]


def _drop_broken_properties(cal: icalendar.Calendar, warnings: list[str]) -> None:
    """A broken DTEND/EXDATE/… (``DTEND:None``) would make the library drop the whole event."""
    for comp in cal.walk("VEVENT"):
        if not comp.errors:
            continue
        for name in _REPAIRABLE:
            value = comp.get(name)
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            keep = [item for item in items if not isinstance(item, vBroken)]
            if len(keep) == len(items):
                continue
            del comp[name]
            for item in keep:
                comp.add(name, item)
            what = str(comp.get("SUMMARY", "")) if str(comp.get("CLASS", "")).upper() == "PUBLIC" else ""
            warnings.append(f"an event{f' ({what!r})' if what else ''} has an unreadable {name}; it was ignored")


def _first_of_each(cal: icalendar.Calendar) -> None:
    """A VEVENT with two UID, DTSTART, SEQUENCE, … lines (a list to icalendar) keeps the first, as the prefilter
    reads it; the library would fail its whole series, or the whole calendar for a UID (an unhashable list)."""
    for comp in cal.walk("VEVENT"):
        for name in _SINGLE:
            value = comp.get(name)
            if isinstance(value, list):
                del comp[name]
                if value:
                    comp.add(name, value[0])


def _drop_unreadable_events(cal: icalendar.Calendar, warnings: list[str]) -> None:
    """An override whose RECURRENCE-ID cannot be read replaces no instance we can name, and an event whose
    DURATION ends past the year 9999 has no end: the library would skip the whole series (or, for a far override,
    keep or lose it depending on what it met first). Each costs only itself, named in a warning."""
    for parent in cal.walk():
        bad = [comp for comp in parent.subcomponents if comp.name == "VEVENT" and _unreadable(comp)]
        for comp in bad:
            parent.subcomponents.remove(comp)
            what = "a change to " if "RECURRENCE-ID" in comp else ""
            warnings.append(
                f"{what}{describe(comp)} has an unreadable start, RECURRENCE-ID or DURATION; it was skipped"
            )


def _drop_ends_before_starts(cal: icalendar.Calendar, warnings: list[str]) -> None:
    """A DTEND before its DTSTART: the library swaps them (a 2019 series then starts in the year 1 and is
    walked for seconds); the end is ignored instead, as the app reads an end before the start."""
    for comp in cal.walk("VEVENT"):
        start, end = when(comp, "DTSTART"), when(comp, "DTEND")
        if start is None or end is None or type(start) is not type(end):
            continue
        try:
            before = end < start
        except TypeError:  # naive against aware
            continue
        if before:
            del comp["DTEND"]
            warnings.append(f"{describe(comp)} ends before it starts; its end is ignored")


def _unreadable(comp: icalendar.cal.Component) -> bool:
    if "RECURRENCE-ID" in comp and (when(comp, "RECURRENCE-ID") is None or when(comp, "DTSTART") is None):
        return True  # a change that cannot be placed: the library would skip its whole series
    if "DURATION" not in comp:
        return False
    start = when(comp, "DTSTART")
    try:
        length = getattr(comp["DURATION"], "dt", None)
        if start is not None and isinstance(length, timedelta):
            start + length
    except Exception:  # OverflowError, or a broken DURATION
        return True
    return False


def _promote_orphan_series(cal: icalendar.Calendar) -> None:
    """An override with its own RRULE/RDATE but no master (khal, Exchange): expand it as a series."""
    masters = {str(c.get("UID", "")) for c in cal.walk("VEVENT") if "RECURRENCE-ID" not in c}
    for comp in cal.walk("VEVENT"):
        if "RECURRENCE-ID" in comp and ("RRULE" in comp or "RDATE" in comp) and str(comp.get("UID", "")) not in masters:
            del comp["RECURRENCE-ID"]
            masters.add(str(comp.get("UID", "")))


def _localize(value: date | datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    """An aware datetime; dates become local midnight (all_day=True); naive times the user's zone."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=zone), True
    if value.tzinfo is None:
        return value.replace(tzinfo=zone), False
    return value, False


def _to_event(
    comp: icalendar.cal.Component,
    ctx: ParseContext,
    recurring: set[str],
    unknown_tz: dict[str, str],
    warned: set[str],
    warnings: list[str],
    exact: dict[str, tuple[timedelta, timedelta]] | None = None,
) -> CalendarEvent | None:
    prop = comp.get("DTSTART")
    if prop is None:
        return None
    raw_start = prop.dt
    start, all_day = _localize(raw_start, ctx.zone)
    end_prop = comp.get("DTEND")
    if end_prop is not None:
        end, _ = _localize(end_prop.dt, ctx.zone)
    elif isinstance(length := getattr(comp.get("DURATION"), "dt", None), timedelta):
        found = (exact or {}).get(str(comp.get("UID", "")))  # an occurrence's DURATION lost its parameters
        part = found[1] if found is not None and found[0] == length else time_part(comp.get("DURATION"), length)
        end = after(start, length, part) if not all_day else add_days(start, length.days)
    else:
        end = add_days(start, 1) if all_day else start
    duration = (exact or {}).get(str(comp.get("UID", "")))
    if duration is not None and not all_day and end_prop is not None and end == start + duration[0]:
        end = after(start, *duration)  # the library added DURATION on the wall clock (2 h across fall-back)
    if all_day and end <= start:  # DTEND == DTSTART on a date: a one-day event (calendar labs)
        end = add_days(start, 1)
    if end < start:
        end = start
    uid = str(comp.get("UID", ""))
    title = str(comp.get("SUMMARY", "")).strip()
    privacy = Privacy.PRIVATE if str(comp.get("CLASS", "")).upper() in ("PRIVATE", "CONFIDENTIAL") else Privacy.PUBLIC
    event_warnings: tuple[str, ...] = ()
    tzid = unknown_tz.get(uid)
    if tzid and isinstance(raw_start, datetime) and raw_start.tzinfo is None:
        shown = "Private event" if privacy is Privacy.PRIVATE else (title or uid[:40])
        text = f"event '{shown}' uses the unknown time zone '{tzid}'; read in {ctx.zone.key}"
        event_warnings = (text,)
        if uid not in warned:
            warned.add(uid)
            warnings.append(text)
            log.info("Calendar '%s': %s", ctx.source, text)  # reported by the caller, as above
    recurrence_id = None
    replaced = when(comp, "RECURRENCE-ID")
    if uid in recurring and replaced is not None:
        recurrence_id, _ = _localize(replaced, ctx.zone)
    return CalendarEvent(
        uid=uid,
        start=start,
        end=end,
        title=title,
        all_day=all_day,
        source=ctx.source,
        status=str(comp.get("STATUS", "")).upper(),
        transparent=str(comp.get("TRANSP", "")).upper() == "TRANSPARENT",
        busy_status=str(comp.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper(),
        privacy=privacy,
        partstat=_partstat(comp.get("ATTENDEE"), ctx.user_emails),
        recurrence_id=recurrence_id,
        warnings=event_warnings,
    )


def _partstat(attendees: object, emails: frozenset[str]) -> str:
    if not emails or attendees is None:
        return ""
    items: Iterable[object] = attendees if isinstance(attendees, list) else [attendees]
    for att in items:
        address = str(att).lower().removeprefix("mailto:").strip()
        if address in emails:
            params = getattr(att, "params", {})
            return str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    return ""
