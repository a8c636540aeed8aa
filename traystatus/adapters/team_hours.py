"""Teammates' working hours from their own calendars (``availability = …`` in ``[[team.people]]``).

``refresh`` reads each teammate's calendar (a file, or a feed over the network: call it off the GUI thread) and
keeps their week of working hours in a small cache; ``apply`` gives people their cached hours from disk only, so
the team clock opens without waiting on a server. Entries are keyed by a hash of the calendar's location, never
the location itself (a feed address is often its password).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import storage_error
from traystatus.core.availability import combine, weekly_hours
from traystatus.core.calendar_fetch import location_key
from traystatus.core.hours import TimeBlock, WeekHours
from traystatus.core.team import ASSUMED_HOURS, CALENDAR_HOURS, Person

log = logging.getLogger(__name__)

FILE = "team-hours.json"


def _block_json(b: TimeBlock) -> list[str]:
    return [b.start.strftime("%H:%M"), "24:00" if b.end is None else b.end.strftime("%H:%M")]


def _block(item: object) -> TimeBlock | None:
    if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
        return None
    try:
        start = time.fromisoformat(item[0])
        end = None if item[1] == "24:00" else time.fromisoformat(item[1])
    except ValueError:
        return None
    return TimeBlock(start=start, end=end)


class TeamHoursCache:
    def __init__(self, cache_dir: Path) -> None:
        self._cache_dir = cache_dir
        self._path = cache_dir / FILE

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict[str, object]]) -> None:
        atomic_write(self._path, json.dumps(data, indent=1))  # 0600 in a 0700 dir, fsynced

    def refresh(self, people: Sequence[Person], now: datetime) -> list[str]:
        """Read the calendars of the people who have one; returns what to tell the user (a calendar that
        failed keeps its last good hours)."""
        from traystatus.adapters.calendar_ics import IcsCalendarSource

        data = self._read()
        problems: list[str] = []
        start = now.astimezone(UTC)
        end = start + timedelta(days=8)
        for p in people:
            if not p.availability:
                continue
            key = location_key(p.availability)
            source = IcsCalendarSource(p.name, p.availability, zone=p.tz, cache_dir=self._cache_dir / "team-feeds")
            result = source.load(start - timedelta(days=1), end)
            if result.error is not None and not result.stale:
                problems.append(f"{p.name}'s calendar: {result.error.title}: {result.error.message}")
                entry = data.setdefault(key, {})
                entry["error"] = result.error.title
                continue
            hours = combine(result.availability, start - timedelta(days=1), end)
            if hours is None or not hours.covered:
                problems.append(f"{p.name}'s calendar has no availability (working hours): their hours are assumed")
                data[key] = {"error": "no availability in the calendar"}
                continue
            week = weekly_hours(hours.free, p.tz, start)
            data[key] = {
                "days": [[_block_json(b) for b in week.blocks(d)] for d in range(7)],
                "fetched_at": start.isoformat(),
                "error": "",
            }
        try:
            self._write(data)
        except OSError as e:  # the hours just read still go to the caller; only the cache misses them
            problem = storage_error(
                e, self._path, "the team hours cache", kept="assumed hours apply until it can be written."
            )
            problems.append(f"{problem.title}: {problem.message}")
        return problems

    def apply(self, people: Sequence[Person]) -> list[Person]:
        """People with their calendar's hours where the cache has them (disk only), and where the hours come from."""
        data = self._read() if any(p.availability for p in people) else {}
        out = []
        for p in people:
            entry = data.get(location_key(p.availability)) if p.availability else None
            days = entry.get("days") if isinstance(entry, dict) else None
            if isinstance(days, list) and len(days) == 7:
                blocks = tuple(tuple(b for b in (_block(i) for i in d) if b is not None) for d in days)
                out.append(dataclasses.replace(p, hours=WeekHours(days=blocks), hours_source=CALENDAR_HOURS))
            elif p.availability:
                why = entry.get("error") if isinstance(entry, dict) else "not read yet"
                shown = p.hours_source if p.hours_source != ASSUMED_HOURS else ASSUMED_HOURS
                out.append(dataclasses.replace(p, hours_source=f"{shown} (their calendar: {why})"))
            else:
                out.append(p)
        return out
