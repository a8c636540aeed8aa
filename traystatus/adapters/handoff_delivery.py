"""The handoff outbox worker: delivers stored notes to Slack (SlackClient) and Matrix (MatrixClient)
following ``core.outbox``; every state change is written to the archive *before* the next step, so
a crash or a kill at any point resumes without losing or duplicating a message.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.handoff_senders import (
    HistoryUnavailable,
    MatrixSender,
    MatrixSenderClient,
    MaybeSent,
    NotSent,
    RecordingSession,
    Sender,
    SlackSender,
)
from traystatus.core.errors import ServiceError, TrayStatusError
from traystatus.core.outbox import (
    Delivery,
    DeliveryStatus,
    check_later,
    checked,
    failed,
    held_by_other,
    in_order,
    interrupted,
    is_due,
    is_rate_limited,
    lease_expired,
    leased,
    mark_sent,
    next_wakeup,
    rate_limited,
    recover,
    reserved,
    retry_now,
    succeeded,
)
from traystatus.core.outbox import begin as begin_send

log = logging.getLogger(__name__)

# The senders live in handoff_senders; callers import them from here too (the worker's one entry point).
__all__ = [
    "HandoffDelivery",
    "HistoryUnavailable",
    "MatrixSender",
    "MatrixSenderClient",
    "MaybeSent",
    "NotSent",
    "RecordingSession",
    "Sender",
    "SlackSender",
    "owner_gone",
    "owner_id",
]


IDLE_WAIT_S = 15 * 60.0
# While another process on this host holds a delivery, look this often whether it still lives: a killed
# `traystatus handoff` is taken over within seconds, not at its lease's end (only while one is held).
LOCAL_OWNER_RECHECK_S = 5.0
# The CLI waits out rate limits up to this long in all (longer: the tray or headless worker sends it later).
CLI_RATE_LIMIT_WAIT_S = 20.0
# The CLI waits this long in all for a send another live process is making (its request times out in 15 s).
FOREIGN_SEND_WAIT_S = 30.0
FOREIGN_SEND_POLL_S = 0.25


def owner_id() -> str:
    """Who holds a lease: this host and process, plus a token for this worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_on_this_host(owner: str) -> bool:
    return owner.partition(":")[0] == socket.gethostname()


