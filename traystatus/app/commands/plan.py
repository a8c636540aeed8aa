"""`traystatus plan`: the availability timeline for the coming days, and why, before anything is sent."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from traystatus.adapters.clock import SystemClock
from traystatus.app.options import add_settings_options, load_settings
from traystatus.app.paths import AppPaths
from traystatus.core.availability import AvailabilityComponent, apply_calendar_hours
from traystatus.core.engine import Timeline, build_timeline
from traystatus.core.errors import ConfigError
from traystatus.core.leave_chain import read_through_leave
from traystatus.core.model import CalendarEvent, Override
from traystatus.core.settings import Settings
from traystatus.core.terminal_text import one_line
from traystatus.core.work_periods import hours_origin

#: Events are read this far past the window so an out-of-office ``until`` ("back Mon 09:00") is right; further
#: while a leave written as several events runs on (``leave_chain``).
EVENT_LOOKAHEAD = timedelta(days=14)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "plan",
        help="show your availability for the coming days and why",
        description="Your availability, interval by interval: state, until when, and why. Nothing is sent anywhere.",
    )
    p.add_argument(
        "--from",
        dest="start",
        metavar="ISO",
        help="start: a date (2026-11-23) or a time (2026-11-23T08:00, read in your zone; "
        "an offset is honoured); default: now",
    )
    p.add_argument("--days", type=int, default=7, metavar="N", help="how many days to show (default 7)")
    p.add_argument("--json", action="store_true", help="an array of {start, end, state, until, reason}")
    add_settings_options(p)
    p.set_defaults(func=run)


def parse_start(text: str | None, zone: ZoneInfo, now: datetime) -> datetime:
    """``--from``: a date means local midnight; a time without offset is read in ``zone``."""
    if not text:
        return now.replace(second=0, microsecond=0)
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            "Bad --from",
            f"{text!r} is not a date or time; use e.g. 2026-11-23 or 2026-11-23T08:00 or 2026-11-23T08:00+01:00.",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def add_days(start: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``days`` calendar days later on the local wall clock (a DST day lasts 23 or 25 hours)."""
    local = start.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return local.replace(tzinfo=zone).astimezone(UTC)


def load_events(
    settings: Settings, args: argparse.Namespace, start: datetime, end: datetime, *, shown_to: datetime | None = None
) -> tuple[list[CalendarEvent], list[str], int, list[AvailabilityComponent]]:
    """Events of every configured source over [start, end) (further while a leave running at ``shown_to``
    goes on), plus one stderr line per problem; how many sources failed; the calendars' availability
    (working hours)."""
    from traystatus.adapters.calendar_sources import build_sources, load_all

    cache_dir = AppPaths.resolve(getattr(args, "config", None)).cache_dir
    sources = build_sources(settings, cache_dir=cache_dir, user_emails=settings.rules.user_emails)
    events: list[CalendarEvent] = []
    notes: list[str] = []
    availability: list[AvailabilityComponent] = []
    failed = 0  # sources with no events at all to offer (a stale copy still serves)
    results, _ = read_through_leave(
        lambda a, b: load_all(sources, a, b),
        start,
        end,
        window_end=shown_to or end,
        settings=settings,
    )
    for result in results:
        events.extend(result.events)
        availability.extend(result.availability)
        if result.error is not None:
            failed += not result.stale
            notes.append(f"{result.error.title}: {result.error.message}")
        if result.stale:
            age = ""
            if result.fetched_at is not None:
                minutes = max(0, int((SystemClock().now() - result.fetched_at).total_seconds() // 60))
                age = f" from {_age(minutes)} ago"
            notes.append(f"calendar '{result.source}': stale, using the last good copy{age}")
        notes.extend(f"calendar '{result.source}': {w}" for w in result.warnings)
    return events, notes, failed, availability


def load_overrides(args: argparse.Namespace, now: datetime) -> list[Override]:
    """The manual overrides in effect (set from the tray or the CLI), so the plan matches what is sent (with
    --demo, cli.run's demo session points the paths at the demo's own state: app.demo_mode)."""
    from traystatus.adapters.state_store import StateStore

    return StateStore(AppPaths.resolve(getattr(args, "config", None)).state_dir).overrides(now)


def _age(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def run(args: argparse.Namespace) -> int:
    clock = SystemClock()
    now = clock.now()
    settings = load_settings(args)
    if not 1 <= args.days <= 366:
        raise ConfigError("Bad --days", f"--days {args.days}: give a number of days from 1 to 366.")
    zone = settings.timezone
    start = parse_start(args.start, zone, now)
    end = add_days(start, args.days, zone)
    events, notes, failed, availability = (
        load_events(settings, args, start, end + EVENT_LOOKAHEAD, shown_to=end)
        if settings.calendars
        else ([], [], 0, [])
    )
    settings, hour_notes = apply_calendar_hours(settings, availability, start - EVENT_LOOKAHEAD, end + EVENT_LOOKAHEAD)
    notes.extend(hour_notes)
    timeline = build_timeline(settings, events, load_overrides(args, now), start, end)
    for note in notes:
        print(f"traystatus: {note}", file=sys.stderr)
    if failed == len(settings.calendars) > 0:  # a normal-looking timeline would say "available" all day
        print(
            "traystatus: no calendar could be read, so there is no plan to show. "
            "Fix the calendar(s) named above, then run 'traystatus plan' again.",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(to_json(timeline, zone), indent=2, ensure_ascii=False))
    else:
        print(render_table(timeline, zone, calendars=len(settings.calendars), hours=hours_origin(settings, start, end)))
    return 1 if failed else 0


def to_json(timeline: Timeline, zone: ZoneInfo) -> list[dict[str, str]]:
    return [
        {
            "start": a.start.astimezone(zone).isoformat(),
            "end": a.end.astimezone(zone).isoformat(),
            "state": a.state.value,
            "until": a.until.astimezone(zone).isoformat(),
            "reason": a.reason,
        }
        for a in timeline.intervals
    ]


def _when(moment: datetime, zone: ZoneInfo, day: date | None) -> str:
    local = moment.astimezone(zone)
    text = local.strftime("%H:%M") if local.date() == day else local.strftime("%a %d %b %H:%M")
    return text + (f" ({local.tzname()})" if local.fold else "")


def render_table(timeline: Timeline, zone: ZoneInfo, *, calendars: int, hours: str = "") -> str:
    first, last = timeline.start.astimezone(zone), timeline.end.astimezone(zone)
    lines = [
        f"Availability in {zone.key}, {first:%a %d %b %Y %H:%M} – {last:%a %d %b %Y %H:%M} "
        f"({calendars} calendar{'s' if calendars != 1 else ''})"
    ]
    if hours:
        lines.append(f"Working hours {hours}")
    day: date | None = None
    for a in timeline.intervals:
        local = a.start.astimezone(zone)
        if local.date() != day:
            day = local.date()
            lines.append("")
            lines.append(local.strftime("%A %d %B %Y"))
        span = f"{_when(a.start, zone, day)} – {_when(a.end, zone, day)}"
        until = f"until {_when(a.until, zone, day)}"
        flag = " [override]" if a.overridden else ""
        lines.append(f"  {span:<27} {a.state.value:<10} {until:<24} {one_line(a.reason)}{flag}")
    return "\n".join(lines)
