"""What a long-lived connection to a chat service learns while the app runs, as plain data and ports.

A Matrix presence only stays true while a device of the user keeps syncing (docs/matrix.md), so the
runtimes hand every pass's desired status to the publishers that *hold* presence (``PresenceKeeper``).
The same connection sees the user's presence as the server merges it over all their devices, teammates'
presence in shared rooms and push-rule changes made elsewhere: ``LivePresence`` serves that to later
features (the team clock) without a second connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from traystatus.core.status_map import DesiredStatus

OTHER_SESSION = "Matrix shows you online: another session is active"


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceSighting:
    """One person's presence as the homeserver last told it."""

    user_id: str
    presence: str  # online | unavailable | offline
    status_msg: str = ""
    currently_active: bool | None = None
    seen_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveState:
    """What the connection knows now. ``desired`` is the presence traystatus holds ("" before the first pass)."""

    desired: str = ""
    desired_since: datetime | None = None  # when traystatus started holding ``desired``
    own: PresenceSighting | None = None  # the user as the server shows them to others (all devices merged)
    teammates: tuple[PresenceSighting, ...] = ()
    push_rules_changed_at: datetime | None = None  # the last push-rule change seen (made here or elsewhere)
    problem: str = ""  # why presence is not being held right now ("" when it is)
    connected: bool = False  # the last request reached the homeserver
    reported: str = ""  # a process without the connection: the note the running traystatus keeps

    @property
    def other_session_active(self) -> bool:
        """The server shows the user more online than traystatus holds: another device of theirs is syncing.
        Only a sighting newer than the change counts (the one before it is the old state)."""
        own, since = self.own, self.desired_since
        return (
            self.desired in ("unavailable", "offline")
            and own is not None
            and own.presence == "online"
            and (since is None or own.seen_at > since)
        )

    @property
    def note(self) -> str:
        """The one line to show the user ("" when presence is held as the calendar says)."""
        if self.problem or self.reported:
            return self.problem or self.reported
        if self.other_session_active:
            return f"{OTHER_SESSION}; your status message still says what the calendar says"
        return ""


@runtime_checkable
class PresenceKeeper(Protocol):
    """A publisher whose presence must be held while the app runs (Matrix): told the desired status every pass."""

    def hold(self, desired: DesiredStatus) -> None: ...

    def live(self) -> LiveState: ...

    def close(self) -> None: ...


class LivePresence(Protocol):
    """Teammates' live presence and the user's own, as the one long-lived connection learns it."""

    def live(self) -> LiveState: ...


def hold_all(publishers: Iterable[object], desired: DesiredStatus) -> None:
    """Tell every presence keeper among ``publishers`` what to hold (the others ignore it)."""
    for p in publishers:
        if isinstance(p, PresenceKeeper):
            p.hold(desired)


def live_note(publisher: object) -> str:
    """What the user must know about a publisher's held presence ("" for none, or a non-keeper)."""
    return publisher.live().note if isinstance(publisher, PresenceKeeper) else ""


def close_all(publishers: Iterable[object]) -> None:
    """Stop every keeper's connection (quit, reload, end of `run --headless`)."""
    for p in publishers:
        if isinstance(p, PresenceKeeper):
            p.close()


class PresenceDuty:
    """The keepers' connections as a background duty (``core.duties``): each starts on its first pass (it needs
    the desired presence); ``stop`` ends them all when the runtime stops. ``publishers`` returns the current
    pipeline's (the tray rebuilds it on a settings change and closes the old one's itself)."""

    name = "matrix presence"

    def __init__(self, publishers: Callable[[], Iterable[object]]) -> None:
        self._publishers = publishers

    def start(self, jobs: object) -> None:
        pass

    def trigger(self, reason: str) -> None:
        pass

    def stop(self) -> None:
        close_all(self._publishers())
