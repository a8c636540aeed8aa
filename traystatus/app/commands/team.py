"""`traystatus team`: teammates' local times now (or --at), and `team overlap`: shared working hours, best slots."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from traystatus.adapters.clock import SystemClock
from traystatus.app.options import add_settings_options, load_settings
from traystatus.app.paths import AppPaths
from traystatus.core.errors import ConfigError
from traystatus.core.settings import Settings
from traystatus.core.team import Person, parse_member
from traystatus.core.terminal_text import one_line
from traystatus.core.world_clock import Row, Span, best_slots, day_overlap, rows


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--member",
        action="append",
        default=[],
        metavar='"NAME=ZONE[;HOURS]"',
        help='a teammate, e.g. "Aiko=Asia/Tokyo" or "Raj=Asia/Kolkata;mon-fri 10:00-18:00" '
        "(repeatable; added to the configured team, wins over a configured person of that name)",
    )
    common.add_argument(
        "--at",
        metavar="WHEN",
        help="the moment: 15:00, 15:00 today, tomorrow 09:30, fri 15:00 or 2026-03-10T15:00 (your zone "
        "unless an offset is given); default: now",
    )
    common.add_argument("--json", action="store_true", help="machine-readable output")
    p = subparsers.add_parser(
        "team",
        parents=[common],
        help="your teammates' local times and working hours",
        description="What time it is for each teammate, the offset to you and whether they are working.",
    )
    add_settings_options(p)
    p.set_defaults(func=run_clock)
    sub = p.add_subparsers(dest="team_command", metavar="SUBCOMMAND")
    o = sub.add_parser(
        "overlap",
        parents=[common],
        help="when everyone (or --with people) is within working hours",
        description="The hours of each day where everyone is within working hours, in your zone, "
        "and the best meeting slots over the next five working days.",
    )
    o.add_argument(
        "--with",
        dest="with_names",
        action="append",
        default=[],
        metavar="NAME",
        help="only these teammates (repeatable; default: everyone)",
    )
    o.add_argument("--days", type=int, default=1, metavar="N", help="how many days from today (default 1)")
    o.add_argument("--without-me", action="store_true", help="leave yourself out of the overlap")
    o.add_argument(
        "--minutes",
        type=int,
        default=None,
        metavar="N",
        help="meeting length for the best slots (default: team.meeting_minutes, 30)",
    )
    add_settings_options(o)
    o.set_defaults(func=run_overlap)
    i = sub.add_parser(
        "import",
        help="refresh the teammates imported from Slack and Matrix now",
        description="Read team.import_slack (users.list) and team.matrix_room (members' m.tz) with "
        "the configured accounts and cache them; the tray app does this once a day by itself.",
    )
    i.add_argument("--if-stale", action="store_true", help="only imports older than team.refresh_hours")
    add_settings_options(i)
    i.set_defaults(func=run_import)


def roster(settings: Settings, args: argparse.Namespace) -> tuple[Person, list[Person]]:
    """You, and the team: --member people, then configured ones, then cached imports (no network here)."""
    from traystatus.app.team_import import refresh_team_hours, team_roster

    members = [parse_member(spec) for spec in args.member]
    paths = AppPaths.resolve(getattr(args, "config", None))
    for problem in refresh_team_hours(settings, paths, SystemClock().now()):  # a short-lived command may wait on them
        print(f"traystatus: {problem}", file=sys.stderr)
    return team_roster(settings, paths, members)


_DAY_WORDS = {"yesterday": -1, "today": 0, "tomorrow": 1}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _relative(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """``15:00``, ``15:00 today``, ``tomorrow 9:30``, ``fri 15:00`` (the next Friday, today included)."""
    words = text.lower().split()
    clock = [w for w in words if ":" in w]
    days = [w for w in words if ":" not in w]
    if len(clock) != 1 or len(days) > 1:
        return None
    hour, _, minute = clock[0].partition(":")
    at = time(int(hour), int(minute))  # ValueError for 25:00 or 15:x
    today = now.astimezone(zone).date()
    if not days:
        return datetime.combine(today, at)
    word = days[0]
    if word in _DAY_WORDS:
        return datetime.combine(today + timedelta(days=_DAY_WORDS[word]), at)
    if word[:3] in _WEEKDAYS:
        ahead = (_WEEKDAYS.index(word[:3]) - today.weekday()) % 7
        return datetime.combine(today + timedelta(days=ahead), at)
    return None


def parse_at(text: str | None, zone: ZoneInfo, now: datetime) -> datetime:
    if not text:
        return now
    try:
        moment = _relative(text, zone, now) if "T" not in text and "-" not in text else None
        if moment is None and len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(12, 0))
        elif moment is None:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            "Bad --at",
            f"{text!r} is not a time; use e.g. 15:00, 15:00 today, tomorrow 09:30, fri 15:00, "
            "2026-03-10T15:00 or 2026-03-10T15:00+09:00.",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _row_json(r: Row) -> dict[str, object]:
    return {
        "name": r.name,
        "zone": r.zone,
        "local_time": r.local.isoformat(),
        "offset_minutes": r.offset_minutes,
        "working": r.working,
        "badge": str(r.badge),
        "date_hint": r.date_hint,
        "team": r.group,
        "me": r.is_me,
    }


def run_clock(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    me, people = roster(settings, args)
    instant = parse_at(args.at, settings.timezone, SystemClock().now())
    table = rows(me, people, instant)
    if args.json:
        sources = {p.name: p.hours_source for p in [me, *people]}
        print(json.dumps([{**_row_json(r), "hours_source": sources.get(r.name, "")} for r in table], indent=2))
        return 0
    mine = instant.astimezone(me.zone_at(instant))
    print(f"{mine:%a %d %b %H:%M} {mine.tzname()} ({me.zone_at(instant).key})")
    if not people and (settings.team.import_slack or settings.team.matrix_room):
        print("No teammates yet: run `traystatus team import` to read them from Slack/Matrix.")
    elif not people:
        print('No teammates yet: add [[team.people]] to the config, or --member "Aiko=Asia/Tokyo".')
    width = max(len(one_line(r.name)) for r in table)
    hours_sources = {p.name: p.hours_source for p in people}
    group: str | None = None
    grouped = any(r.group for r in table)
    for r in table:
        if grouped and not r.is_me and r.group != group:
            group = r.group
            print(f"{one_line(group or 'Others')}:")
        when = f"{r.local:%a %H:%M}" + (f" {r.date_hint}" if r.date_hint else "")
        badge = {"working": "working", "off_hours": "off hours", "night": "night"}[str(r.badge)]
        line = f"  {one_line(r.name):<{width}}  {r.zone:<22} {when:<20} {r.offset_label:>12}  {badge}"
        source = hours_sources.get(r.name, "")
        print(f"{line:<{width + 70}}  hours {source}" if source else line)
    return 0


def _select(people: Sequence[Person], names: Sequence[str]) -> list[Person]:
    if not names:
        return list(people)
    out: list[Person] = []
    for name in names:
        key = name.casefold().strip()
        exact = [p for p in people if p.name.casefold() == key]
        found = exact or [p for p in people if p.name.casefold().startswith(key)]
        if len(found) != 1:
            known = ", ".join(p.name for p in people) or "nobody (add [[team.people]] or --member)"
            why = "matches several people" if found else "is not in the team"
            raise ConfigError("Unknown teammate", f"--with {name!r} {why}; the team: {known}.")
        if found[0] not in out:
            out.append(found[0])
    return out


def _span_json(s: Span, zone: ZoneInfo) -> dict[str, object]:
    return {
        "start": s.start.astimezone(zone).isoformat(),
        "end": s.end.astimezone(zone).isoformat(),
        "minutes": s.minutes,
        "available": list(s.available),
        "missing": list(s.missing),
    }


def run_overlap(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    me, people = roster(settings, args)
    if args.days < 1 or args.days > 366:
        raise ConfigError("Bad --days", f"--days {args.days}: give 1 to 366.")
    group = ([] if args.without_me else [me]) + _select(people, args.with_names)
    if len(group) < 2 and not (args.without_me and group):
        raise ConfigError(
            "Nobody to overlap with",
            'add teammates with [[team.people]] in the config or --member "Aiko=Asia/Tokyo", or name them with --with.',
        )
    zone = settings.timezone
    instant = parse_at(args.at, zone, SystemClock().now())
    first = instant.astimezone(zone).date()
    days = [(first + timedelta(days=i), day_overlap(group, first + timedelta(days=i), zone)) for i in range(args.days)]
    minutes = args.minutes or settings.team.meeting_minutes
    slots = best_slots(
        group,
        instant,
        tz=zone,
        hours=None if args.without_me else me.hours,
        minutes=minutes,
        required=() if args.without_me else (me,),
    )
    if args.json:
        print(
            json.dumps(
                {
                    "people": [p.name for p in group],
                    "timezone": zone.key,
                    "days": [
                        {"date": d.isoformat(), "spans": [_span_json(s, zone) for s in spans]} for d, spans in days
                    ],
                    "best_slots": [_span_json(s, zone) for s in slots],
                },
                indent=2,
            )
        )
        return 0
    print(f"Working hours shared by {', '.join(p.name for p in group)} (times in {zone.key}):")
    for d, spans in days:
        text = ", ".join(
            f"{s.start.astimezone(zone):%H:%M}–{s.end.astimezone(zone):%H:%M} ({_dur(s.minutes)})" for s in spans
        )
        print(f"  {d:%a %d %b}  {text or 'no overlap'}")
    print(f"Best {minutes}-minute slots, next five working days:")
    for s in slots:
        who = "everyone" if s.everyone else f"{len(s.available)} of {len(group)}, not {', '.join(s.missing)}"
        print(f"  {s.start.astimezone(zone):%a %d %b %H:%M}–{s.end.astimezone(zone):%H:%M}  {who}")
    if not slots:
        print("  none: nobody works in that window")
    return 0


def _dur(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m} min" if h and m else (f"{h} h" if h else f"{m} min")


def run_import(args: argparse.Namespace) -> int:
    from traystatus.app.team_import import import_rosters

    settings = load_settings(args)
    if getattr(args, "demo", False):  # the demo's accounts are simulated: no roster to read with a real token
        print("Demo: the demo team is built in; nothing imported (`traystatus team` shows it).")
        return 0
    if not settings.team.import_slack and not settings.team.matrix_room:
        raise ConfigError(
            "Nothing to import",
            "set team.import_slack = true and/or team.matrix_room = "
            '"!room:server" in the [team] section of the config.',
        )
    paths = AppPaths.resolve(getattr(args, "config", None))
    outcomes = import_rosters(settings, paths, SystemClock().now(), force=not args.if_stale)
    for o in outcomes:
        print(f"{o.source}: {o.error}" if o.error else f"{o.source}: {o.people} teammates with a time zone")
    return 1 if any(o.error for o in outcomes) else 0
