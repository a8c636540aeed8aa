"""The one retry policy: Retry-After read as seconds or an HTTP-date and capped, else backoff with jitter."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from traystatus.core.retry_policy import (
    BACKOFF_MAX,
    RETRY_AFTER_CAP,
    backoff,
    jitter_fraction,
    parse_retry_after,
    wait_before_retry,
)

NOW = datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (format_datetime(NOW + timedelta(minutes=2), usegmt=True), 120.0),
        (format_datetime(NOW - timedelta(minutes=2), usegmt=True), 0.0),  # a date already past: go now
        ("Sun, 29 Mar 2026 01:01:30 GMT", 120.0),
    ],
)
def test_retry_after_seconds_and_http_dates(value: str, seconds: float) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize("value", [None, "", "  ", "-5", "soon", "nan", "inf", "Sun, 99 Foo 2026", "1e999"])
def test_unusable_retry_after_is_none_so_the_caller_backs_off(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_backoff_doubles_with_jitter_and_stays_under_the_maximum() -> None:
    waits = [backoff(n, first=30, maximum=900, fraction=0.999) for n in range(1, 12)]
    assert waits[0] <= 30 and waits[1] <= 60 and waits[2] <= 120
    assert all(w <= 900 for w in waits) and waits[-1] > 890
    assert backoff(1, first=30, maximum=900, fraction=0.0) == 15  # equal jitter: never less than half
    assert backoff(10**6, first=30, maximum=900, fraction=0.5) == 675  # huge counts do not overflow


def test_jitter_is_stable_per_key_and_spreads_accounts() -> None:
    assert jitter_fraction("slack:T1:U1#1") == jitter_fraction("slack:T1:U1#1")
    fractions = {round(jitter_fraction(f"slack:T1:U{i}#1"), 3) for i in range(50)}
    assert len(fractions) > 40 and all(0 <= f < 1 for f in fractions)


def test_a_day_long_retry_after_is_capped_and_said() -> None:
    wait = wait_before_retry(86400, 1, "slack:T:U")
    assert wait.delay == RETRY_AFTER_CAP == timedelta(minutes=15)
    assert wait.asked == timedelta(days=1)
    assert "24 h" in wait.note and "15 min" in wait.note
    short = wait_before_retry(42, 1, "slack:T:U")
    assert short.delay == timedelta(seconds=42) and short.note == ""
    assert wait_before_retry(0, 1, "k").delay == timedelta(seconds=1)  # "0" never becomes a busy loop


def test_no_retry_after_backs_off_from_30_s_to_15_min() -> None:
    delays = [wait_before_retry(None, n, "matrix:@me:example.org").delay for n in range(1, 10)]
    assert timedelta(seconds=15) <= delays[0] <= timedelta(seconds=30)
    assert all(b >= a for a, b in itertools.pairwise(delays[:6]))  # grows while under the cap
    assert max(delays) <= BACKOFF_MAX and delays[-1] >= BACKOFF_MAX / 2


def test_a_short_retry_after_repeated_does_not_make_a_loop() -> None:
    assert wait_before_retry(0, 1, "k").delay == timedelta(seconds=1)  # the first time it is believed
    assert wait_before_retry(0, 2, "k").delay >= timedelta(seconds=15)  # then the backoff is the floor
    assert wait_before_retry(2, 6, "k").delay >= BACKOFF_MAX / 2
    assert wait_before_retry(600, 2, "k").delay == timedelta(minutes=10)  # a longer wait is still honoured
