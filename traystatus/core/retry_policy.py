"""One retry policy for every network client: honour a server's ``Retry-After`` within a cap, back off
exponentially with jitter when it gives none (or one that cannot be read), for Slack, Matrix and calendars.

Pure: the caller passes ``now`` and the jitter fraction (random in a client's own retries; derived from the
account in reconcile, so passes stay reproducible while two accounts or users do not retry in step).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

#: The longest traystatus waits because a server asked it to: a status a day late is a wrong status.
RETRY_AFTER_CAP = timedelta(minutes=15)
#: Between passes when a service fails without saying when to come back: 30 s, 1, 2, 4, 8, then 15 min.
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=15)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks for: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).

    None when missing, negative or unreadable, so the caller backs off instead of trusting it; a date in
    the past is 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": RFC 5322's unknown zone; HTTP-dates are GMT
            return None
        return max(0.0, (when - now).total_seconds())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def jitter_fraction(key: str) -> float:
    """A fraction in [0, 1) that is stable for ``key`` (e.g. account + attempt) and differs between keys."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def backoff(attempt: int, *, first: float, maximum: float, fraction: float) -> float:
    """Exponential backoff with "equal jitter": attempt 1 waits between first/2 and first, each later one
    twice as long, never more than ``maximum`` (seconds)."""
    base = min(maximum, first * (1 << min(32, max(0, attempt - 1))))
    return base / 2 + base / 2 * min(max(fraction, 0.0), 1.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryWait:
    """How long to wait before the next attempt, and what the server asked for when more than the cap."""

    delay: timedelta
    asked: timedelta | None = None  # set only when the server asked for more than the cap

    @property
    def note(self) -> str:
        """What to tell the user when the wait was capped ("" otherwise)."""
        if self.asked is None:
            return ""
        return (
            f"the service asked to wait {_human(self.asked)}; traystatus tries again in {_human(self.delay)} "
            "(the longest it waits)"
        )


def wait_before_retry(retry_after: float | None, failures: int, key: str) -> RetryWait:
    """The wait after the ``failures``-th failure in a row: the server's ``retry_after`` (capped at
    :data:`RETRY_AFTER_CAP`), else exponential backoff with jitter from 30 s to 15 min.

    From the second failure in a row the backoff is also the least wait: a server that keeps answering
    429 with ``Retry-After: 0`` (or 1) is not obeyed into a loop of a call a second.
    """
    fallback = timedelta(
        seconds=round(
            backoff(
                failures,
                first=BACKOFF_FIRST.total_seconds(),
                maximum=BACKOFF_MAX.total_seconds(),
                fraction=jitter_fraction(f"{key}#{failures}"),
            ),
            3,
        )
    )
    if retry_after is None:
        return RetryWait(delay=fallback)
    asked = timedelta(seconds=max(1.0, retry_after))
    if asked > RETRY_AFTER_CAP:
        return RetryWait(delay=RETRY_AFTER_CAP, asked=asked)
    return RetryWait(delay=max(asked, fallback) if failures >= 2 else asked)


def _human(d: timedelta) -> str:
    s = int(d.total_seconds())
    if s >= 3600:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    if s >= 60:
        return f"{s // 60} min"
    return f"{s} s"
