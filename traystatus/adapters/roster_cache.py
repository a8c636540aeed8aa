"""Imported rosters (Slack, Matrix) cached as JSON in the state dir and refreshed when older than a day.

A failed refresh keeps the last good copy (logged); only a first import with nothing cached raises.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import storage_error
from traystatus.core.errors import TrayStatusError
from traystatus.core.team import Person

log = logging.getLogger(__name__)

CACHE_FILES = {"slack": "team_slack.json", "matrix": "team_matrix.json"}  # merge order: Slack first


def _to_json(p: Person) -> dict[str, object]:
    return {
        "name": p.name,
        "tz": p.tz.key,
        "handles": list(p.handles),
        "teams": list(p.teams),
        "avatar_url": p.avatar_url,
        "source": p.source,
    }


def _from_json(item: object) -> Person | None:
    if not isinstance(item, dict):
        return None
    try:
        return Person(
            name=str(item["name"]),
            tz=ZoneInfo(str(item["tz"])),
            handles=tuple(str(h) for h in item.get("handles", [])),
            teams=tuple(str(t) for t in item.get("teams", [])),
            avatar_url=str(item.get("avatar_url", "")),
            source=str(item.get("source", "")),
        )
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError):
        return None


def save_people(path: Path, people: tuple[Person, ...], fetched_at: datetime) -> None:
    """Write atomically (a temp file renamed over the old one)."""
    atomic_write(
        path,
        json.dumps(
            {"fetched_at": fetched_at.astimezone(UTC).isoformat(), "people": [_to_json(p) for p in people]}, indent=1
        ),
    )


def load_people(path: Path) -> tuple[tuple[Person, ...], datetime] | None:
    """The cached people and when they were fetched; None when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fetched_at = datetime.fromisoformat(data["fetched_at"])
        items = data["people"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    people = tuple(p for p in (_from_json(i) for i in items) if p is not None)
    return people, fetched_at


def load_cached_people(state_dir: Path) -> list[tuple[Person, ...]]:
    """Every cached import, Slack first (for :func:`traystatus.core.team.merge_roster`); no network."""
    out = []
    for name in CACHE_FILES.values():
        cached = load_people(state_dir / name)
        if cached is not None:
            out.append(cached[0])
    return out


@dataclass(frozen=True, slots=True)
class CachedRoster:
    """``people(now)``: the cache while younger than ``max_age``, else ``fetch()`` (and save)."""

    fetch: Callable[[], tuple[Person, ...]]
    cache_file: Path
    max_age: timedelta = timedelta(hours=24)

    def people(self, now: datetime, *, force: bool = False) -> tuple[Person, ...]:
        cached = load_people(self.cache_file)
        if cached is not None and not force and now - cached[1] < self.max_age:
            return cached[0]
        try:
            people = self.fetch()
        except TrayStatusError as e:
            if cached is None:
                raise
            log.warning(
                "roster refresh failed, keeping the copy from %s: %s: %s", cached[1].isoformat(), e.title, e.message
            )
            return cached[0]
        try:
            save_people(self.cache_file, people, now)
        except OSError as e:  # the people fetched are used all the same; the next start fetches them again
            problem = storage_error(e, self.cache_file, "the team roster cache", kept="the roster is used from memory.")
            log.warning("%s: %s", problem.title, problem.message)
            return people
        log.info("roster refreshed: %d people into %s", len(people), self.cache_file.name)
        return people
