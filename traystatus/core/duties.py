"""The background duties every runtime (tray, ``run --headless``) runs on its one scheduler, as ports.

A duty is registered with the runtime's scheduler: ``start(jobs)`` books what it needs on the one worker
(or starts its own blocking thread when it must wait on I/O), ``trigger(reason)`` is called whenever the
runtime is told to look now (start, resume, a clock jump, the network back, another traystatus process
changed the shared state), and ``stop()`` on shutdown. The sync pipeline is the scheduler's own job; the
handoff outbox, the cross-process wake-up and (later) the Matrix keep-alive are duties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol


class Jobs(Protocol):
    """What a duty may book on the runtime's one worker thread (thread-safe)."""

    def submit(self, fn: Callable[[], None], job_id: str | None = None) -> None:
        """Run ``fn`` as soon as the worker is free (a job with the same id is replaced)."""

    def at(self, when: datetime, fn: Callable[[], None], job_id: str) -> None: ...

    def every(self, seconds: float, fn: Callable[[], None], job_id: str) -> None: ...

    def trigger(self, reason: str) -> None:
        """A sync pass now, and every duty's ``trigger(reason)``."""


class BackgroundDuty(Protocol):
    name: str

    def start(self, jobs: Jobs) -> None: ...

    def trigger(self, reason: str) -> None: ...

    def stop(self) -> None: ...


class OutboxWorker(Protocol):
    """The handoff delivery worker as the runtime drives it (``adapters.handoff_delivery.HandoffDelivery``)."""

    def start(self) -> None: ...

    def wake(self) -> None: ...

    def stop(self) -> None: ...


class OutboxDuty:
    """Deliver stored handoff notes in the background, and look again at once when told (a note stored by
    ``traystatus handoff`` in another process, a resume, the network back).

    ``worker`` returns the worker, or None while it is not built yet (the tray builds it after the icon is
    up); ``owned``: this duty starts and stops it (else its owner does, e.g. the tray's handoff windows)."""

    name = "handoff outbox"

    def __init__(self, worker: Callable[[], OutboxWorker | None], *, owned: bool) -> None:
        self._worker = worker
        self._owned = owned

    def start(self, jobs: Jobs) -> None:
        if self._owned:
            w = self._worker()
            if w is not None:
                w.start()

    def trigger(self, reason: str) -> None:
        w = self._worker()
        if w is not None:
            w.wake()

    def stop(self) -> None:
        if self._owned:
            w = self._worker()
            if w is not None:
                w.stop()


class RuntimeScheduler(Jobs, Protocol):
    """The runtime's one scheduler as the tray's controller drives it (``adapters.scheduler.SyncScheduler``)."""

    def start(self) -> None: ...

    def shutdown(self, wait: bool = True) -> None: ...

    def run_step(self, step: Callable[[], datetime | None], reason: str, job_id: str | None = None) -> None: ...

    def set_refresh_every(self, every: timedelta | None) -> None: ...


#: builds the scheduler around ``run_pass(reason) -> when next`` with these duties (not started)
SchedulerFactory = Callable[[Callable[[str], "datetime | None"], Sequence[BackgroundDuty]], RuntimeScheduler]
