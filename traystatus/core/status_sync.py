"""The one use case "make every service show the calendar's truth now", shared by every runtime.

``StatusSync.run(now, …) -> SyncReport``: read the calendars when due, build the timeline with the overrides,
reconcile every account (concurrently: one slow service never delays another), learn limits, and say when to
run again. The tray (its view is derived from the report), ``run --headless``, ``apply``, ``status`` and the
settings window's preview all call it. Everything arrives through the ports below; standard library only.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from traystatus.core.availability import AvailabilityComponent, apply_calendar_hours
from traystatus.core.calendar_fetch import stale_copy
from traystatus.core.engine import Timeline, build_timeline, next_transition, next_working_start
from traystatus.core.errors import TrayStatusError
from traystatus.core.leave_chain import read_through_leave
from traystatus.core.live_presence import hold_all, live_note
from traystatus.core.model import Availability, CalendarEvent, Override, State
from traystatus.core.overrides import Choice, override_for, tomorrow_start
from traystatus.core.ports import CalendarResult
from traystatus.core.publishing import Applied, KnownLimits, Operation, RetryState, StatusPublisher, learn_limits
from traystatus.core.reconcile import reconcile_account
from traystatus.core.settings import Settings
from traystatus.core.status_map import DesiredStatus, desired_status
from traystatus.core.sync_offline import offline_line

log = logging.getLogger(__name__)

#: the timeline covers [now - BEHIND, now + AHEAD); calendars are read a little wider
BEHIND = timedelta(hours=12)
AHEAD = timedelta(days=3)
#: read further than the timeline: "back Mon 24 Nov" after a long OOO (and on while a leave goes on: leave_chain)
CALENDAR_AHEAD = timedelta(days=30)
#: run at least this often even when nothing is due (a safety net: missed triggers, expiries)
SAFETY_NET = timedelta(minutes=15)
#: the scheduler's reasons for a pass that reads the calendars again whether or not they are due (both runtimes)
REFRESH_REASONS = frozenset({"start", "calendar refresh", "clock jump", "resumed", "network back", "refresh"})
#: accounts reconciled at once (each its own thread for the network calls); more accounts queue
MAX_PARALLEL_ACCOUNTS = 4


class StateRepository(Protocol):
    """What traystatus last set per account, the overrides, and the cross-process lock (thread-safe)."""

    def exclusive(self) -> AbstractContextManager[None]: ...
    def account(self, account_id: str) -> tuple[Applied, RetryState]: ...
    def limits(self, account_id: str) -> KnownLimits: ...
    def save_account(
        self, account_id: str, applied: Applied, retry: RetryState, limits: KnownLimits | None = None
    ) -> None: ...
    def overrides(self, now: datetime) -> list[Override]: ...
    def add_override(self, override: Override) -> None: ...
    def clear_overrides(self) -> None: ...
    @property
    def problem(self) -> TrayStatusError | None:
        """Why the state is only in memory (its file cannot be written or read), until that works again."""


class CalendarReader(Protocol):
    """Every configured calendar over [start, end); never raises for a bad feed (see ``CalendarResult``)."""

    def __call__(self, start: datetime, end: datetime) -> Sequence[CalendarResult]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarProblem:
    source: str
    title: str
    message: str
    stale: bool = False  # the last good copy is used meanwhile
    copy: str = ""  # which copy, when stale: "last good copy from 09:10 (3 h old)" (calendar_fetch.stale_copy)

    @property
    def text(self) -> str:
        return f"{self.title}: {self.message}" + (f" (using the {self.copy or 'last good copy'})" if self.stale else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountLine:
    """One account in a report: what it should show, what we know it shows, what was (or would be) sent."""

    account: str
    service: str
    applied: Applied
    planned: tuple[Operation, ...] = ()
    sent: tuple[Operation, ...] = ()
    errors: tuple[str, ...] = ()
    needs_action: bool = False
    notes: tuple[str, ...] = ()
    retry: RetryState = field(default_factory=RetryState)
    calls: tuple[str, ...] = ()  # dry run: the exact API call of each planned operation
    limits: KnownLimits = field(default_factory=KnownLimits)  # what this account is known not to do
    presence_note: str = ""  # what the held presence says ("Matrix shows you online: another session is active", …)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    at: datetime
    interval: Availability
    desired: DesiredStatus
    accounts: tuple[AccountLine, ...] = ()
    next_transition: datetime | None = None
    wake_at: datetime | None = None  # when the next pass should run
    paused: bool = False
    dry_run: bool = False
    calendar_issues: tuple[CalendarProblem, ...] = ()
    account_problems: tuple[str, ...] = ()  # accounts that could not even be set up (token missing…)
    #: the state file cannot be written (title, message with the path and the fix): kept in memory meanwhile
    storage_problem: tuple[str, str] | None = None
    timeline: tuple[Availability, ...] = ()
    overrides: tuple[Override, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(a.errors for a in self.accounts) and not self.account_problems

    @property
    def calendar_problems(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.calendar_issues)


class StatusSync:
    """Thread-safe (one lock): the scheduler's worker, the CLI and the tray's intents may all call it."""

    def __init__(
        self,
        *,
        settings: Settings,
        calendars: CalendarReader,
        publishers: Sequence[StatusPublisher],
        store: StateRepository,
        clock: Callable[[], datetime],
        account_problems: Sequence[str] = (),
        on_published: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings  # with the calendars' working hours once they are read (see load_calendars)
        self._configured = settings
        self.publishers = list(publishers)
        self.store = store
        self.clock = clock
        self.account_problems = tuple(account_problems)
        self._calendars = calendars
        self._on_published = on_published  # after each sending pass (the demo writes what it "sent")
        self._lock = threading.RLock()
        self._events: list[CalendarEvent] = []
        self._calendar_issues: tuple[CalendarProblem, ...] = ()
        self._loaded_for: tuple[datetime, datetime] | None = None
        self._loaded_at: datetime | None = None
        self._pinned = False  # set_events: these events stand until the next set_events
        self.last: SyncReport | None = None  # the last report (any thread: swapped whole)

    # -- calendars ------------------------------------------------------------------------------------
    def refresh_due(self, now: datetime) -> bool:
        minutes = min((c.refresh_minutes for c in self.settings.calendars), default=15)
        return self._loaded_at is None or now - self._loaded_at >= timedelta(minutes=minutes)

    def load_calendars(self, now: datetime, *, force: bool = False) -> None:
        """Read every calendar if due (or forced, or ``now`` is outside what was read)."""
        with self._lock:
            if self._pinned:
                return
            window = self._loaded_for
            inside = window is not None and window[0] <= now - BEHIND and now + AHEAD <= window[1]
            if not force and inside and not self.refresh_due(now):
                return
            start, end = now - BEHIND - timedelta(days=1), now + CALENDAR_AHEAD
            events: list[CalendarEvent] = []
            problems: list[CalendarProblem] = []
            availability: list[AvailabilityComponent] = []
            results, _ = read_through_leave(self._calendars, start, end, window_end=now + AHEAD, settings=self.settings)
            for r in results:
                events.extend(r.events)
                availability.extend(r.availability)
                if r.error is not None:
                    copy = stale_copy(r.fetched_at, now.astimezone(self.settings.timezone)) if r.stale else ""
                    problems.append(
                        CalendarProblem(
                            source=r.source, title=r.error.title, message=r.error.message, stale=r.stale, copy=copy
                        )
                    )
            self._events, self._calendar_issues = events, tuple(problems)
            self._loaded_for, self._loaded_at = (start, end), now
            self.settings, notes = apply_calendar_hours(self._configured, availability, start, end)
            for note in notes:
                log.info("working hours: %s", note)

    def set_events(self, events: Sequence[CalendarEvent], now: datetime) -> None:
        """Use these events instead of reading calendars (tests, benchmarks, the demo); refreshes keep them."""
        with self._lock:
            self._pinned = True
            self._events, self._calendar_issues = list(events), ()
            self._loaded_for = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC))
            self._loaded_at = now

    def timeline(self, now: datetime) -> Timeline:
        return build_timeline(self.settings, self._events, self.store.overrides(now), now - BEHIND, now + AHEAD)

    def working_day_timeline(self, now: datetime, overrides: Sequence[Override]) -> Timeline:
        """Where the working day really ends, for the handoff prompt: the calendars and hours with the
        overrides that end a day (a sign-off, Away) but not those that only silence it: a "Do not disturb"
        running past the day's end neither ends the day at its start nor stretches it to its end.

        Reads the last loaded events without the lock (the list is replaced whole): the GUI thread calls it
        and must not wait for a pass that is talking to a slow service."""
        ending = [o for o in overrides if o.state is not State.FOCUS]
        return build_timeline(self.settings, self._events, ending, now - BEHIND, now + AHEAD)

    def outlook(
        self, now: datetime, end: datetime
    ) -> tuple[list[tuple[Availability, DesiredStatus]], tuple[CalendarProblem, ...]]:
        """What the settings alone (no overrides) make every service show over [now, end), interval by interval,
        and the calendars' problems: the settings window's preview of unsaved settings."""
        with self._lock:
            self.load_calendars(now)
            timeline = build_timeline(self.settings, self._events, (), now, end)
            out = [
                (
                    interval,
                    desired_status(
                        interval,
                        self.settings.status,
                        now=max(now, interval.start),
                        tz=self.settings.timezone,
                        share_titles=self.settings.general.share_titles,
                    ),
                )
                for interval in timeline.intervals
            ]
            return out, self._calendar_issues

    # -- intents --------------------------------------------------------------------------------------
    def choose(self, choice: Choice) -> SyncReport:
        """Apply a menu choice (stored, so it survives a restart), then run a pass."""
        with self._lock:
            now = self.clock()
            if choice is Choice.BACK:
                self.store.clear_overrides()
            else:
                tz = self.settings.timezone
                tomorrow = tomorrow_start(now, tz, next_working_start(self.settings, tomorrow_start(now, tz)))
                override = override_for(choice, now=now, tomorrow=tomorrow)
                assert override is not None
                self.store.add_override(override)
            return self.run()

    def apply_override(self, override: Override) -> SyncReport:
        """An override from elsewhere in the app (the handoff's sign-off), stored like a menu choice."""
        with self._lock:
            self.store.add_override(override)
            return self.run()

    def clear_owned(self) -> None:
        """On quit with ``general.clear_on_quit``: set every account to "available" for now, nothing owned left."""
        with self._lock:
            now = self.clock()
            interval = build_timeline(self.settings, [], [], now, now + timedelta(minutes=1)).at(now)
            neutral = replace(interval, state=State.AVAILABLE, until=now + timedelta(minutes=1))
            desired = desired_status(neutral, self.settings.status, now=now, tz=self.settings.timezone)
            with self.store.exclusive():
                self._reconcile_all(desired, now, dry_run=False, force=False)
            if self._on_published is not None:
                self._on_published()

    # -- the pass -------------------------------------------------------------------------------------
    def run(
        self,
        now: datetime | None = None,
        *,
        dry_run: bool = False,
        send: bool = True,
        force: bool = False,
        refresh: bool = False,
    ) -> SyncReport:
        """Reconcile every account at ``now`` (default: the clock). ``send=False`` neither reads nor writes a
        service (``status``); ``dry_run`` may read (ownership) but never writes."""
        with self._lock:
            at = (now or self.clock()).astimezone(UTC)
            self.load_calendars(at, force=refresh)
            live = now is None  # plan and send with the time after the fetch, which may have been slow
            if live:
                at = self.clock().astimezone(UTC)
            if not send:  # `status` only reads: never waits for another process's pass
                report = self._pass(at, dry_run=dry_run, force=force, send=send, live=live)
            else:
                with self.store.exclusive():  # one pass at a time across processes (tray, headless, apply)
                    report = self._pass(at, dry_run=dry_run, force=force, send=send, live=live)
            if send and not dry_run and self._on_published is not None:
                self._on_published()
            self.last = report
            return report

    def _pass(self, now: datetime, *, dry_run: bool, force: bool, send: bool, live: bool = True) -> SyncReport:
        overrides = self.store.overrides(now)
        timeline = build_timeline(self.settings, self._events, overrides, now - BEHIND, now + AHEAD)
        interval = timeline.at(now)
        desired = desired_status(
            interval,
            self.settings.status,
            now=now,
            tz=self.settings.timezone,
            share_titles=self.settings.general.share_titles,
        )
        paused = any(o.paused and o.start <= now < o.end for o in overrides)
        lines: list[AccountLine] = []
        if paused:
            lines = [self._paused(p) for p in self.publishers]
        elif not send:
            lines = [self._offline(p, desired, now) for p in self.publishers]
        account_wakes: list[datetime] = []
        if not paused and send:
            lines = self._reconcile_all(desired, now, dry_run=dry_run, force=force, wakes=account_wakes, live=live)
        wakes: list[datetime] = [now + SAFETY_NET]
        wakes.extend(max(w, now + timedelta(seconds=1)) for w in account_wakes)
        nxt = next_transition(timeline, now)
        if nxt is not None:
            wakes.append(nxt)
        wakes.extend(o.end for o in overrides if o.end > now)
        return SyncReport(
            at=now,
            interval=interval,
            desired=desired,
            accounts=tuple(lines),
            next_transition=nxt,
            wake_at=min(wakes),
            paused=paused,
            dry_run=dry_run or not send,
            calendar_issues=self._calendar_issues,
            account_problems=self.account_problems,
            storage_problem=(problem.title, problem.message) if (problem := self.store.problem) else None,
            timeline=tuple(timeline.intervals),
            overrides=tuple(overrides),
        )

    def _reconcile_all(
        self,
        desired: DesiredStatus,
        now: datetime,
        *,
        dry_run: bool,
        force: bool,
        wakes: list[datetime] | None = None,
        live: bool = True,
    ) -> list[AccountLine]:
        """Every account at once (bounded): each reads and saves its own state, so a slow or hanging service
        (the client's timeouts bound it) delays neither the other's update nor its saved state. ``wakes``
        receives when an account asked to be reconciled again (a retry, an expiry)."""
        if not self.publishers:
            return []

        def one(publisher: StatusPublisher) -> tuple[AccountLine, datetime | None]:
            return self._reconcile_one(publisher, desired, now, dry_run=dry_run, force=force, live=live)

        if len(self.publishers) == 1:
            results = [one(self.publishers[0])]
        else:
            workers = min(MAX_PARALLEL_ACCOUNTS, len(self.publishers))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reconcile") as pool:
                results = list(pool.map(one, self.publishers))
        if wakes is not None:
            wakes.extend(w for _, w in results if w is not None)
        for line, _ in results:
            for op in line.sent:
                log.info("%s: %s", line.account, op.describe())
        return [line for line, _ in results]

    def _reconcile_one(
        self,
        publisher: StatusPublisher,
        desired: DesiredStatus,
        now: datetime,
        *,
        dry_run: bool,
        force: bool,
        live: bool = True,
    ) -> tuple[AccountLine, datetime | None]:
        """``live``: ``now`` is the clock's, so nothing already ended by the time of a call is sent."""
        applied, retry = self.store.account(publisher.account)
        try:
            outcome = reconcile_account(
                publisher,
                desired,
                applied,
                retry,
                now,
                dry_run=dry_run,
                force=force,
                respect_manual=self.settings.general.respect_manual_status,
                clock=self.clock if live else None,
            )
        except TrayStatusError as e:  # a publisher outside the ServiceError contract: keep the others
            log.warning("%s: %s", publisher.account, e)
            line = AccountLine(
                account=publisher.account,
                service=str(publisher.service),
                applied=applied,
                retry=retry,
                errors=(f"{e.title}: {e.message}",),
            )
            return line, None
        limits = self.store.limits(publisher.account)
        if not dry_run:
            limits = learn_limits(limits, publisher.traits, outcome.sent, now)
            self.store.save_account(publisher.account, outcome.applied, outcome.retry, limits)
            hold_all((publisher,), desired)  # presence kept true until the next pass (Matrix: the sync loop)
        held = live_note(publisher)  # presence not held, or another session keeps the user online
        line = AccountLine(
            account=outcome.account,
            service=outcome.service,
            applied=outcome.applied,
            planned=outcome.planned,
            sent=outcome.sent,
            errors=outcome.errors,
            needs_action=outcome.needs_action,
            notes=(*outcome.notes, held) if held else outcome.notes,
            retry=outcome.retry,
            limits=limits,
            presence_note=held,
        )
        if dry_run:
            line = dataclasses.replace(line, calls=tuple(publisher.describe_call(op, now) for op in outcome.planned))
        return line, outcome.wake_at

    def _paused(self, publisher: StatusPublisher) -> AccountLine:
        applied, retry = self.store.account(publisher.account)
        return AccountLine(
            account=publisher.account,
            service=str(publisher.service),
            applied=applied,
            retry=retry,
            notes=("syncing is paused",),
        )

    def _offline(self, publisher: StatusPublisher, desired: DesiredStatus, now: datetime) -> AccountLine:
        applied, retry = self.store.account(publisher.account)
        known = self.store.limits(publisher.account)  # what a sync found this account cannot do
        planned, notes = offline_line(publisher, desired, applied, retry, known, now, self.settings)
        held = live_note(publisher)  # what the running tray / run --headless sees (it holds the presence)
        if held:
            notes = (held, *notes)
        return AccountLine(
            account=publisher.account,
            service=str(publisher.service),
            applied=applied,
            planned=planned,
            notes=notes,
            retry=retry,
            needs_action=retry.needs_action,
            limits=known,
            presence_note=held,
        )
