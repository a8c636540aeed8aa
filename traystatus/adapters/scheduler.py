"""The one scheduler of every runtime (the tray and ``run --headless``): when the sync pipeline runs (at each
transition, on calendar refresh, as a safety net, after a clock jump or sleep/resume, on demand) and the
background duties (``core.duties``: the handoff outbox, cross-process wake-ups, …) that share its worker.
APScheduler 3.x ``BackgroundScheduler``, one worker, ``coalesce=True`` (docs/platform-notes.md, "Scheduling": not
``QtScheduler``, whose timers need the GUI thread). The tray gets results through its Qt bridge signals."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from traystatus.adapters.clock import utc_now
from traystatus.core.duties import BackgroundDuty
from traystatus.core.errors import TrayStatusError

log = logging.getLogger(__name__)

#: ``run_reconcile(reason)`` does one pass and returns when the next one is due (or None)
RunReconcile = Callable[[str], "datetime | None"]
#: a step run like a pass (a menu choice, a rebuild): returns when the next pass is due (or None)
Step = Callable[[], "datetime | None"]


class SyncScheduler:
    """``start()``, ``reschedule(when)``, ``trigger(reason)``, ``run_step(step)``, ``shutdown()``; thread-safe.
    Also the ``core.duties.Jobs`` a duty books its work with (``submit``, ``at``, ``every``).

    The run's return value reschedules the transition job, so a pass always books the next one.
    A wall clock that moves differently from the monotonic clock (suspend/resume, NTP, the user)
    triggers a pass at once: a timer that overslept can only delay the right status.
    """

    def __init__(
        self,
        run_reconcile: RunReconcile,
        *,
        safety_net: timedelta = timedelta(minutes=15),
        refresh_every: timedelta | None = None,
        refresh: Callable[[], None] | None = None,
        watch_every: timedelta = timedelta(seconds=20),
        jump_tolerance: timedelta = timedelta(seconds=30),
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        duties: Sequence[BackgroundDuty] = (),
    ) -> None:
        self._run_reconcile = run_reconcile
        self._safety_net = safety_net
        self._refresh_every = refresh_every
        self._refresh = refresh
        self._watch_every = watch_every
        self._jump_tolerance = jump_tolerance
        self._clock = clock
        self._monotonic = monotonic
        self.duties = list(duties)
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            # One worker already serialises the passes; max_instances=1 would silently drop a trigger that
            # arrives while the same job id is running, so queue it instead.
            job_defaults={"coalesce": True, "max_instances": 8, "misfire_grace_time": None},
            timezone=UTC,
        )
        self._lock = threading.Lock()
        self._marks: tuple[datetime, float] | None = None
        self.runs: list[tuple[datetime, str]] = []  # (when, why) of the last passes, for status and tests
        self.next_run: datetime | None = None
        self._failure: tuple[str, int] | None = None  # the last pass's error and how many passes in a row had it

    # -- public API -------------------------------------------------------------------------------------
    def start(self) -> None:
        self._marks = (self._clock(), self._monotonic())
        self._scheduler.start()
        self._scheduler.add_job(
            self._pass,
            "interval",
            seconds=self._safety_net.total_seconds(),
            args=["safety net"],
            id="safety",
            replace_existing=True,
        )
        self._scheduler.add_job(
            self._watch, "interval", seconds=self._watch_every.total_seconds(), id="clock-watch", replace_existing=True
        )
        if self._refresh_every is not None:
            self._scheduler.add_job(
                self._do_refresh,
                "interval",
                seconds=self._refresh_every.total_seconds(),
                id="refresh",
                replace_existing=True,
            )
        for duty in self.duties:
            try:
                duty.start(self)
            except Exception:  # one duty that cannot start (no keyring, a busy socket) leaves the others
                log.exception("background duty %r could not start", duty.name)
        self.trigger("start")

    def trigger(self, reason: str) -> None:
        """Run a pass as soon as the worker is free (repeated triggers coalesce), and tell every duty."""
        self._scheduler.add_job(
            self._pass,
            "date",
            args=[reason],
            id="now",
            replace_existing=True,
            misfire_grace_time=None,
        )
        for duty in self.duties:
            if reason != "start":
                try:
                    duty.trigger(reason)
                except Exception:
                    log.exception("background duty %r failed on %s", duty.name, reason)

    def run_step(self, step: Step, reason: str, job_id: str | None = None) -> None:
        """Run ``step`` on the worker like a pass (a menu choice, a rebuild): it books the next pass."""
        self._scheduler.add_job(
            self._pass,
            "date",
            args=[reason, step],
            id=job_id,
            replace_existing=job_id is not None,
            misfire_grace_time=None,
        )

    def set_refresh_every(self, every: timedelta | None) -> None:
        """The calendar refresh interval (once the settings are known: the tray reads them on the worker)."""
        self._refresh_every = every
        if self._scheduler.get_job("refresh") is not None:
            self._scheduler.remove_job("refresh")
        if every is not None and self._scheduler.running:
            self.every(every.total_seconds(), self._do_refresh, "refresh")

    # -- core.duties.Jobs ---------------------------------------------------------------------------------
    def submit(self, fn: Callable[[], None], job_id: str | None = None) -> None:
        self._scheduler.add_job(fn, "date", id=job_id, replace_existing=bool(job_id), misfire_grace_time=None)

    def at(self, when: datetime, fn: Callable[[], None], job_id: str) -> None:
        self._scheduler.add_job(fn, "date", run_date=when, id=job_id, replace_existing=True, misfire_grace_time=None)

    def every(self, seconds: float, fn: Callable[[], None], job_id: str) -> None:
        self._scheduler.add_job(fn, "interval", seconds=seconds, id=job_id, replace_existing=True)

    def reschedule(self, when: datetime | None) -> None:
        """Book the next transition pass (replacing the previous booking)."""
        with self._lock:
            self.next_run = when
            if when is None:
                if self._scheduler.get_job("transition") is not None:
                    self._scheduler.remove_job("transition")
                return
            self._scheduler.add_job(
                self._pass,
                "date",
                run_date=when,
                args=["transition"],
                id="transition",
                replace_existing=True,
                misfire_grace_time=None,
            )

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)
        for duty in self.duties:
            try:
                duty.stop()
            except Exception:
                log.exception("background duty %r did not stop cleanly", duty.name)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    # -- jobs (on the one worker thread) ------------------------------------------------------------------
    def _pass(self, reason: str, step: Step | None = None) -> None:
        started = self._clock()
        self.runs.append((started, reason))
        del self.runs[:-50]
        try:
            nxt = step() if step is not None else self._run_reconcile(reason)
        except Exception as e:  # keep scheduling whatever one pass did
            self._failed(reason, e)
            nxt = started + timedelta(minutes=1)
        else:
            if self._failure is not None:
                log.info("Reconcile works again (after %d failed passes)", self._failure[1])
                self._failure = None
        if self._scheduler.running:
            self.reschedule(nxt)

    def _failed(self, reason: str, e: Exception) -> None:
        """A failing pass is retried every minute: its error is logged once (with the traceback only when it
        is not one of ours, which carry their own words), and again only when it changes."""
        what = f"{type(e).__name__}: {e}"
        if self._failure is not None and self._failure[0] == what:
            self._failure = (what, self._failure[1] + 1)
            log.debug("Reconcile (%s) failed again: %s", reason, what)
            return
        self._failure = (what, 1)
        if isinstance(e, TrayStatusError):
            log.error("Reconcile (%s) failed: %s: %s; trying again every minute", reason, e.title, e.message)
        else:
            log.exception("Reconcile (%s) failed; trying again every minute", reason)

    def _do_refresh(self) -> None:
        if self._refresh is not None:
            try:
                self._refresh()
            except Exception:
                log.exception("Calendar refresh failed")
        self._pass("calendar refresh")

    def _watch(self) -> None:
        wall, mono = self._clock(), self._monotonic()
        if self._marks is not None:
            wall0, mono0 = self._marks
            drift = (wall - wall0) - timedelta(seconds=mono - mono0)
            if abs(drift) > self._jump_tolerance:
                log.info(
                    "Wall clock moved %+.0f s against the monotonic clock (sleep/resume or clock change)",
                    drift.total_seconds(),
                )
                self._marks = (wall, mono)
                self.trigger("clock jump")
                return
        self._marks = (wall, mono)
