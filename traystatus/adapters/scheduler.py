"""When reconcile runs: at each transition, on calendar refresh, as a safety net, after a clock jump or
sleep/resume, and on demand. APScheduler 3.x ``BackgroundScheduler``, one worker, ``coalesce=True``
(docs/platform-notes.md, "Scheduling": not ``QtScheduler``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from traystatus.adapters.clock import utc_now

log = logging.getLogger(__name__)

#: ``run_reconcile(reason)`` does one pass and returns when the next one is due (or None)
RunReconcile = Callable[[str], "datetime | None"]


class SyncScheduler:
    """``start()``, ``reschedule(when)``, ``trigger(reason)``, ``shutdown()``; thread-safe.

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
    ) -> None:
        self._run_reconcile = run_reconcile
        self._safety_net = safety_net
        self._refresh_every = refresh_every
        self._refresh = refresh
        self._watch_every = watch_every
        self._jump_tolerance = jump_tolerance
        self._clock = clock
        self._monotonic = monotonic
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
        self.trigger("start")

    def trigger(self, reason: str) -> None:
        """Run a pass as soon as the worker is free (repeated triggers coalesce)."""
        self._scheduler.add_job(
            self._pass,
            "date",
            run_date=self._clock(),
            args=[reason],
            id="now",
            replace_existing=True,
            misfire_grace_time=None,
        )

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

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    # -- jobs (on the one worker thread) ------------------------------------------------------------------
    def _pass(self, reason: str) -> None:
        started = self._clock()
        self.runs.append((started, reason))
        del self.runs[:-50]
        try:
            nxt = self._run_reconcile(reason)
        except Exception:  # keep scheduling whatever one pass did
            log.exception("Reconcile (%s) failed; trying again in a minute", reason)
            nxt = started + timedelta(minutes=1)
        if self._scheduler.running:
            self.reschedule(nxt)

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
                self._pass("clock jump")
                return
        self._marks = (wall, mono)
