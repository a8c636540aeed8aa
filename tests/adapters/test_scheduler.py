"""SyncScheduler on the real APScheduler: start pass, booked transitions, coalesced triggers, clock jumps,
failures that keep it running, clean shutdown. Waits are on events with generous timeouts (not timed asserts)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from traystatus.adapters.scheduler import SyncScheduler
from traystatus.core.errors import StorageError


class Passes:
    def __init__(self, *, next_in: float | None = None, fail_first: bool = False) -> None:
        self.reasons: list[str] = []
        self.threads: set[str] = set()
        self.next_in = next_in
        self.fail_first = fail_first
        self.event = threading.Event()
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()

    def __call__(self, reason: str) -> datetime | None:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self.reasons.append(reason)
            self.threads.add(threading.current_thread().name)
            self.event.set()
            time.sleep(0.01)
            if self.fail_first and len(self.reasons) == 1:
                raise RuntimeError("boom")
            return datetime.now(UTC) + timedelta(seconds=self.next_in) if self.next_in is not None else None
        finally:
            with self._lock:
                self.active -= 1


def wait_for(predicate: object, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_start_runs_once_then_each_booked_transition() -> None:
    passes = Passes(next_in=0.2)
    s = SyncScheduler(passes)
    s.start()
    try:
        assert wait_for(lambda: passes.reasons.count("transition") >= 3)
        assert passes.reasons[0] == "start"
        assert len(passes.threads) == 1 and passes.max_active == 1  # one worker, never two passes at once
    finally:
        s.shutdown()
    assert not s.running


def test_triggers_coalesce_and_never_overlap() -> None:
    passes = Passes()
    s = SyncScheduler(passes)
    s.start()
    try:
        assert wait_for(lambda: passes.reasons == ["start"])
        for _ in range(20):
            s.trigger("user intent")
        assert wait_for(lambda: "user intent" in passes.reasons)
        time.sleep(0.3)
        assert passes.max_active == 1 and passes.reasons.count("user intent") < 20
    finally:
        s.shutdown()


def test_a_wall_clock_jump_triggers_a_pass() -> None:
    offset = [timedelta(0)]
    passes = Passes()
    s = SyncScheduler(
        passes,
        clock=lambda: datetime.now(UTC) + offset[0],
        watch_every=timedelta(seconds=0.05),
        jump_tolerance=timedelta(seconds=30),
    )
    s.start()
    try:
        assert wait_for(lambda: passes.reasons == ["start"])
        time.sleep(0.2)
        assert "clock jump" not in passes.reasons  # a steady clock is not a jump
        offset[0] = timedelta(hours=2)  # resumed from a two-hour sleep
        assert wait_for(lambda: "clock jump" in passes.reasons)
    finally:
        s.shutdown()


def test_a_failing_pass_is_retried_and_the_scheduler_keeps_going() -> None:
    passes = Passes(fail_first=True)
    s = SyncScheduler(passes)
    s.start()
    try:
        assert wait_for(lambda: passes.reasons == ["start"])
        assert wait_for(lambda: s.next_run is not None)
        assert s.next_run is not None and s.next_run > datetime.now(UTC) + timedelta(seconds=30)
        s.trigger("again")
        assert wait_for(lambda: "again" in passes.reasons)
    finally:
        s.shutdown()


def test_calendars_are_refreshed_periodically_then_reconciled() -> None:
    passes = Passes()
    refreshed: list[int] = []

    def refresh() -> None:
        refreshed.append(len(passes.reasons))
        if len(refreshed) == 1:
            raise OSError("feed unreachable")  # a failing refresh never stops the schedule

    s = SyncScheduler(passes, refresh_every=timedelta(seconds=0.2), refresh=refresh)
    s.start()
    try:
        assert wait_for(lambda: passes.reasons.count("calendar refresh") >= 2)
        assert len(refreshed) >= 2 and passes.max_active == 1
        i = passes.reasons.index("calendar refresh")
        assert refreshed[0] <= i  # the calendars were read before the pass that uses them
    finally:
        s.shutdown()


def test_a_pass_failing_the_same_way_is_logged_once_then_its_recovery(caplog: pytest.LogCaptureFixture) -> None:
    """A service retrying every minute on a full disk must not log the same error forever: once (no traceback
    for one of traystatus's own errors, which carry their words), again when it changes, and when it works."""
    fails = {"left": 4, "error": StorageError("Cannot write the state file", "/x: the disk is full.")}
    calls: list[int] = []

    def step() -> datetime | None:
        calls.append(1)
        if fails["left"]:
            fails["left"] -= 1  # type: ignore[operator]
            if fails["left"] == 1:
                raise RuntimeError("a different problem")
            raise fails["error"]  # type: ignore[misc]
        return None

    s = SyncScheduler(lambda _reason: None)
    s.start()
    try:
        with caplog.at_level(logging.DEBUG, logger="traystatus.adapters.scheduler"):
            for _ in range(5):
                done = len(calls)
                s.run_step(step, "test")
                assert wait_for(lambda done=done: len(calls) > done)  # type: ignore[misc]
            assert wait_for(lambda: any("works again" in r.getMessage() for r in caplog.records))
    finally:
        s.shutdown()
    shown = [(r.levelno, r.getMessage(), r.exc_info is not None) for r in caplog.records if r.levelno > logging.DEBUG]
    assert shown == [
        (
            logging.ERROR,
            "Reconcile (test) failed: Cannot write the state file: /x: the disk is full.; trying again every minute",
            False,
        ),
        (logging.ERROR, "Reconcile (test) failed; trying again every minute", True),  # a new error: with its traceback
        (
            logging.ERROR,
            "Reconcile (test) failed: Cannot write the state file: /x: the disk is full.; trying again every minute",
            False,
        ),
        (logging.INFO, "Reconcile works again (after 1 failed passes)", False),
    ]
