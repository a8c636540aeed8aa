"""`traystatus calendar events`: every occurrence in a window with its classification and source.

The answer to "why is my status X?": local times, all-day flag, source, kind and rule. Problems
(errors, stale copies, warnings) go to stderr; the exit code is non-zero only if no source worked.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from traystatus.adapters.clock import utc_now
from traystatus.app.options import add_settings_options, load_settings
from traystatus.app.paths import AppPaths
from traystatus.core.errors import ConfigError
from traystatus.core.model import CalendarEvent, Privacy
from traystatus.core.ports import CalendarResult
from traystatus.core.terminal_text import one_line

DEFAULT_DAYS = 7


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "calendar", help="inspect your calendars", description="Inspect the calendars traystatus reads."
    )
    sub = p.add_subparsers(dest="calendar_command", metavar="ACTION", required=True)
    ev = sub.add_parser(
        "events",
        help="list every occurrence in a window, with its classification and source",
        description="Every occurrence between --from and --to: start and end in your zone, "
        "all-day flag, source, and how it is classified (and by which rule).",
    )
    ev.add_argument(
        "--from",
        dest="start",
        metavar="ISO",
        help="a date (2026-11-23) or a time (2026-11-23T08:00, read in your zone); default: today",
    )
    ev.add_argument(
        "--to",
        dest="end",
        metavar="ISO",
        help=f"end (exclusive; a date means its midnight); default: {DEFAULT_DAYS} days after --from",
    )
    ev.add_argument("--json", action="store_true", help="a JSON array of occurrences")
    add_settings_options(ev)
    ev.set_defaults(func=run_events)
    from traystatus.app.commands.calendar_add import register_add

    register_add(sub)


def parse_moment(text: str, zone: ZoneInfo, option: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"Bad {option}",
            f"{text!r} is not a date or time; use e.g. 2026-11-23 or 2026-11-23T08:00 or 2026-11-23T08:00+01:00.",
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _window(args: argparse.Namespace, zone: ZoneInfo) -> tuple[datetime, datetime]:
    if args.start:
        start = parse_moment(args.start, zone, "--from")
    else:
        start = datetime.combine(datetime.now(zone).date(), time(0), tzinfo=zone)
    if args.end:
        end = parse_moment(args.end, zone, "--to")
    else:
        end = (start.astimezone(zone).replace(tzinfo=None) + timedelta(days=DEFAULT_DAYS)).replace(tzinfo=zone)
    if end <= start:
        raise ConfigError("Bad window", f"--to ({end.isoformat()}) must be after --from ({start.isoformat()}).")
    return start, end


def _classifier(settings: Any) -> Callable[[CalendarEvent], tuple[str, str]] | None:
    """``classify(event, rules)`` from core, when present (it is the engine's; this command only shows it)."""
    try:
        module = importlib.import_module("traystatus.core.classify")
    except ImportError:
        return None
    classify = getattr(module, "classify", None)
    if classify is None:
        return None

    def run(event: CalendarEvent) -> tuple[str, str]:
        result = classify(event, settings.rules)
        return str(result.kind), str(result.rule)

    return run


def run_events(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    if not settings.calendars:
        raise ConfigError("No calendars", "add --calendar FILE|URL or a [[calendars]] table in your config file.")
    zone = settings.timezone
    start, end = _window(args, zone)
    from traystatus.adapters.calendar_sources import build_sources, load_all

    cache_dir = AppPaths.resolve(getattr(args, "config", None)).cache_dir
    sources = build_sources(settings, cache_dir=cache_dir, user_emails=getattr(settings.rules, "user_emails", ()))
    results = load_all(sources, start.astimezone(UTC), end.astimezone(UTC))
    _report_problems(results)
    classify = _classifier(settings)
    events = sorted((e for r in results for e in r.events), key=lambda e: (e.start, e.end, e.source, e.uid))
    rows = [_row(e, zone, classify) for e in events]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        _print_table(rows, start, end, zone)
    working = [r for r in results if r.error is None or r.stale]
    return 0 if working else 1


def _report_problems(results: list[CalendarResult]) -> None:
    now = utc_now()
    for r in results:
        if r.error is not None:
            print(f"traystatus: {r.error.title}: {r.error.message}", file=sys.stderr)
        if r.stale:
            age = ""
            if r.fetched_at is not None:
                minutes = int((now - r.fetched_at).total_seconds() // 60)
                age = f" fetched {_age(minutes)} ago"
            print(f"traystatus: calendar '{r.source}' is stale: showing the last good copy{age}", file=sys.stderr)
        for w in r.warnings:
            print(f"traystatus: calendar '{r.source}': {w}", file=sys.stderr)


def _age(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _row(
    e: CalendarEvent, zone: ZoneInfo, classify: Callable[[CalendarEvent], tuple[str, str]] | None
) -> dict[str, object]:
    row: dict[str, object] = {
        "start": e.start.astimezone(zone).isoformat(),
        "end": e.end.astimezone(zone).isoformat(),
        "all_day": e.all_day,
        "title": e.display_title,
        "source": e.source,
        "status": e.status,
        "busy_status": e.busy_status,
        "transparent": e.transparent,
        "private": e.privacy is Privacy.PRIVATE,
        "partstat": e.partstat,
    }
    if classify is not None:
        row["kind"], row["rule"] = classify(e)
    if e.warnings:
        row["warnings"] = list(e.warnings)
    return row


def _print_table(rows: list[dict[str, object]], start: datetime, end: datetime, zone: ZoneInfo) -> None:
    print(
        f"Events {start.astimezone(zone):%a %Y-%m-%d %H:%M} – {end.astimezone(zone):%a %Y-%m-%d %H:%M} "
        f"({zone.key}): {len(rows)}"
    )
    for r in rows:
        s = datetime.fromisoformat(str(r["start"]))
        e = datetime.fromisoformat(str(r["end"]))
        if r["all_day"]:
            last = (e - timedelta(days=1)).date()
            when = f"{s:%a %Y-%m-%d} all day" + (f" → {last:%a %m-%d}" if last > s.date() else "")
        else:
            end_text = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%a %m-%d %H:%M}"
            when = f"{s:%a %Y-%m-%d %H:%M}–{end_text}"
        kind = f"{r['kind']} ({r['rule']})" if "kind" in r else ""
        print(f"{when:<32} {one_line(str(r['title'])):<30} [{one_line(str(r['source']))}] {kind}".rstrip())
