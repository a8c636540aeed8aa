"""``IcsCalendarSource``: a local .ics file or an ICS feed URL as a :class:`CalendarSource`.

Expanded occurrences are memoised per content hash and window, so an unchanged file or a 304
costs a hash, not a parse; when a fetch fails the last good copy serves, marked stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from traystatus.adapters.calendar_availability import read_availability
from traystatus.adapters.calendar_http import DEFAULT_MAX_BYTES, HttpFeed, is_url
from traystatus.adapters.calendar_parse import ParseContext, expand, overlaps, parse_calendar
from traystatus.adapters.calendar_prefilter import prefilter
from traystatus.adapters.calendar_text import normalise
from traystatus.adapters.clock import utc_now
from traystatus.adapters.collector_pause import collector_paused
from traystatus.core.availability import AvailabilityComponent
from traystatus.core.errors import CalendarError
from traystatus.core.model import CalendarEvent
from traystatus.core.ports import CalendarResult

log = logging.getLogger(__name__)

#: expansions cover a little more than asked, so a window sliding with ``now`` reuses them
_AHEAD = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Expanded:
    sha256: str
    start: datetime
    end: datetime
    events: tuple[CalendarEvent, ...]
    warnings: tuple[str, ...]
    availability: tuple[AvailabilityComponent, ...] = ()


def expand_text(
    data: bytes, start: datetime, end: datetime, ctx: ParseContext
) -> tuple[list[CalendarEvent], list[str]]:
    """Pre-filter, parse and expand one ICS document; raises :class:`CalendarError`."""
    events, warnings, _ = expand_document(data, start, end, ctx)
    return events, warnings


def expand_document(
    data: bytes, start: datetime, end: datetime, ctx: ParseContext
) -> tuple[list[CalendarEvent], list[str], list[AvailabilityComponent]]:
    """Events, warnings and RFC 7953 availability of one ICS document; raises :class:`CalendarError`."""
    with collector_paused():  # its passes over a big calendar's objects would stall the scheduler
        text = normalise(data.decode("utf-8", errors="replace"))  # first: the prefilter reads what the parser reads
        kept = prefilter(text, start, end)
        cal = parse_calendar(kept, ctx)
        events, warnings = expand(cal, start, end, ctx, whole=kept is text)
        availability: list[AvailabilityComponent] = []
        if "BEGIN:VAVAILABILITY" in text.upper():  # most feeds have none: no second walk for them
            availability, more = read_availability(
                cal, source=f"availability in '{ctx.source}'", start=start, end=end, zone=ctx.zone
            )
            warnings.extend(more)
        del cal  # freed here, by reference counting, while the collector is still paused
    return events, warnings, availability


class IcsCalendarSource:
    """A file path or http(s)/webcal URL. ``load`` never raises for a bad feed."""

    def __init__(
        self,
        name: str,
        location: str,
        *,
        zone: ZoneInfo,
        cache_dir: Path,
        user_emails: frozenset[str] = frozenset(),
        timeout: float = 30.0,
        max_bytes: int | None = None,
        unvalidated_every: float = 0.0,
    ) -> None:
        self.name = name
        self._ctx = ParseContext(source=name, zone=zone, user_emails=user_emails)
        self._path: Path | None = None
        self._feed: HttpFeed | None = None
        if is_url(location):
            self._feed = HttpFeed(
                location,
                name=name,
                cache_dir=cache_dir,
                timeout=timeout,
                max_bytes=max_bytes or DEFAULT_MAX_BYTES,
                unvalidated_every=unvalidated_every,  # seconds; see HttpFeed
            )
        else:
            self._path = Path(location).expanduser()
        self._memo: _Expanded | None = None
        self._last_good: tuple[bytes, str, datetime] | None = None  # data, sha, fetched at
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"IcsCalendarSource({self.name!r})"

    def load(self, start: datetime, end: datetime) -> CalendarResult:
        with self._lock:
            try:
                return self._with_availability(self._load(start, end))
            except CalendarError as e:
                return CalendarResult(source=self.name, error=e)
            except Exception as e:  # the contract: never raise for a bad feed
                log.exception("Calendar '%s': unexpected failure", self.name)
                return CalendarResult(
                    source=self.name,
                    error=CalendarError(
                        f"Calendar '{self.name}' could not be read",
                        f"unexpected {type(e).__name__}; see the log. The source is retried at the next refresh.",
                    ),
                )

    def _with_availability(self, result: CalendarResult) -> CalendarResult:
        """The working hours of the document whose events are served (the last one expanded)."""
        memo = self._memo
        if memo is None or not memo.availability or (result.error is not None and not result.stale):
            return result
        return dataclasses.replace(result, availability=memo.availability)

    def last_good(self, start: datetime, end: datetime, error: CalendarError) -> CalendarResult:
        """Without waiting for a load in progress: the events last read for this window, marked stale."""
        memo, good = self._memo, self._last_good
        if memo is None or good is None or memo.sha256 != good[1] or not (memo.start <= start and end <= memo.end):
            return CalendarResult(source=self.name, error=error)
        events = tuple(ev for ev in memo.events if overlaps(ev, start, end))
        return CalendarResult(
            source=self.name, events=events, error=error, fetched_at=good[2], stale=True, warnings=memo.warnings
        )

    def _load(self, start: datetime, end: datetime) -> CalendarResult:
        data, sha, fetched_at, error = self._body()
        if data is None:
            assert error is not None
            return CalendarResult(source=self.name, error=error)
        try:
            events, warnings = self._expanded(data, sha, start, end)
        except CalendarError as e:
            if self._last_good is not None and self._last_good[1] != sha:  # broken since: serve the good copy
                good_data, good_sha, good_at = self._last_good
                events, warnings = self._expanded(good_data, good_sha, start, end)
                return CalendarResult(
                    source=self.name, events=events, error=e, fetched_at=good_at, stale=True, warnings=warnings
                )
            raise
        if error is None:
            self._last_good = (data, sha, fetched_at)
        return CalendarResult(
            source=self.name,
            events=events,
            error=error,
            fetched_at=fetched_at,
            stale=error is not None,
            warnings=warnings,
        )

    def _body(self) -> tuple[bytes | None, str, datetime, CalendarError | None]:
        now = utc_now()
        if self._feed is not None:
            outcome = self._feed.fetch()
            if outcome.body is None:
                return None, "", now, outcome.error
            return outcome.body.data, outcome.body.sha256, outcome.body.fetched_at, outcome.error
        assert self._path is not None
        try:
            data = self._path.read_bytes()
        except OSError as e:
            error = CalendarError(
                f"Calendar '{self.name}' could not be read",
                f"{self._path}: {e.strerror or type(e).__name__}. Check the path in your config.",
            )
            if self._last_good is not None:
                good_data, good_sha, good_at = self._last_good
                return good_data, good_sha, good_at, error
            return None, "", now, error
        return data, hashlib.sha256(data).hexdigest(), now, None

    def _expanded(
        self, data: bytes, sha: str, start: datetime, end: datetime
    ) -> tuple[tuple[CalendarEvent, ...], tuple[str, ...]]:
        memo = self._memo
        if memo is not None and memo.sha256 == sha and memo.start <= start and end <= memo.end:
            events = tuple(ev for ev in memo.events if overlaps(ev, start, end))
            return events, memo.warnings
        events_list, warnings, availability = expand_document(data, start, end + _AHEAD, self._ctx)
        self._memo = _Expanded(
            sha256=sha,
            start=start,
            end=end + _AHEAD,
            events=tuple(events_list),
            warnings=tuple(warnings),
            availability=tuple(availability),
        )
        return tuple(ev for ev in events_list if overlaps(ev, start, end)), tuple(warnings)
