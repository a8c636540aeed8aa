"""The real clock: the only place that reads the system time (core receives ``now`` from here)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current instant, aware, in UTC: the one place traystatus reads the wall clock."""
    return datetime.now(UTC)


class SystemClock:
    """:class:`traystatus.core.ports.Clock` backed by the system's wall clock."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC, to the microsecond."""
        return utc_now()
