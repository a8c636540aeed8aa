"""Handoff delivery as a pure state machine: one :class:`Delivery` per note and destination.

pending → in_flight → sent | failed (retry at ``next_attempt``). A Matrix send is safe to repeat
(stable transaction id); a Slack send is not: an interrupted one becomes ``checking`` and is resolved
from the channel's history, or ``uncertain`` (only the user may resend it) when that is impossible.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from traystatus.core.retry_policy import RETRY_AFTER_CAP

BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # not sent yet (or safe to send again)
    IN_FLIGHT = "in_flight"  # a send was started; if we find it like this after a crash, it may have landed
    CHECKING = "checking"  # Slack: look in the channel history before anything else
    SENT = "sent"
    FAILED = "failed"  # will be retried at next_attempt; next_attempt None = needs the user
    UNCERTAIN = "uncertain"  # Slack: may or may not have been posted; never resent without the user


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    note_id: str
    destination: str  # a destination spec, e.g. "slack:#team" or "matrix:!abc:example.org"
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt: datetime | None = None
    last_error: str = ""
    txn_id: str = ""  # Matrix transaction id, stable per note and destination
    remote_id: str = ""  # Slack message ts or Matrix event id once sent
    started: datetime | None = None  # when the last send began (bounds the Slack history search)
    updated: datetime | None = None

    @property
    def service(self) -> str:
        return self.destination.partition(":")[0]

    @property
    def retryable_by_user(self) -> bool:
        return self.status in (DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN)


def txn_id_for(note_id: str, destination: str) -> str:
    """A transaction id that is the same for every retry of this note to this destination."""
    digest = hashlib.sha256(f"{note_id}\n{destination}".encode()).hexdigest()[:32]
    return f"traystatus-{digest}"


def new_deliveries(note_id: str, destinations: Iterable[str], now: datetime) -> tuple[Delivery, ...]:
    return tuple(
        Delivery(note_id=note_id, destination=d, txn_id=txn_id_for(note_id, d), next_attempt=now, updated=now)
        for d in dict.fromkeys(destinations)
    )


def is_due(d: Delivery, now: datetime) -> bool:
    if d.status is DeliveryStatus.CHECKING:
        return d.next_attempt is None or d.next_attempt <= now
    if d.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        return d.next_attempt is not None and d.next_attempt <= now
    return False


def next_wakeup(deliveries: Iterable[Delivery]) -> datetime | None:
    times = [
        d.next_attempt
        for d in deliveries
        if d.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.CHECKING)
        and d.next_attempt is not None
    ]
    return min(times, default=None)


def begin(d: Delivery, now: datetime) -> Delivery:
    """Record the send *before* making it, so a crash mid-send is known on restart."""
    if not is_due(d, now) or d.status is DeliveryStatus.CHECKING:
        raise ValueError(f"delivery to {d.destination} is {d.status}, not due")
    return replace(d, status=DeliveryStatus.IN_FLIGHT, attempts=d.attempts + 1, started=now, updated=now)


def succeeded(d: Delivery, now: datetime, remote_id: str) -> Delivery:
    return replace(d, status=DeliveryStatus.SENT, remote_id=remote_id, last_error="", next_attempt=None, updated=now)


def backoff(attempts: int) -> timedelta:
    delay: timedelta = BACKOFF_FIRST * (2 ** max(0, attempts - 1))
    return min(delay, BACKOFF_MAX)


def failed(
    d: Delivery, now: datetime, error: str, *, retry_after: float | None = None, permanent: bool = False
) -> Delivery:
    """A send that certainly did not land (the server refused or was not reached)."""
    if permanent:
        when = None
    else:
        wait = backoff(d.attempts)
        if retry_after is not None:  # the server's wait, but never more than the policy's cap
            wait = max(wait, min(timedelta(seconds=retry_after), RETRY_AFTER_CAP))
        when = now + wait
    return replace(d, status=DeliveryStatus.FAILED, last_error=error, next_attempt=when, updated=now)


def interrupted(d: Delivery, now: datetime, error: str) -> Delivery:
    """A send whose outcome is unknown (timeout, connection lost mid-request, crash while in flight).

    Matrix: sending again with the same transaction id cannot duplicate, so it is simply retried.
    Slack: it must be looked up in the channel history first.
    """
    if d.service == "matrix":
        return failed(d, now, error)
    return replace(d, status=DeliveryStatus.CHECKING, last_error=error, next_attempt=now, updated=now)


def check_later(d: Delivery, now: datetime, error: str) -> Delivery:
    """The history could not be read right now (offline): look again later, still never resend."""
    if d.status is not DeliveryStatus.CHECKING:
        raise ValueError(f"delivery to {d.destination} is {d.status}, not being checked")
    return replace(d, last_error=error, next_attempt=now + backoff(d.attempts), updated=now)


def recover(d: Delivery, now: datetime) -> Delivery:
    """On start-up: a delivery found in flight was interrupted by a crash or a kill."""
    if d.status is not DeliveryStatus.IN_FLIGHT:
        return d
    error = "interrupted (the app stopped while sending)"
    if d.service == "matrix":  # safe to repeat at once: same transaction id
        return replace(d, status=DeliveryStatus.PENDING, last_error=error, next_attempt=now, updated=now)
    return interrupted(d, now, error)


def checked(d: Delivery, now: datetime, *, found: str | None, history_available: bool) -> Delivery:
    """The Slack history was searched for the message: ``found`` is its ts when it is there."""
    if d.status is not DeliveryStatus.CHECKING:
        raise ValueError(f"delivery to {d.destination} is {d.status}, not being checked")
    if found:
        return succeeded(d, now, found)
    if not history_available:
        return replace(
            d,
            status=DeliveryStatus.UNCERTAIN,
            next_attempt=None,
            updated=now,
            last_error="the message may have been posted; check the channel, then retry if it is not",
        )
    # Certainly not there: sending again cannot duplicate it.
    return replace(d, status=DeliveryStatus.PENDING, next_attempt=now, updated=now)


def retry_now(d: Delivery, now: datetime) -> Delivery:
    """The user asked to retry (failed) or confirmed it is not in the channel (uncertain)."""
    if d.status in (DeliveryStatus.SENT, DeliveryStatus.IN_FLIGHT):
        return d
    return replace(d, status=DeliveryStatus.PENDING, next_attempt=now, updated=now)


def describe(d: Delivery) -> str:
    """A short line for the popup, the history window and the CLI."""
    text = {
        DeliveryStatus.PENDING: "waiting to send",
        DeliveryStatus.IN_FLIGHT: "sending…",
        DeliveryStatus.CHECKING: "checking whether it was posted…",
        DeliveryStatus.SENT: "sent",
        DeliveryStatus.FAILED: "failed",
        DeliveryStatus.UNCERTAIN: "may have been posted",
    }[d.status]
    if d.status is DeliveryStatus.FAILED:
        when = f", retrying at {d.next_attempt:%H:%M:%S} UTC" if d.next_attempt else ", retry when fixed"
        text += f" ({d.last_error}{when})"
    elif d.status is DeliveryStatus.UNCERTAIN:
        text += f" ({d.last_error})"
    return f"{d.destination}: {text}"
