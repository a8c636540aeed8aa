"""The real clock: the only place that reads the system time (core receives ``now`` from here)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """:class:`traystatus.core.ports.Clock` backed by the system's wall clock."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC, to the microsecond."""
        return datetime.now(UTC)
