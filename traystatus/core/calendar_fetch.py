"""What the last load of each calendar gave — when, how many events, stale since when, the error — and the
one line the settings window shows for it. Records are keyed by a hash of the calendar's location, never
the location itself (a feed address is often its password)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from traystatus.core.ports import CalendarResult
from traystatus.core.settings import CalendarSourceConfig


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarFetch:
    """One calendar's latest load. ``fetched_at``: when the data in use was fetched (None: none to use)."""

    name: str
    attempted_at: datetime
    fetched_at: datetime | None = None
    events: int = 0
    stale: bool = False
    error_title: str = ""
    error_message: str = ""  # already redacted by the source (no secret URL parts)


def location_key(location: str) -> str:
    """The key of a calendar's record: a hash of where it comes from, so a changed address starts afresh."""
    return hashlib.sha256(location.strip().encode()).hexdigest()[:24]


def unique_names(names: Iterable[str]) -> list[str]:
    """Display names as the sources get them: a repeated name becomes "Work (2)", "Work (3)"."""
    taken: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name} ({n})", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def fetch_of(result: CalendarResult, *, attempted_at: datetime) -> CalendarFetch:
    error = result.error
    return CalendarFetch(
        name=result.source,
        attempted_at=attempted_at,
        fetched_at=result.fetched_at if result.fetched_at is not None or error is not None else attempted_at,
        events=len(result.events),
        stale=result.stale,
        error_title=error.title if error is not None else "",
        error_message=error.message if error is not None else "",
    )


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def _ago(delta: timedelta) -> str:
    return "just now" if delta < timedelta(minutes=1) else f"{_age(delta)} ago"


def _when(moment: datetime, now: datetime) -> str:
    """12:04 today, "Sun 12:04" this week, else "23 Nov 12:04" — in ``now``'s zone."""
    local = moment.astimezone(now.tzinfo)
    if local.date() == now.date():
        return local.strftime("%H:%M")
    if now - local < timedelta(days=6):
        return local.strftime("%a %H:%M")
    return local.strftime("%d %b %H:%M").lstrip("0")


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"


def stale_copy(fetched_at: datetime | None, now: datetime) -> str:
    """ "last good copy from 09:10 (3 h old)", times in ``now``'s zone: what a stale calendar serves, for the
    tray's health line and ``status``/``apply``."""
    if fetched_at is None:
        return "last good copy"
    old = "fetched just now" if now - fetched_at < timedelta(minutes=1) else f"{_age(now - fetched_at)} old"
    return f"last good copy from {_when(fetched_at, now)} ({old})"


def describe_fetch(fetch: CalendarFetch | None, now: datetime) -> str:
    """One line for people, times in ``now``'s zone: "fetched 12:04 (3 min ago), 42 events",
    "stale: last good copy from 09:10 (3 h old), 42 events — <error and its fix> (tried 12:04)",
    "failed 12:04 (just now), nothing to use yet — <error>", "never fetched"."""
    if fetch is None:
        return "never fetched"
    problem = fetch.error_message or fetch.error_title
    at = fetch.fetched_at
    if at is None:
        return f"failed {_when(fetch.attempted_at, now)} ({_ago(now - fetch.attempted_at)}), nothing to use yet" + (
            f" — {problem}" if problem else ""
        )
    fetched = f"{_when(at, now)} ({_ago(now - at)}), {_events(fetch.events)}"
    if not problem:
        return f"fetched {fetched}"
    if not fetch.stale:
        return f"fetched {fetched} — {problem}"
    old = "fetched just now" if now - at < timedelta(minutes=1) else f"{_age(now - at)} old"
    return (
        f"stale: last good copy from {_when(at, now)} ({old}), {_events(fetch.events)} — {problem} "
        f"(tried {_when(fetch.attempted_at, now)})"
    )


class CalendarChecker(Protocol):
    """The Calendars page's port: test one calendar now (a line for people, or raise ``TrayStatusError``),
    and what the latest loads — the running app's and the tests' — recorded, by :func:`location_key`."""

    def __call__(self, config: CalendarSourceConfig) -> str: ...

    def last_fetches(self) -> dict[str, CalendarFetch]: ...
