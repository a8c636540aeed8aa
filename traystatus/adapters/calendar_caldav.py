"""CalDAV calendars with plain ``requests`` (no ``caldav`` package: it replaces requests' urllib3).

A collection is kept in step with ``sync-collection`` (RFC 6578, :mod:`caldav_sync`): an unchanged
calendar costs one small REPORT, a change only the changed events, and the copy is cached between
processes. A server without sync-collection is read by time range (calendar-query), its ctag asked
first so that an unchanged calendar costs one PROPFIND. Each load ends by its total deadline. The
password comes from the keyring (key ``caldav:<name>``) or ``TRAYSTATUS_CALDAV_PASSWORD``; when the
server fails the last good copy serves (also to a new process, from the cache).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from traystatus.adapters import caldav_sync as sync
from traystatus.adapters.bounded_http import bounded
from traystatus.adapters.caldav_availability import CaldavAvailability, FoundAvailability
from traystatus.adapters.caldav_client import ENV_PASSWORD, CaldavClient, secret_key
from traystatus.adapters.calendar_availability import read_availability
from traystatus.adapters.calendar_http import normalize_url, without_copy
from traystatus.adapters.calendar_ics import expand_text
from traystatus.adapters.calendar_parse import ParseContext, expand, overlaps, parse_calendar
from traystatus.adapters.clock import utc_now
from traystatus.adapters.private_files import atomic_write
from traystatus.core.availability import AvailabilityComponent
from traystatus.core.calendar_secret import redact_url
from traystatus.core.errors import CalendarError
from traystatus.core.model import CalendarEvent
from traystatus.core.ports import CalendarResult, SecretStore

__all__ = ["ENV_PASSWORD", "CaldavCalendarSource", "secret_key"]

log = logging.getLogger(__name__)

_DAV, _CAL, _CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
#: each query covers a little more than asked, so a window sliding with ``now`` reuses it
_AHEAD = timedelta(days=1)
#: the working hours kept on the server change rarely: re-read them at most this often
HOURS_EVERY = timedelta(minutes=10)
_PROPFIND = (
    f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="{_DAV}" xmlns:cs="{_CS}">'
    "<d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>"
)


def _query(start: datetime, end: datetime) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    return (
        f'<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="{_DAV}" xmlns:c="{_CAL}">'
        "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
        '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
        f'<c:time-range start="{start.astimezone(UTC):{fmt}}" end="{end.astimezone(UTC):{fmt}}"/>'
        "</c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _Copy:
    tag: str  # the collection's ctag / sync-token when it was read ("" if the server has none)
    start: datetime
    end: datetime
    events: tuple[CalendarEvent, ...]
    warnings: tuple[str, ...]
    fetched_at: datetime


def _read_hours(path: Path) -> tuple[datetime, str] | None:
    try:
        raw = json.loads(path.read_text("utf-8"))
        return datetime.fromisoformat(str(raw["read_at"])), str(raw["text"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class CaldavCalendarSource:
    """A CalDAV calendar collection URL; ``load`` never raises."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        username: str,
        secrets: SecretStore | None,
        zone: ZoneInfo,
        user_emails: frozenset[str] = frozenset(),
        timeout: float = 30.0,
        session: requests.Session | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """``timeout``: the most one load takes on the network, all its requests together;
        ``cache_dir``: where the synced copy is kept between processes (None: in memory only)."""
        self.name = name
        self._url = normalize_url(url if url.endswith("/") else url + "/")
        self._client = CaldavClient(
            name, self._url, username=username, secrets=secrets, timeout=timeout, session=session
        )
        self._timeout = timeout
        self._ctx = ParseContext(source=name, zone=zone, user_emails=user_emails)
        self._copy: _Copy | None = None
        self._cache = sync.SyncCache(cache_dir, self._url) if cache_dir is not None else None
        self._state: sync.SyncState | None = None
        self._syncs: bool | None = None  # does the server do sync-collection (None: not asked yet)
        self._memo: dict[str, tuple[str, datetime, datetime, tuple[CalendarEvent, ...], tuple[str, ...]]] = {}
        self._lock = threading.Lock()
        self._hours = CaldavAvailability(
            self._url, lambda method, url, body, depth: self._client.request(method, body, depth, check=False, url=url)
        )
        self._hours_text: tuple[datetime, str] | None = None  # when read, the availability's iCalendar text
        #: the hours read last, kept between processes (a `plan` or a restarted tray re-reads them only when due)
        self._hours_file = self._cache.path.with_name("hours-" + self._cache.path.name) if self._cache else None

    def __repr__(self) -> str:
        return f"CaldavCalendarSource({self.name!r}, {redact_url(self._url)!r})"

    def _availability(
        self, start: datetime, end: datetime, *, fetch: bool = True
    ) -> tuple[tuple[AvailabilityComponent, ...], list[str]]:
        """The user's working hours as the server keeps them, re-read at most every ``HOURS_EVERY`` (with
        ``fetch=False``, while the server fails, the last ones read: an outage must not change your hours)."""
        now = utc_now()
        if self._hours_text is None and self._hours_file is not None:
            self._hours_text = _read_hours(self._hours_file)
        if fetch and (self._hours_text is None or not timedelta(0) <= now - self._hours_text[0] < HOURS_EVERY):
            found = self._hours.read()
            self._hours_text = (now, found.text)
            if found.problem:
                log.info("Calendar '%s': %s", self.name, found.problem)
            elif self._hours_file is not None:
                with contextlib.suppress(OSError):
                    atomic_write(self._hours_file, json.dumps({"read_at": now.isoformat(), "text": found.text}))
        text = self._hours_text[1] if self._hours_text is not None else ""
        if not text:
            return (), []
        try:
            cal = parse_calendar(text, self._ctx)  # its own VTIMEZONEs only, never another calendar's
        except Exception as e:  # a broken property costs only the hours: the configured ones apply
            return (), [f"the server's working hours (calendar-availability) could not be read: {type(e).__name__}"]
        components, warnings = read_availability(
            cal, source=f"{self.name}'s availability on the server", start=start, end=end, zone=self._ctx.zone
        )
        return tuple(components), warnings

    def write_hours(self, ics: str) -> FoundAvailability:
        """Store the user's working hours (a VCALENDAR with VAVAILABILITY) on the server, where other clients
        read them; this source's next load uses them. Raises :class:`CalendarError` with what failed."""
        try:
            with bounded(self._timeout):  # a server trickling its answer must not hold the save for ever
                found = self._hours.write(ics)
        except (requests.RequestException, CalendarError) as e:
            what = e.message.split(f" ({redact_url(self._url)}).")[0] if isinstance(e, CalendarError) else ""
            problem = f"the working hours were not saved: {what or type(e).__name__}. Try again later."
            raise CalendarError(f"Calendar '{self.name}'", problem) from None
        if found.problem:
            fix = ": check that this account may change the calendar's properties."
            raise CalendarError(f"Calendar '{self.name}'", found.problem + fix)
        now = utc_now()
        with self._lock:
            self._hours_text = (now, ics)
        if self._hours_file is not None:
            with contextlib.suppress(OSError):
                atomic_write(self._hours_file, json.dumps({"read_at": now.isoformat(), "text": ics}))
        return found

    def load(self, start: datetime, end: datetime) -> CalendarResult:
        with self._lock:
            try:
                with bounded(self._timeout):
                    return self._load(start, end)
            except CalendarError as e:
                if self._copy is None:
                    self._from_disk(start, end)
                copy = self._copy
                log.info("%s: %s", e.title, e.message)  # the caller says it to the user (once)
                if copy is None:
                    return CalendarResult(source=self.name, error=without_copy(e))
                events = tuple(ev for ev in copy.events if overlaps(ev, start, end))
                return CalendarResult(
                    source=self.name,
                    events=events,
                    error=e,
                    fetched_at=copy.fetched_at,
                    stale=True,
                    warnings=copy.warnings,
                    availability=self._availability(start, end, fetch=False)[0],
                )
            except Exception as e:  # the contract: never raise for a bad server
                log.exception("Calendar '%s': unexpected failure", self.name)
                return CalendarResult(
                    source=self.name,
                    error=CalendarError(
                        f"Calendar '{self.name}' could not be read",
                        f"unexpected {type(e).__name__}; see the log. The source is retried at the next refresh.",
                    ),
                )

    def last_good(self, start: datetime, end: datetime, error: CalendarError) -> CalendarResult:
        """Without waiting for a load in progress: the events last read for this window, marked stale."""
        copy = self._copy
        if copy is None or not (copy.start <= start and end <= copy.end):
            return CalendarResult(source=self.name, error=error)
        return CalendarResult(
            source=self.name,
            events=tuple(ev for ev in copy.events if overlaps(ev, start, end)),
            error=error,
            fetched_at=copy.fetched_at,
            stale=True,
            warnings=copy.warnings,
        )

    def _load(self, start: datetime, end: datetime) -> CalendarResult:
        synced = self._syncs is not False and self._synced(start, end)
        copy = self._copy if synced else self._by_range(start, end)
        assert copy is not None
        availability, hour_warnings = self._availability(start, end)
        return CalendarResult(
            source=self.name,
            events=tuple(ev for ev in copy.events if overlaps(ev, start, end)),
            fetched_at=copy.fetched_at,
            warnings=(*copy.warnings, *hour_warnings),
            availability=availability,
        )

    # -- sync-collection (RFC 6578) -----------------------------------------------------------
    def _synced(self, start: datetime, end: datetime) -> bool:
        """Bring the synced copy up to date and expand it; False when the server does not sync."""
        state = self._state
        if state is None and self._cache is not None:
            state = self._cache.load()
        state = state or sync.SyncState()
        full = not state.token
        resp = self._client.request("REPORT", sync.sync_body(state.token), "0", check=False)
        if not full and sync.is_invalid_token(resp.status_code, resp.content):
            log.info("Calendar '%s': the server forgot our sync token; reading the list again", self.name)
            full = True
            resp = self._client.request("REPORT", sync.sync_body(""), "0", check=False)
        if resp.status_code != 207 and sync.is_unsupported(resp.status_code) and resp.status_code not in (401,):
            log.info("Calendar '%s': no sync-collection (HTTP %d); reading by time range", self.name, resp.status_code)
            self._syncs = False
            return False
        self._client.check(resp)
        changes = sync.parse_changes(self._client.multistatus(resp))
        if not changes.token:
            self._syncs = False
            return False
        self._syncs = True
        if len(changes.changed) > sync.MAX_MEMBERS:
            raise self._client.error(
                f"the calendar has over {sync.MAX_MEMBERS} events", "Split it, or publish only recent events."
            )
        wanted = state.stale_members(changes)
        fetched: dict[str, tuple[str, str]] = {}
        for i in range(0, len(wanted), sync.MULTIGET_BATCH):
            batch = wanted[i : i + sync.MULTIGET_BATCH]
            answer = self._client.request("REPORT", sync.multiget_body(batch), "1")
            fetched.update(sync.parse_multiget(self._client.multistatus(answer)))
        unchanged = not full and not changes.changed and not changes.removed and changes.token == state.token
        state.apply(changes, fetched, full=full)
        state.fetched_at = utc_now()
        self._state = state
        if self._cache is not None:
            self._cache.confirm() if unchanged else self._cache.save(state)
        if unchanged:
            log.debug("Calendar '%s': unchanged", self.name)
        self._copy = self._expand_members(state, start, end + _AHEAD)
        return True

    def _expand_members(self, state: sync.SyncState, start: datetime, end: datetime) -> _Copy:
        """Every member's occurrences in [start, end); a member unchanged since the last expansion of a
        window covering this one costs nothing."""
        events: list[CalendarEvent] = []
        warnings: list[str] = []
        memo: dict[str, tuple[str, datetime, datetime, tuple[CalendarEvent, ...], tuple[str, ...]]] = {}
        for href, (etag, text) in sorted(state.members.items()):
            old = self._memo.get(href)
            if old is not None and old[0] == etag and old[1] <= start and end <= old[2]:
                memo[href] = old
            else:
                got, notes = self._expand_one(text, start, end)
                memo[href] = (etag, start, end, tuple(got), tuple(notes))
            events.extend(ev for ev in memo[href][3] if overlaps(ev, start, end))
            warnings.extend(memo[href][4])
        self._memo = memo
        events.sort(key=lambda ev: (ev.start, ev.end, ev.uid))
        window_start = max((m[1] for m in memo.values()), default=start)
        window_end = min((m[2] for m in memo.values()), default=end)
        return _Copy(
            tag=state.token,
            start=window_start,
            end=window_end,
            events=tuple(events),
            warnings=tuple(warnings),
            fetched_at=state.fetched_at or utc_now(),
        )

    def _expand_one(self, text: str, start: datetime, end: datetime) -> tuple[list[CalendarEvent], list[str]]:
        """One member, read as a file is (quirks, pre-filter, bounded expansion): a synced calendar holds every
        event ever, and most lie outside the window; the pre-filter skips those without parsing them."""
        try:
            return expand_text(text.encode(), start, end, self._ctx)
        except CalendarError as e:  # one broken object must not hide the others
            return [], [f"an event could not be read: {e.message}"]

    def _from_disk(self, start: datetime, end: datetime) -> None:
        """A new process whose first load failed: the copy synced by an earlier one serves, stale."""
        state = self._cache.load() if self._cache is not None else None
        if state is not None and state.members:
            self._state = state
            self._copy = self._expand_members(state, start, end + _AHEAD)

    # -- time-range reads, for servers without sync-collection ---------------------------------
    def _by_range(self, start: datetime, end: datetime) -> _Copy:
        tag = self._tag()
        copy = self._copy
        now = utc_now()
        if copy is not None and tag and copy.tag == tag and copy.start <= start and end <= copy.end:
            log.debug("Calendar '%s': unchanged", self.name)
            self._copy = _Copy(
                tag=tag, start=copy.start, end=copy.end, events=copy.events, warnings=copy.warnings, fetched_at=now
            )
        else:
            events, warnings = self._report(start, end + _AHEAD)
            self._copy = _Copy(
                tag=tag, start=start, end=end + _AHEAD, events=tuple(events), warnings=tuple(warnings), fetched_at=now
            )
        return self._copy

    # -- requests ---------------------------------------------------------------------------
    def _tag(self) -> str:
        """The collection's ctag or sync-token ("" when the server offers neither)."""
        root = self._client.multistatus(self._client.request("PROPFIND", _PROPFIND, "0"))
        for name in (f"{{{_CS}}}getctag", f"{{{_DAV}}}sync-token"):
            for el in root.iter(name):
                if el.text and el.text.strip():
                    return f"{name}={el.text.strip()}"
        return ""

    def _report(self, start: datetime, end: datetime) -> tuple[list[CalendarEvent], list[str]]:
        # a day more on each side: the server reads floating and all-day times in its own zone
        query = _query(start - timedelta(days=1), end + timedelta(days=1))
        root = self._client.multistatus(self._client.request("REPORT", query, "1"))
        events: list[CalendarEvent] = []
        warnings: list[str] = []
        seen: set[tuple[str, datetime, datetime | None]] = set()
        for data in root.iter(f"{{{_CAL}}}calendar-data"):
            if not data.text or "BEGIN:VCALENDAR" not in data.text:
                continue
            try:
                got, notes = expand(parse_calendar(data.text, self._ctx), start, end, self._ctx)
            except CalendarError as e:  # one broken object must not hide the others
                warnings.append(f"an event could not be read: {e.message}")
                continue
            warnings.extend(notes)
            for ev in got:
                key = (ev.uid, ev.start, ev.recurrence_id)
                if key not in seen:
                    seen.add(key)
                    events.append(ev)
        events.sort(key=lambda ev: (ev.start, ev.end, ev.uid))
        return events, warnings
