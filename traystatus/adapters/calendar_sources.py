"""Calendar sources from settings, and loading them all at once (one bad source never blocks others).

The public entry points for the engine and the CLI: :func:`build_sources` and :func:`load_all`.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.core.errors import CalendarError
from traystatus.core.ports import CalendarResult, CalendarSource, SecretStore
from traystatus.core.settings import CalendarSourceConfig, Settings

log = logging.getLogger(__name__)

MAX_WORKERS = 4
#: a source still running after this long is reported as failed; the others are returned
DEFAULT_DEADLINE = 150.0


def build_sources(settings: Settings, *, cache_dir: Path, user_emails: Iterable[str] = (),
                  secrets: SecretStore | None = None, timeout: float = 30.0) -> list[CalendarSource]:
    """One source per configured calendar (``settings.calendars``), in order.

    ``user_emails``: the user's addresses, to read their PARTSTAT (declined events).
    ``secrets``: where CalDAV passwords live (key ``caldav:<name>``); only CalDAV sources need it.
    """
    emails = frozenset(e.strip().lower().removeprefix("mailto:") for e in user_emails if e.strip())
    sources: list[CalendarSource] = []
    names: set[str] = set()
    for config in settings.calendars:
        name = _unique(config.name, names)
        if config.kind == "caldav":
            from traystatus.adapters.calendar_caldav import CaldavCalendarSource

            sources.append(CaldavCalendarSource(
                name, config.location, username=config.username, secrets=secrets,
                zone=settings.timezone, user_emails=emails, timeout=timeout))
        else:
            sources.append(IcsCalendarSource(name, config.location, zone=settings.timezone,
                                             cache_dir=cache_dir, user_emails=emails, timeout=timeout))
    return sources


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    taken.add(candidate)
    return candidate


def load_all(sources: Sequence[CalendarSource], start: datetime, end: datetime, *,
             deadline: float = DEFAULT_DEADLINE) -> list[CalendarResult]:
    """Load every source concurrently; results in the order of ``sources``, one per source."""
    if not sources:
        return []
    if len(sources) == 1:
        return [_load_one(sources[0], start, end)]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(sources)),
                                                 thread_name_prefix="calendar")
    try:
        futures = [pool.submit(_load_one, s, start, end) for s in sources]
        concurrent.futures.wait(futures, timeout=deadline)
        results = []
        for source, future in zip(sources, futures, strict=True):
            if future.done():
                results.append(future.result())
            else:
                future.cancel()
                error = CalendarError(f"Calendar '{source.name}' took too long",
                                      f"no answer within {deadline:g} s; it is retried at the next refresh.")
                last_good = getattr(source, "last_good", None)  # file, feed and CalDAV sources have it
                results.append(last_good(start, end, error) if callable(last_good)
                               else CalendarResult(source=source.name, error=error))
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _load_one(source: CalendarSource, start: datetime, end: datetime) -> CalendarResult:
    try:
        return source.load(start, end)
    except Exception as e:  # a source breaking its contract must not take the others down
        log.exception("Calendar '%s' failed", source.name)
        return CalendarResult(source=source.name, error=CalendarError(
            f"Calendar '{source.name}' could not be read", f"unexpected {type(e).__name__}; see the log."))


def describe(config: CalendarSourceConfig) -> str:
    """A safe one-line description of a configured source (no secret URL parts)."""
    from traystatus.adapters.calendar_http import is_url, redact_url

    where = redact_url(config.location) if is_url(config.location) else config.location
    return f"{config.name} ({config.kind}: {where})"
