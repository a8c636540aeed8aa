"""The user's weekly working hours as an RFC 7953 VCALENDAR, to store on a CalDAV server (``calendar-availability``)
so other clients (Nextcloud, Apple Calendar, the server's own scheduling) see the same hours.

One VAVAILABILITY with one AVAILABLE per distinct block, repeating weekly on the days that have it
(``RRULE:FREQ=WEEKLY;BYDAY=MO,TU,…``). Times are local wall times with an IANA ``TZID`` (the form Nextcloud
and icalendar resolve without a VTIMEZONE), so a 09:00 block stays 09:00 across DST. Each block's DTSTART is
on a day its BYDAY names (RFC 5545 counts DTSTART as an instance even off the pattern) and a week before the
one it was saved in, so the hours also cover the days just behind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.hours import WeekHours

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(day: date, t: time) -> str:
    return datetime.combine(day, t).strftime("%Y%m%dT%H%M%S")


def weekly_availability_ics(
    hours: WeekHours, zone: ZoneInfo, *, today: date, stamp: datetime, uid: str = "traystatus-working-hours"
) -> str:
    """``hours`` in ``zone`` as a VCALENDAR text (CRLF lines); ``ValueError`` when the week has no block at all
    (an availability without AVAILABLE time means "not set" to readers, not "never working")."""
    if stamp.tzinfo is None:
        raise ValueError("stamp must be an aware datetime")
    by_block: dict[tuple[time, time | None], list[int]] = {}
    for weekday in range(7):
        for block in hours.blocks(weekday):
            by_block.setdefault((block.start, block.end), []).append(weekday)
    if not by_block:
        raise ValueError("no working hours to save: every day is off")
    monday = today - timedelta(days=today.weekday() + 7)
    dtstamp = _stamp(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//traystatus//working hours//EN",
        "BEGIN:VAVAILABILITY",
        f"UID:{uid}",
        f"DTSTAMP:{dtstamp}",
        "SUMMARY:Working hours",
    ]
    for n, ((start, end), days) in enumerate(sorted(by_block.items(), key=lambda kv: (kv[1][0], kv[0][0])), 1):
        first = monday + timedelta(days=days[0])
        ends_next_day = end is None or end <= start  # 24:00, or a block past midnight
        end_day = first + timedelta(days=1) if ends_next_day else first
        lines += [
            "BEGIN:AVAILABLE",
            f"UID:{uid}-{n}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;TZID={zone.key}:{_local(first, start)}",
            f"DTEND;TZID={zone.key}:{_local(end_day, end or time(0))}",
            "RRULE:FREQ=WEEKLY;BYDAY=" + ",".join(_BYDAY[d] for d in days),
            "END:AVAILABLE",
        ]
    lines += ["END:VAVAILABILITY", "END:VCALENDAR"]
    return "\r\n".join(lines) + "\r\n"
