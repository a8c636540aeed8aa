"""An in-memory chat account that records every call: for tests and the tray's ``--demo`` mode."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from traystatus.core.errors import ServiceError
from traystatus.core.publishing import (
    MATRIX_TRAITS,
    SLACK_TRAITS,
    Observed,
    Operation,
    OpKind,
    Service,
    Traits,
)


@dataclass(slots=True)
class ShownState:
    """What the fake service shows, as a person looking at it would see it."""

    text: str = ""
    emoji: str = ""
    message: str = ""
    expires_at: datetime | None = None
    away: bool = False
    dnd_on: bool = False
    dnd_until: datetime | None = None


@dataclass(slots=True)
class RecordingStatusPublisher:
    """A ``StatusPublisher`` that applies operations to :class:`ShownState` and records them.

    ``failures`` is a queue of errors the next calls raise (reads included), to play faults.
    """

    service_kind: Service = Service.SLACK
    account_id: str = "slack:demo"
    shown: ShownState = field(default_factory=ShownState)
    calls: list[tuple[datetime | None, str, Operation | None]] = field(default_factory=list)
    failures: list[ServiceError] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def account(self) -> str:
        return self.account_id

    @property
    def service(self) -> Service:
        return self.service_kind

    @property
    def traits(self) -> Traits:
        return SLACK_TRAITS if self.service_kind is Service.SLACK else MATRIX_TRAITS

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def observe(self, *, dnd: bool = True) -> Observed:
        with self._lock:
            self.calls.append((None, "observe", None))
            self._maybe_fail()
            s = self.shown
            return Observed(
                text=s.text, emoji=s.emoji, message=s.message, expires_at=s.expires_at, dnd_on=s.dnd_on if dnd else None
            )

    def send(self, op: Operation, now: datetime) -> None:
        with self._lock:
            self._maybe_fail()
            self.calls.append((now, str(op.kind), op))
            s = self.shown
            if op.kind is OpKind.SET_STATUS:
                s.text, s.emoji, s.expires_at = op.text, op.emoji, op.expires_at
            elif op.kind is OpKind.SET_PRESENCE:
                s.away = op.away
                if op.carries_status:
                    s.message = op.message
            elif op.kind is OpKind.SET_DND:
                s.dnd_on, s.dnd_until = True, op.until
            else:
                s.dnd_on, s.dnd_until = False, None

    def describe_call(self, op: Operation, now: datetime) -> str:
        return f"{self.service_kind} (simulated): {op.describe()}"

    def expire(self, now: datetime) -> None:
        """Do what the real service does on its own as time passes (status expiry, snooze end)."""
        with self._lock:
            s = self.shown
            if s.expires_at is not None and s.expires_at <= now:
                s.text, s.emoji, s.expires_at = "", "", None
            if s.dnd_until is not None and s.dnd_until <= now:
                s.dnd_on, s.dnd_until = False, None

    def writes(self) -> list[tuple[datetime | None, str, Operation | None]]:
        return [c for c in self.calls if c[1] != "observe"]

    def set_by_hand(self, text: str, emoji: str = "", message: str = "") -> None:
        with self._lock:
            self.shown.text, self.shown.emoji, self.shown.expires_at = text, emoji, None
            self.shown.message = message or text
