"""Calendar sources from settings, and loading them all at once (one bad source never blocks others).

The public entry points for the engine and the CLI: :func:`build_sources` and :func:`load_all`.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from traystatus.adapters.calendar_fetch_log import CalendarFetchLog, LoggedSource
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_secrets import LazySecrets, SecretAddressSource
from traystatus.adapters.clock import utc_now
from traystatus.core.calendar_fetch import CalendarFetch, fetch_of, location_key, unique_names
from traystatus.core.calendar_secret import is_reference, redact_url
from traystatus.core.errors import CalendarError
from traystatus.core.ports import CalendarResult, CalendarSource, SecretStore
from traystatus.core.settings import UNVALIDATED_FEED_MINUTES, CalendarSourceConfig, Settings

log = logging.getLogger(__name__)

MAX_WORKERS = 4
#: a source still running after this long is reported as failed (its last good copy serves); the others are
#: returned. Each fetch ends by its own total deadline (``timeout``, 30 s); this leaves room for the parse.
DEFAULT_DEADLINE = 45.0


def build_sources(
    settings: Settings,
    *,
    cache_dir: Path,
    user_emails: Iterable[str] = (),
    secrets: SecretStore | None = None,
    timeout: float = 30.0,
) -> list[CalendarSource]:
    """One source per configured calendar (``settings.calendars``), in order; ``load_all`` records their
    loads in ``cache_dir``'s calendar fetch log (what the settings window shows per calendar).

    ``user_emails``: the user's addresses, to read their PARTSTAT (declined events).
    ``secrets``: where CalDAV passwords (key ``caldav:<name>``) and secret addresses (``url = "keyring:NAME"``,
    key ``calendar:NAME``) live; the OS keyring when None, opened only by the sources that need it.
    """
    emails = frozenset(e.strip().lower().removeprefix("mailto:") for e in user_emails if e.strip())
    sources: list[CalendarSource] = []
    fetch_log = CalendarFetchLog(cache_dir)
    lazy = LazySecrets(secrets)
    for config, name in zip(settings.calendars, unique_names(c.name for c in settings.calendars), strict=True):

        def make(location: str, config: CalendarSourceConfig = config, name: str = name) -> CalendarSource:
            if config.kind == "caldav":
                from traystatus.adapters.calendar_caldav import CaldavCalendarSource

                return CaldavCalendarSource(
                    name,
                    location,
                    username=config.username,
                    secrets=secrets,
                    zone=settings.timezone,
                    user_emails=emails,
                    timeout=timeout,
                    cache_dir=cache_dir,
                )
            return IcsCalendarSource(
                name,
                location,
                zone=settings.timezone,
                cache_dir=cache_dir,
                user_emails=emails,
                timeout=timeout,
                # the short default refresh is for feeds a 304 answers; a whole download each time waits longer
                unvalidated_every=0.0 if config.refresh_set else UNVALIDATED_FEED_MINUTES * 60.0,
            )

        source = (
            SecretAddressSource(name, config.location, make=make, secrets=lazy, calendar=config.name)
            if is_reference(config.location)
            else make(config.location)
        )
        sources.append(LoggedSource(source, key=location_key(config.location), fetch_log=fetch_log))
    return sources


def load_all(
    sources: Sequence[CalendarSource], start: datetime, end: datetime, *, deadline: float = DEFAULT_DEADLINE
) -> list[CalendarResult]:
    """Load every source concurrently; results in the order of ``sources``, one per source."""
    attempted_at = utc_now()
    results = _load_all(sources, start, end, deadline)
    _record(sources, results, attempted_at)
    return results


def _record(sources: Sequence[CalendarSource], results: list[CalendarResult], attempted_at: datetime) -> None:
    """Sources from ``build_sources`` go into their fetch log: one write per log and ``load_all``."""
    by_log: dict[CalendarFetchLog, list[tuple[str, CalendarFetch]]] = {}
    for source, result in zip(sources, results, strict=True):
        if isinstance(source, LoggedSource):
            by_log.setdefault(source.fetch_log, []).append((source.key, fetch_of(result, attempted_at=attempted_at)))
    for fetch_log, fetches in by_log.items():
        fetch_log.record(fetches)


def _load_all(
    sources: Sequence[CalendarSource], start: datetime, end: datetime, deadline: float
) -> list[CalendarResult]:
    if not sources:
        return []
    if len(sources) == 1:
        return [_load_one(sources[0], start, end)]
    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=min(MAX_WORKERS, len(sources)), thread_name_prefix="calendar"
    )
    try:
        futures = [pool.submit(_load_one, s, start, end) for s in sources]
        concurrent.futures.wait(futures, timeout=deadline)
        results = []
        for source, future in zip(sources, futures, strict=True):
            if future.done():
                results.append(future.result())
            else:
                future.cancel()
                error = CalendarError(
                    f"Calendar '{source.name}' took too long",
                    f"no answer within {deadline:g} s; it is retried at the next refresh.",
                )
                last_good = getattr(source, "last_good", None)  # file, feed and CalDAV sources have it
                results.append(
                    last_good(start, end, error)
                    if callable(last_good)
                    else CalendarResult(source=source.name, error=error)
                )
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _load_one(source: CalendarSource, start: datetime, end: datetime) -> CalendarResult:
    try:
        return source.load(start, end)
    except Exception as e:  # a source breaking its contract must not take the others down
        log.exception("Calendar '%s' failed", source.name)
        return CalendarResult(
            source=source.name,
            error=CalendarError(
                f"Calendar '{source.name}' could not be read", f"unexpected {type(e).__name__}; see the log."
            ),
        )


def describe(config: CalendarSourceConfig) -> str:
    """A safe one-line description of a configured source (no secret URL parts)."""
    from traystatus.adapters.calendar_http import is_url

    where = redact_url(config.location) if is_url(config.location) else config.location
    return f"{config.name} ({config.kind}: {where})"
