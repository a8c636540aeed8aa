"""Ports shared across features: the clock, secrets and calendar sources (feature ports live with their feature)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from traystatus.core.availability import AvailabilityComponent
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import CalendarEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, an aware datetime in UTC."""
        ...


class SecretStore(Protocol):
    """The OS keyring (service ``traystatus``) or the environment for headless use."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def delete(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarResult:
    """What one source yielded for a window: events, or the last good copy marked stale, or an error."""

    source: str  # display name, never a secret URL
    events: tuple[CalendarEvent, ...] = ()
    error: TrayStatusError | None = None
    fetched_at: datetime | None = None  # when the data in ``events`` was fetched
    stale: bool = False  # True when the latest fetch failed and ``events`` is the last good copy
    warnings: tuple[str, ...] = ()
    #: RFC 7953 availability (working hours) the calendar holds, expanded over the window
    availability: tuple[AvailabilityComponent, ...] = ()


class CalendarSource(Protocol):
    name: str

    def load(self, start: datetime, end: datetime) -> CalendarResult:
        """Occurrences overlapping [start, end); never raises for a bad feed (see ``error``)."""
        ...
