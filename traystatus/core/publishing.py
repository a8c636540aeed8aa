"""The ``StatusPublisher`` port and its value objects: operations sent to a service, what it shows, what we applied."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Service(enum.StrEnum):
    SLACK = "slack"
    MATRIX = "matrix"


class OpKind(enum.StrEnum):
    SET_STATUS = "set_status"  # Slack users.profile.set (text, emoji, expiration); clear = both ""
    SET_PRESENCE = "set_presence"  # Slack users.setPresence; Matrix PUT presence (+ status_msg)
    SET_DND = "set_dnd"  # Slack dnd.setSnooze; Matrix enable the master push rule
    END_DND = "end_dnd"  # Slack dnd.endSnooze; Matrix disable the master push rule


@dataclass(frozen=True, slots=True, kw_only=True)
class Traits:
    """What a service can do, so reconcile plans only calls that exist there."""

    separate_status: bool  # True: status is its own call (Slack); False: status rides on presence (Matrix)
    status_expiry: bool  # the service clears the status itself at ``expires_at``
    dnd_max: timedelta | None  # longest DND the service grants in one call (None: no limit, no expiry)
    presence_needs_status: bool  # a presence write replaces the status message too (Matrix)
    presence: bool = True  # False: presence cannot be set (Matrix presence disabled; Slack token lacks users:write)
    dnd: bool = True  # False: Do Not Disturb cannot be set (Slack token lacks dnd:write)
    why_not: str = ""  # what the user can do about a capability that is off (shown on every pass)


SLACK_TRAITS = Traits(
    separate_status=True, status_expiry=True, dnd_max=timedelta(hours=24), presence_needs_status=False
)
MATRIX_TRAITS = Traits(separate_status=False, status_expiry=False, dnd_max=None, presence_needs_status=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    """One call to make. ``message`` is the one-line status for services without an emoji field."""

    kind: OpKind
    text: str = ""
    emoji: str = ""
    message: str = ""
    expires_at: datetime | None = None
    until: datetime | None = None  # SET_DND: snooze/rule until then
    away: bool = False
    span_end: datetime | None = None  # SET_DND: the end of the span the DND is for (until may be capped)
    carries_status: bool = False  # SET_PRESENCE on Matrix: the status message rides along
    keeps_manual: bool = False  # ... and it is the user's own message, sent back unchanged

    def describe(self, tz: tzinfo | None = None) -> str:
        """One line for people; times in ``tz`` (default UTC)."""

        def when(moment: datetime) -> str:
            return f"{moment.astimezone(tz or UTC):%a %H:%M %Z}"

        if self.kind is OpKind.SET_STATUS:
            if not (self.text or self.emoji):
                return "clear status"
            exp = f" until {when(self.expires_at)}" if self.expires_at else ""
            return f"set status {self.emoji} {self.text!r}{exp}".replace("  ", " ")
        if self.kind is OpKind.SET_PRESENCE:
            msg = f" with message {self.message!r}" if self.carries_status else ""
            return f"set presence {'away' if self.away else 'auto/online'}{msg}"
        if self.kind is OpKind.SET_DND:
            end = self.until or self.span_end
            return f"do not disturb until {when(end)}" if end else "do not disturb"
        return "end do not disturb"


@dataclass(frozen=True, slots=True, kw_only=True)
class Observed:
    """What the service shows right now (read only when ownership must be checked)."""

    text: str = ""
    emoji: str = ""
    message: str = ""  # Matrix status_msg
    expires_at: datetime | None = None  # Slack status_expiration (None: never)
    dnd_on: bool | None = None  # Matrix: the master push rule is enabled; Slack: a snooze is running


@dataclass(frozen=True, slots=True, kw_only=True)
class Applied:
    """What traystatus knows it set on one account (persisted in the state dir)."""

    text: str = ""
    emoji: str = ""
    message: str = ""
    expires_at: datetime | None = None
    status_known: bool = False  # False after a fresh start: the service must be read first
    away: bool | None = None  # None: unknown
    dnd_until: datetime | None = None  # the DND end we asked for (None: we hold no DND)
    dnd_effective: datetime | None = None  # when the service will end it by itself (Slack's cap)
    dnd_was_on_before: bool = False  # Matrix: the master rule was already on; leave it on after
    hands_off: str = ""  # we declined to write this desired status: one set by hand (or a huddle) was shown
    manual_message: str = ""  # Matrix: the user's own status_msg, kept when presence must change
    updated_at: datetime | None = None  # when this record was last reconciled (detects the clock going back)

    def shown(self, now: datetime) -> tuple[str, str]:
        """The (text, emoji) we set that the service still shows (an expired status is gone)."""
        if self.expires_at is not None and self.expires_at <= now:
            return ("", "")
        return (self.text, self.emoji)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryState:
    failures: int = 0
    retry_at: datetime | None = None
    last_error: str = ""
    needs_action: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownLimits:
    """What a sync found an account cannot do (presence disabled on the homeserver, a Slack scope missing),
    kept with the account's state so ``traystatus status`` — another process, which calls no service — can
    say it instead of listing calls that will not happen."""

    presence: bool = True
    dnd: bool = True
    why_not: str = ""
    found_at: datetime | None = None

    @property
    def any(self) -> bool:
        return not (self.presence and self.dnd)


def learn_limits(known: KnownLimits, traits: Traits, sent: Sequence[Operation], now: datetime) -> KnownLimits:
    """After a sending pass: a capability the publisher found off is off; one a call of this pass just used
    works again (a fixed server, a new token); otherwise what was known stays (a new process's publisher
    only learns by trying)."""
    kinds = {op.kind for op in sent}
    presence = traits.presence and (known.presence or OpKind.SET_PRESENCE in kinds)
    dnd = traits.dnd and (known.dnd or bool(kinds & {OpKind.SET_DND, OpKind.END_DND}))
    if presence and dnd:
        return KnownLimits()
    if (presence, dnd) == (known.presence, known.dnd) and known.found_at is not None:
        return dataclasses.replace(known, why_not=traits.why_not or known.why_not)
    return KnownLimits(presence=presence, dnd=dnd, why_not=traits.why_not or known.why_not, found_at=now)


def with_limits(traits: Traits, known: KnownLimits) -> Traits:
    """A publisher's traits narrowed by what an earlier sync found (for planning without calling the service)."""
    if not known.any:
        return traits
    return dataclasses.replace(
        traits,
        presence=traits.presence and known.presence,
        dnd=traits.dnd and known.dnd,
        why_not=traits.why_not or known.why_not,
    )


class StatusPublisher(Protocol):
    """One chat account: reads what it shows and sends operations. Raises ``ServiceError``."""

    @property
    def account(self) -> str:
        """A stable id like ``slack:T0123`` or ``matrix:@me:example.org`` (never a secret)."""
        ...

    @property
    def service(self) -> Service: ...

    @property
    def traits(self) -> Traits: ...

    def observe(self, *, dnd: bool = True) -> Observed:
        """What the account shows; ``dnd=False``: the DND state is not needed (``dnd_on`` may be None)."""
        ...

    def send(self, op: Operation, now: datetime) -> None: ...

    def describe_call(self, op: Operation, now: datetime) -> str:
        """The exact API call ``send(op, now)`` would make, for ``apply --dry-run`` (never a secret)."""
        ...
