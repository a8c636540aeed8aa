"""One pass of the tray app, run on the scheduler's worker thread (never the GUI thread): read the
calendars when due, build the timeline with the overrides, reconcile every account, and produce the
``TrayView`` plus what to tell the user and when to run again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from traystatus.adapters.state_store import StateStore
from traystatus.app.logging_setup import log_file  # noqa: F401  (re-exported: tests and harnesses)
from traystatus.core.engine import build_timeline, next_transition, next_working_start
from traystatus.core.live_presence import close_all, hold_all, live_note
from traystatus.core.model import Availability, CalendarEvent, Override, State
from traystatus.core.overrides import Choice, override_for, tomorrow_start
from traystatus.core.ports import CalendarSource
from traystatus.core.publishing import StatusPublisher, learn_limits
from traystatus.core.reconcile import reconcile_account
from traystatus.core.settings import Settings
from traystatus.core.status_map import DesiredStatus, desired_status
from traystatus.core.tray_view import (
    STATE_LABELS,
    ServiceHealth,
    TrayView,
    build_tray_view,
    initial_view,  # noqa: F401  (re-exported)
)

log = logging.getLogger(__name__)

#: the timeline covers [now - BEHIND, now + AHEAD); calendars are read a little wider
BEHIND = timedelta(hours=12)
AHEAD = timedelta(days=3)
#: run at least this often even when nothing is due (a safety net: missed triggers, expiries)
SAFETY_NET = timedelta(minutes=15)
SERVICE_NAMES = {"slack": "Slack", "matrix": "Matrix"}


@dataclass(frozen=True, slots=True, kw_only=True)
class PassResult:
    view: TrayView
    wake_at: datetime  # when the next pass should run
    notifications: tuple[tuple[str, str], ...] = ()  # (title, message) for the user


class TrayPass:
    """Everything a pass needs, injected by the composition root; thread-safe through one lock."""

    def __init__(
        self,
        *,
        settings: Settings,
        sources: Sequence[CalendarSource],
        publishers: Sequence[StatusPublisher],
        store: StateStore,
        clock: Callable[[], datetime],
        notice: str = "",
        on_published: Callable[[], None] | None = None,
        account_problems: Sequence[ServiceHealth] = (),
    ) -> None:
        self._settings = settings
        self._account_problems = list(account_problems)  # accounts that could not be set up (no token, …)
        self._sources = list(sources)
        self._publishers = list(publishers)
        self._store = store
        self._clock = clock
        self._notice = notice
        self._on_published = on_published
        self._lock = threading.Lock()
        self._events: list[CalendarEvent] = []
        self._calendar_errors: list[ServiceHealth] = []
        self._loaded_at: datetime | None = None
        self._last_state: State | None = None
        self._last_alerts: set[str] = set()
        self._user_caused = False
        self._wake: datetime | None = None
        self._intervals: tuple[Availability, ...] = ()

    @property
    def settings(self) -> Settings:
        return self._settings

    def intervals(self) -> tuple[Availability, ...]:
        """The timeline of the last pass (any thread: a tuple swapped whole); the handoff prompt follows it."""
        return self._intervals

    # -- intents --------------------------------------------------------------------------------------
    def choose(self, choice: Choice) -> PassResult:
        """Apply a menu choice (stored, so it survives a restart), then run a pass."""
        with self._lock:
            now = self._clock()
            if choice is Choice.BACK:
                self._store.clear_overrides()
            else:
                tz = self._settings.timezone
                tomorrow = tomorrow_start(now, tz, next_working_start(self._settings, tomorrow_start(now, tz)))
                override = override_for(choice, now=now, tomorrow=tomorrow)
                assert override is not None
                self._store.add_override(override)
            self._user_caused = True
        return self.run()

    def apply_override(self, override: Override) -> PassResult:
        """An override from elsewhere in the app (the handoff's sign-off), stored like a menu choice."""
        with self._lock:
            self._store.add_override(override)
            self._user_caused = True
        return self.run()

    def clear_owned(self) -> None:
        """On quit with ``general.clear_on_quit``: set every account to "available" for now, nothing owned left."""
        with self._lock:
            now = self._clock()
            interval = build_timeline(self._settings, [], [], now, now + timedelta(minutes=1)).at(now)
            neutral = replace(interval, state=State.AVAILABLE, until=now + timedelta(minutes=1))
            desired = desired_status(neutral, self._settings.status, now=now, tz=self._settings.timezone)
            self._reconcile(desired, now)

    def close(self) -> None:
        """Stop what the publishers keep running (the Matrix presence loops): quit or a rebuilt pass."""
        close_all(self._publishers)

    # -- the pass -------------------------------------------------------------------------------------
    def run(self, *, refresh: bool = False) -> PassResult:
        with self._lock:
            return self._run(refresh=refresh)

    def _load(self, now: datetime, refresh: bool) -> None:
        minutes = min((c.refresh_minutes for c in self._settings.calendars), default=15)
        if not refresh and self._loaded_at is not None and now - self._loaded_at < timedelta(minutes=minutes):
            return
        from traystatus.adapters.calendar_sources import load_all  # heavy imports stay off start-up

        results = load_all(self._sources, now - BEHIND - timedelta(days=1), now + AHEAD + timedelta(days=30))
        events: list[CalendarEvent] = []
        errors: list[ServiceHealth] = []
        for r in results:
            events.extend(r.events)
            if r.error is not None:
                errors.append(
                    ServiceHealth(name=r.source, ok=False, detail=r.error.title, fix="" if r.stale else r.error.message)
                )
        self._events, self._calendar_errors, self._loaded_at = events, errors, now

    def _reconcile(self, desired: DesiredStatus, now: datetime) -> list[ServiceHealth]:
        with self._store.exclusive():  # one pass at a time across processes (a CLI apply, a headless run)
            return self._reconcile_locked(desired, now)

    def _reconcile_locked(self, desired: DesiredStatus, now: datetime) -> list[ServiceHealth]:
        health: list[ServiceHealth] = []
        wake: list[datetime] = []
        for publisher in self._publishers:
            account = publisher.account
            applied, retry = self._store.account(account)
            outcome = reconcile_account(
                publisher, desired, applied, retry, now, respect_manual=self._settings.general.respect_manual_status
            )
            limits = learn_limits(self._store.limits(account), publisher.traits, outcome.sent, now)
            self._store.save_account(account, outcome.applied, outcome.retry, limits)
            hold_all((publisher,), desired)  # presence kept true until the next pass (Matrix: the sync loop)
            name = SERVICE_NAMES.get(outcome.service, outcome.service)
            if outcome.errors:
                health.append(
                    ServiceHealth(
                        name=name,
                        ok=False,
                        detail=outcome.errors[0],
                        fix="reconnect in Settings…" if outcome.needs_action else "",
                        needs_action=outcome.needs_action,
                    )
                )
            elif limits.any:  # told once as an error when found; stays in the menu while it lasts (no alert)
                health.append(
                    ServiceHealth(
                        name=name, ok=False, detail=limits.why_not or "some calls are not possible on this account"
                    )
                )
            elif note := live_note(publisher):  # presence not held, or another session keeps the user online
                health.append(ServiceHealth(name=name, ok=False, detail=note))
            else:
                health.append(ServiceHealth(name=name))
            if outcome.wake_at is not None:
                wake.append(outcome.wake_at)
        self._wake = min(wake) if wake else None
        if self._on_published is not None:
            self._on_published()
        return health

    def _run(self, *, refresh: bool) -> PassResult:
        now = self._clock()
        self._load(now, refresh)
        overrides: list[Override] = self._store.overrides(now)
        timeline = build_timeline(self._settings, self._events, overrides, now - BEHIND, now + AHEAD)
        current = timeline.at(now)
        paused = any(o.paused and o.start <= now < o.end for o in overrides)
        self._wake = None
        if paused:
            health = [ServiceHealth(name=SERVICE_NAMES.get(str(p.service), str(p.service))) for p in self._publishers]
        else:
            desired = desired_status(
                current,
                self._settings.status,
                now=now,
                tz=self._settings.timezone,
                share_titles=self._settings.general.share_titles,
            )
            health = self._reconcile(desired, now)
        self._intervals = tuple(timeline.intervals)
        view = build_tray_view(
            timeline=timeline.intervals,
            overrides=overrides,
            health=[*health, *self._account_problems, *self._calendar_errors],
            now=now,
            tz=self._settings.timezone,
            notice=self._notice,
        )
        candidates = [now + SAFETY_NET]
        nxt = next_transition(timeline, now)
        if nxt is not None:
            candidates.append(nxt)
        candidates.extend(o.end for o in overrides if o.end > now)
        if self._wake is not None:
            candidates.append(max(self._wake, now + timedelta(seconds=1)))
        notes = self._notifications(view, current.state)
        return PassResult(view=view, wake_at=min(candidates), notifications=notes)

    def _notifications(self, view: TrayView, state: State) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        changed = self._last_state is not None and state is not self._last_state
        if changed and not self._user_caused and self._settings.general.notify_on_change:
            out.append((STATE_LABELS[state], view.state_line))
        self._last_state, self._user_caused = state, False
        alerts = {h.text for h in view.health if h.needs_action}
        out.extend(("traystatus needs you", text) for text in sorted(alerts - self._last_alerts))
        self._last_alerts = alerts
        return tuple(out)
