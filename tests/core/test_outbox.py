"""The delivery state machine: retries with backoff, stable Matrix txn ids, Slack never blindly resent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from traystatus.core.outbox import (
    BACKOFF_MAX,
    LEASE,
    DeliveryStatus,
    begin,
    check_later,
    checked,
    describe,
    failed,
    interrupted,
    is_due,
    leased,
    new_deliveries,
    next_wakeup,
    recover,
    reserved,
    retry_now,
    succeeded,
    txn_id_for,
)

NOW = datetime(2026, 11, 24, 16, tzinfo=UTC)


def test_txn_id_is_stable_per_note_and_destination() -> None:
    a = txn_id_for("n1", "matrix:!r:x")
    assert a == txn_id_for("n1", "matrix:!r:x") != txn_id_for("n2", "matrix:!r:x") != txn_id_for("n1", "matrix:!s:x")
    (d,) = new_deliveries("n1", ["matrix:!r:x", "matrix:!r:x"], NOW)
    assert d.txn_id == a and d.status is DeliveryStatus.PENDING and is_due(d, NOW)


def test_success_and_backoff() -> None:
    (d,) = new_deliveries("n1", ["slack:#t"], NOW)
    d = begin(d, NOW)
    assert d.status is DeliveryStatus.IN_FLIGHT and d.attempts == 1 and not is_due(d, NOW)
    f = failed(d, NOW, "HTTP 500")
    assert f.next_attempt == NOW + timedelta(seconds=10) and not is_due(f, NOW) and is_due(f, f.next_attempt)
    f2 = failed(begin(f, f.next_attempt), f.next_attempt, "HTTP 500")  # type: ignore[arg-type]
    assert f2.attempts == 2 and f2.next_attempt - f.next_attempt == timedelta(seconds=20)  # type: ignore[operator]
    assert failed(f, NOW, "429", retry_after=120).next_attempt == NOW + timedelta(seconds=120)
    # a day-long Retry-After would hold a handoff note back a day: capped like every other client's wait
    assert failed(f, NOW, "429", retry_after=86400).next_attempt == NOW + timedelta(minutes=15)
    late = failed(replace(f, attempts=30), NOW, "x")
    assert late.next_attempt == NOW + BACKOFF_MAX
    perm = failed(d, NOW, "channel_not_found", permanent=True)
    assert perm.next_attempt is None and not is_due(perm, NOW + timedelta(days=9)) and perm.retryable_by_user
    ok = succeeded(d, NOW, "1700000000.000100")
    assert ok.status is DeliveryStatus.SENT and not is_due(ok, NOW) and retry_now(ok, NOW) == ok
    assert next_wakeup([ok, f]) == f.next_attempt


def test_interrupted_matrix_is_retried_with_the_same_txn() -> None:
    (d,) = new_deliveries("n1", ["matrix:!r:x"], NOW)
    r = recover(begin(d, NOW), NOW)
    assert r.status is DeliveryStatus.PENDING and r.txn_id == d.txn_id and is_due(r, NOW)
    t = interrupted(begin(d, NOW), NOW, "timeout")
    assert t.status is DeliveryStatus.FAILED and not is_due(t, NOW)


def test_interrupted_slack_is_checked_never_blindly_resent() -> None:
    (d,) = new_deliveries("n1", ["slack:#t"], NOW)
    r = recover(begin(d, NOW), NOW)
    assert r.status is DeliveryStatus.CHECKING and is_due(r, NOW)
    with pytest.raises(ValueError, match="not due"):
        begin(r, NOW)  # a send may not start before the history was checked
    assert checked(r, NOW, found="123.4", history_available=True).status is DeliveryStatus.SENT
    assert checked(r, NOW, found=None, history_available=True).status is DeliveryStatus.PENDING
    u = checked(r, NOW, found=None, history_available=False)
    assert u.status is DeliveryStatus.UNCERTAIN and not is_due(u, NOW + timedelta(days=1))
    assert "may have been posted" in describe(u)
    assert retry_now(u, NOW).status is DeliveryStatus.PENDING  # only on the user's word
    assert interrupted(begin(d, NOW), NOW, "timeout").status is DeliveryStatus.CHECKING
    later = check_later(r, NOW, "offline")
    assert later.status is DeliveryStatus.CHECKING and not is_due(later, NOW) and is_due(later, later.next_attempt)
    assert next_wakeup([later]) == later.next_attempt
    with pytest.raises(ValueError, match="not being checked"):
        check_later(u, NOW, "x")


def test_a_delivery_another_process_holds_counts_at_its_leases_end() -> None:
    """A running service must look again when another process's lease ends (its owner may be gone), and must
    not spin on a note the CLI reserved (due now, but not this worker's to send while the lease runs)."""
    (mine,) = new_deliveries("n1", ["slack:#a"], NOW)
    (theirs,) = new_deliveries("n2", ["slack:#b"], NOW)
    (sending,) = new_deliveries("n3", ["matrix:!r:x"], NOW)
    held = reserved(theirs, "host:1:cli", NOW)
    in_flight = leased(begin(sending, NOW), "host:1:cli", NOW)
    assert held.status is DeliveryStatus.PENDING and held.lease_until == NOW + LEASE
    assert next_wakeup([held, in_flight], owner="host:2:tray") == NOW + LEASE
    assert next_wakeup([held, in_flight], owner="host:1:cli") == NOW  # its own: due now
    assert next_wakeup([held, in_flight]) == NOW  # no owner given: as before
    assert next_wakeup([mine, held], owner="host:2:tray") == NOW
    assert reserved(in_flight, "host:2:tray", NOW) == in_flight  # only a pending one can be reserved
    done = succeeded(in_flight, NOW, "$e")
    assert done.lease_owner == "" and done.lease_until is None