def owner_gone(owner: str) -> bool:
    """A lease owner on this host whose process no longer exists (killed, crashed): its lease is void."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another host (a shared data dir) or unknown: wait for the lease to expire
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another worker of this process: it is alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class HandoffDelivery:
    """Drive deliveries: ``run_due()`` once (CLI) or ``start()`` a background thread (tray app).

    ``senders`` by service ("slack", "matrix"); ``on_change`` is called with each new delivery state
    (from the worker thread: hand it to the GUI through a Qt signal).
    """

    def __init__(
        self,
        archive: SqliteNoteArchive,
        senders: Mapping[str, Sender],
        now: Callable[[], datetime],
        on_change: Callable[[Delivery], None] | None = None,
    ) -> None:
        self._archive = archive
        self._senders = senders
        self._now = now
        self._on_change = on_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._run_lock = threading.Lock()
        self.owner = owner_id()

    def _notify(self, d: Delivery) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(d)
        except Exception:  # a window that went away must never stop a delivery
            log.exception("handoff delivery listener failed")

    def _save(self, d: Delivery) -> Delivery:
        self._archive.save_delivery(d)
        self._notify(d)
        return d

    def held_elsewhere(self, d: Delivery, now: datetime) -> bool:
        """Another live process holds ``d`` (sending it, or about to): leave it alone."""
        return held_by_other(d, self.owner, now) and not owner_gone(d.lease_owner)

    def reserve(self, deliveries: tuple[Delivery, ...] | list[Delivery]) -> None:
        """This process is about to send these (``traystatus handoff``): a running tray or headless service
        that is told about the note leaves them alone meanwhile, and takes them over if this one dies."""
        now = self._now()
        for d in deliveries:
            self._archive.claim_delivery(d, reserved(d, self.owner, now))

    def next_wake(self) -> datetime | None:
        return next_wakeup(self._archive.open_deliveries(), owner=self.owner)

    def recover(self) -> None:
        """Deliveries left in flight by a process that died are resolved (Matrix resent, Slack checked);
        a live send elsewhere (lease running, owner alive) is left alone."""
        now = self._now()
        for d in self._archive.open_deliveries():
            if d.status is not DeliveryStatus.IN_FLIGHT or d.lease_owner == self.owner:
                continue
            if lease_expired(d, now) or owner_gone(d.lease_owner):
                log.warning("handoff delivery to %s was interrupted; resolving", d.destination)
                resolved = recover(d, now)
                if self._archive.claim_delivery(d, resolved):  # unless its owner finished meanwhile
                    self._notify(resolved)

    def run_once(self, now: datetime | None = None) -> datetime | None:
        """The outbox worker's one entry point for every runtime: resolve sends whose owner died, send what
        is due (in order per destination), and return when to call again (None: nothing waits; call again
        when a note is stored, also by another process)."""
        self.run_due()
        return self.next_wake()

    def run_due(self) -> list[Delivery]:
        """One pass over every due delivery; returns their new states."""
        with self._run_lock:
            self.recover()
            out: list[Delivery] = []
            tried: set[tuple[str, str]] = set()
            while True:  # a sent note lets the next one to its destination go, in the same pass
                due = [
                    d
                    for d in in_order(self._archive.open_deliveries())
                    if is_due(d, self._now())
                    and (d.note_id, d.destination) not in tried
                    and not self.held_elsewhere(d, self._now())
                ]
                if not due:
                    return out
                for d in due:
                    tried.add((d.note_id, d.destination))
                    out.append(self._step(d))

    def _step(self, d: Delivery) -> Delivery:
        sender = self._senders.get(d.service)
        note = self._archive.get(d.note_id)
        now = self._now()
        if sender is None:
            if d.status is DeliveryStatus.CHECKING:
                return self._save(checked(d, now, found=None, history_available=False))
            return self._save(failed(d, now, f"no {d.service} account is set up", permanent=True))
        if d.status is DeliveryStatus.CHECKING:
            try:
                found = sender.find(note, d)
            except ServiceError as e:  # offline: look again later, never resend meanwhile
                return self._save(check_later(d, self._now(), e.message))
            except HistoryUnavailable as e:
                log.warning("cannot check %s for an interrupted handoff message: %s", d.destination, e)
                return self._save(checked(d, self._now(), found=None, history_available=False))
            return self._save(checked(d, self._now(), found=found, history_available=True))
        started = leased(begin_send(d, now), self.owner, now)
        if not self._archive.claim_delivery(d, started):  # durable before the request leaves, and ours alone
            log.info("handoff to %s is being handled by another traystatus process", d.destination)
            return next((x for x in self._archive.deliveries(d.note_id) if x.destination == d.destination), d)
        d = started
        self._notify(d)
        try:
            remote = sender.send(note, d)
        except NotSent as e:
            log.warning("handoff to %s not sent: %s", d.destination, e.error)
            if e.rate_limited and e.retry_after is not None:
                return self._save(rate_limited(d, self._now(), e.error, e.retry_after))
            return self._save(failed(d, self._now(), e.error, retry_after=e.retry_after, permanent=e.permanent))
        except MaybeSent as e:
            log.warning("handoff to %s may have been sent: %s", d.destination, e)
            return self._save(interrupted(d, self._now(), str(e)))
        saved = self._save(succeeded(d, self._now(), remote))
        log.info("handoff note %s delivered to %s", d.note_id, d.destination)  # once it is on record
        return saved

    def retry(self, note_id: str, destination: str) -> None:
        """The user's "Retry": allowed for failed and uncertain deliveries."""
        for d in self._archive.deliveries(note_id):
            if d.destination == destination:
                self._save(retry_now(d, self._now()))
        self._wake.set()

    def mark_sent(self, note_id: str, destination: str) -> None:
        """The user's "Mark as sent" for a delivery that may have been posted: it is there, never resend."""
        for d in self._archive.deliveries(note_id):
            if d.destination == destination:
                self._save(mark_sent(d, self._now()))
        self._wake.set()

    def retry_failed_now(self) -> None:
        """Retry every failed delivery now (``notes deliver``): uncertain ones still wait for the user."""
        for d in self._archive.open_deliveries():
            if d.status is DeliveryStatus.FAILED:
                self._save(retry_now(d, self._now()))
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="handoff-delivery", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        failure = ""  # the last pass's error: a damaged or full archive is said once, not once a minute
        while not self._stop.is_set():
            try:
                self.run_due()
                open_now = self._archive.open_deliveries()
                when = next_wakeup(open_now, owner=self.owner)
            except Exception as e:
                open_now = []
                what = f"{e.title}: {e.message}" if isinstance(e, TrayStatusError) else f"{type(e).__name__}: {e}"
                if what != failure:
                    if isinstance(e, TrayStatusError):  # its own words say what to do: no traceback
                        log.error("handoff delivery pass failed; trying again in a minute: %s", what)
                    else:
                        log.exception("handoff delivery pass failed; trying again in a minute")
                failure = what
                when = self._now() + timedelta(minutes=1)
            else:
                if failure:
                    log.info("handoff delivery works again")
                failure = ""
            # Nothing due: sleep long (this process wakes the loop for its own notes; the long wait only picks
            # up notes another traystatus process stored and could not deliver).
            wait = IDLE_WAIT_S if when is None else max(0.05, min(60.0, (when - self._now()).total_seconds()))
            if any(self.held_elsewhere(d, self._now()) and owner_on_this_host(d.lease_owner) for d in open_now):
                wait = min(wait, LOCAL_OWNER_RECHECK_S)
            self._wake.wait(wait)
            self._wake.clear()

    def deliver(
        self, *, max_passes: int = 50, give_up_after: float = 5.0, sleep: Callable[[float], None] | None = None
    ) -> list[Delivery]:
        """Deliver until nothing is due soon (CLI): waits out retries shorter than ``give_up_after`` seconds,
        and a send another live process is making right now (up to :data:`FOREIGN_SEND_WAIT_S`), so what the
        CLI reports, and a sign-off after it, follow the note's true state."""
        sleeper = sleep or self._stop.wait
        rate_limit_budget = CLI_RATE_LIMIT_WAIT_S
        foreign_deadline = time.monotonic() + FOREIGN_SEND_WAIT_S
        passes = 0
        while passes < max_passes:
            self.run_due()
            waiting = in_order(self._archive.open_deliveries())
            now = self._now()
            if any(d.status is DeliveryStatus.IN_FLIGHT and self.held_elsewhere(d, now) for d in waiting):
                if time.monotonic() > foreign_deadline:
                    break
                sleeper(FOREIGN_SEND_POLL_S)  # its owner answers soon: a request times out within 15 s
                continue
            passes += 1
            when = next_wakeup(waiting, owner=self.owner)
            if when is None:
                break
            wait = (when - now).total_seconds()
            limited = any(is_rate_limited(x) for x in waiting)
            if wait > (rate_limit_budget if limited else give_up_after):
                break
            if limited:
                rate_limit_budget -= max(0.0, wait)
            sleeper(max(0.0, wait))
        return self._archive.open_deliveries()
