"""Handoff delivery as a pure state machine: one :class:`Delivery` per note and destination.

pending → in_flight → sent | failed (retry at ``next_attempt``). A Matrix send is safe to repeat
(stable transaction id); a Slack send is not: an interrupted one becomes ``checking`` and is resolved
from the channel's history, or ``uncertain`` (only the user may resend it) when that is impossible.

A send in flight holds a lease (``lease_owner`` until ``lease_until``): another process never takes it
over while the lease runs, only after it expired (or its owner is known to be gone); a note stored by
``traystatus handoff`` is reserved the same way while that process sends it. A rate limit (429) is no
failed attempt: the delivery waits what the server asked and keeps its backoff.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from traystatus.core.retry_policy import RETRY_AFTER_CAP

BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
# How long a send may take before another process may assume its owner died: the senders' request
# timeout (15 s) several times over, so a slow but live send is never taken over.
LEASE = timedelta(minutes=2)
RATE_LIMIT_MAX = timedelta(minutes=15)  # a larger Retry-After is capped (and the wait is shown)
RATE_LIMITED = "rate limited, waiting as the server asked: "


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
    lease_owner: str = ""  # the process sending it ("host:pid:start") while in flight
    lease_until: datetime | None = None

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


def next_wakeup(deliveries: Sequence[Delivery], *, owner: str | None = None) -> datetime | None:
    """When the next of these (oldest note first) is due; one held back behind an earlier note to the
    same destination does not count (it goes when that one is sent).

    With ``owner`` (the asking worker), a delivery another process holds (sending it, or about to) counts
    at its lease's end: then its owner may be gone and the delivery is this worker's to finish."""
    times = []
    for d in in_order(deliveries):
        foreign_until = d.lease_until if held_by_other(d, owner) else None
        if d.status is DeliveryStatus.IN_FLIGHT:
            if foreign_until is not None:
                times.append(foreign_until)
        elif (
            d.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.CHECKING)
            and d.next_attempt is not None
        ):
            times.append(d.next_attempt if foreign_until is None else max(d.next_attempt, foreign_until))
    return min(times, default=None)


def held_by_other(d: Delivery, owner: str | None, now: datetime | None = None) -> bool:
    """Does another process hold ``d`` (its lease names someone else and, given ``now``, still runs)?"""
    if owner is None or d.lease_owner in ("", owner):
        return False
    return now is None or (d.lease_until is not None and d.lease_until > now)


def reserved(d: Delivery, owner: str, now: datetime) -> Delivery:
    """A pending delivery the process that stored it is about to send (``traystatus handoff``): others
    leave it alone while the lease runs or its owner lives, so a running service never races the CLI, and
    take it over when the owner died before sending it."""
    if d.status is not DeliveryStatus.PENDING:
        return d
    return replace(d, lease_owner=owner, lease_until=now + LEASE)


def begin(d: Delivery, now: datetime) -> Delivery:
    """Record the send *before* making it, so a crash mid-send is known on restart."""
    if not is_due(d, now) or d.status is DeliveryStatus.CHECKING:
        raise ValueError(f"delivery to {d.destination} is {d.status}, not due")
    return replace(d, status=DeliveryStatus.IN_FLIGHT, attempts=d.attempts + 1, started=now, updated=now)


def leased(d: Delivery, owner: str, now: datetime) -> Delivery:
    """``d`` (just begun) held by ``owner`` until ``now + LEASE``."""
    return replace(d, lease_owner=owner, lease_until=now + LEASE)


def lease_expired(d: Delivery, now: datetime) -> bool:
    """May another process treat this in-flight send as crashed? Only once its lease ran out (a delivery
    written before leases existed has none: it was left by a crash)."""
    return d.status is DeliveryStatus.IN_FLIGHT and (d.lease_until is None or d.lease_until <= now)


def rate_limited(d: Delivery, now: datetime, error: str, retry_after: float) -> Delivery:
    """The server asked to wait (429): nothing was posted, so the attempt does not count."""
    wait = min(timedelta(seconds=max(0.0, retry_after)), RATE_LIMIT_MAX)
    return replace(
        d,
        status=DeliveryStatus.PENDING,
        attempts=max(0, d.attempts - 1),
        last_error=f"{RATE_LIMITED}{error}",
        next_attempt=now + wait,
        updated=now,
        lease_owner="",
        lease_until=None,
    )


def is_rate_limited(d: Delivery) -> bool:
    return d.status is DeliveryStatus.PENDING and d.last_error.startswith(RATE_LIMITED)


def in_order(deliveries: Sequence[Delivery]) -> list[Delivery]:
    """The deliveries (oldest note first) that may go now without overtaking an earlier note to the same
    destination: only the first unsent one per destination (a later note waits until it is sent)."""
    seen: set[str] = set()
    out = []
    for d in deliveries:
        if d.status is DeliveryStatus.SENT:
            continue
        if d.destination not in seen:
            out.append(d)
        if d.next_attempt is not None or d.status in (DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT):
            seen.add(d.destination)  # one that waits for the user (next_attempt None) holds nothing back
    return out


def succeeded(d: Delivery, now: datetime, remote_id: str) -> Delivery:
    return replace(
        d,
        status=DeliveryStatus.SENT,
        remote_id=remote_id,
        last_error="",
        next_attempt=None,
        updated=now,
        lease_owner="",
        lease_until=None,
    )


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
    return replace(
        d,
        status=DeliveryStatus.FAILED,
        last_error=error,
        next_attempt=when,
        updated=now,
        lease_owner="",
        lease_until=None,
    )


def interrupted(d: Delivery, now: datetime, error: str) -> Delivery:
    """A send whose outcome is unknown (timeout, connection lost mid-request, crash while in flight).

    Matrix: sending again with the same transaction id cannot duplicate, so it is simply retried.
    Slack: it must be looked up in the channel history first.
    """
    if d.service == "matrix":
        return failed(d, now, error)
    return replace(
        d,
        status=DeliveryStatus.CHECKING,
        last_error=error,
        next_attempt=now,
        updated=now,
        lease_owner="",
        lease_until=None,
    )


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
        return replace(
            d,
            status=DeliveryStatus.PENDING,
            last_error=error,
            next_attempt=now,
            updated=now,
            lease_owner="",
            lease_until=None,
        )
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
            last_error=(
                "the message may have been posted and traystatus cannot read the channel to know; "
                "look in the channel, then Post again or Mark as sent"
            ),
        )
    # Certainly not there: sending again cannot duplicate it.
    return replace(d, status=DeliveryStatus.PENDING, next_attempt=now, updated=now)


def retry_now(d: Delivery, now: datetime) -> Delivery:
    """The user asked to retry (failed) or confirmed it is not in the channel (uncertain)."""
    if d.status in (DeliveryStatus.SENT, DeliveryStatus.IN_FLIGHT):
        return d
    return replace(d, status=DeliveryStatus.PENDING, next_attempt=now, updated=now)


def mark_sent(d: Delivery, now: datetime) -> Delivery:
    """The user looked and the message is there (after "may have been posted"): never post it again."""
    if d.status is not DeliveryStatus.UNCERTAIN:
        return d
    return replace(
        d, status=DeliveryStatus.SENT, last_error="marked as sent by the user", next_attempt=None, updated=now
    )


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
    if is_rate_limited(d) and d.next_attempt is not None:
        text += f" ({d.last_error}; sending at {d.next_attempt:%H:%M:%S} UTC)"
    if d.status is DeliveryStatus.FAILED:
        when = f", retrying at {d.next_attempt:%H:%M:%S} UTC" if d.next_attempt else ", retry when fixed"
        text += f" ({d.last_error}{when})"
    elif d.status is DeliveryStatus.UNCERTAIN:
        text += f" ({d.last_error})"
    return f"{d.destination}: {text}"
