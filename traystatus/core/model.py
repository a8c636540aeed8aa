"""Value objects shared by every layer: calendar events, availability states and intervals, overrides."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class EventKind(enum.StrEnum):
    """What an event means for availability, after classification."""

    IGNORED = "ignored"  # cancelled, declined
    FREE = "free"  # transparent / busy-status FREE: no effect
    MEETING = "meeting"
    FOCUS = "focus"
    OOO = "ooo"


class State(enum.StrEnum):
    """The user's availability; precedence: override > ooo > focus > meeting > available > break > off_hours."""

    AVAILABLE = "available"
    MEETING = "meeting"
    FOCUS = "focus"
    OOO = "ooo"
    OFF_HOURS = "off_hours"
    BREAK = "break"  # a short gap between two working blocks of one day: back later today


class Privacy(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"  # CLASS:PRIVATE or CONFIDENTIAL: the title never leaves the machine, never shown


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarEvent:
    """One occurrence of an event, already expanded from its recurrence rule.

    ``start``/``end`` are aware datetimes. All-day events carry ``all_day=True`` and
    start/end at local midnight in the user's zone (end exclusive).
    """

    uid: str
    start: datetime
    end: datetime
    title: str = ""
    all_day: bool = False
    source: str = ""  # the source's display name (never a secret URL)
    status: str = ""  # STATUS: CONFIRMED | TENTATIVE | CANCELLED | ""
    transparent: bool = False  # TRANSP:TRANSPARENT
    busy_status: str = ""  # X-MICROSOFT-CDO-BUSYSTATUS: FREE | TENTATIVE | BUSY | OOF | ""
    privacy: Privacy = Privacy.PUBLIC
    partstat: str = ""  # the configured user's PARTSTAT when they are an attendee (ACCEPTED, DECLINED, …)
    recurrence_id: datetime | None = None
    warnings: tuple[str, ...] = ()  # e.g. unknown TZID read in the user's zone

    @property
    def display_title(self) -> str:
        """The title as it may be shown anywhere: private events are never named."""
        return "Private event" if self.privacy is Privacy.PRIVATE else (self.title or "(no title)")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifiedEvent:
    event: CalendarEvent
    kind: EventKind
    rule: str  # why: e.g. "BUSYSTATUS:OOF", "title matches 'vacation'", "timed busy event"


@dataclass(frozen=True, slots=True, kw_only=True)
class Override:
    """A manual override: from the tray or CLI, it wins over everything until it ends."""

    state: State
    start: datetime
    end: datetime
    reason: str = "manual override"
    paused: bool = False  # "pause syncing": the timeline is unchanged but nothing is sent
    choice: str = ""  # the menu/CLI choice that made it (core.overrides.Choice value): shown as checked


@dataclass(frozen=True, slots=True, kw_only=True)
class Availability:
    """One interval of the timeline: ``state`` holds on [start, end).

    ``until`` is what the user's status should announce: the end of the merged span, or for
    ``ooo``/``off_hours``/``break`` the moment the user is next back at work. ``reason`` says why
    (an event's display title and rule, or the working-hours rule). ``event_titles`` holds
    the display titles of the events behind the interval (private ones already replaced).
    """

    start: datetime
    end: datetime
    state: State
    until: datetime
    reason: str
    event_titles: tuple[str, ...] = ()
    overridden: bool = False
