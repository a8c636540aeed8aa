"""The manual choices of the tray menu and CLI (DND, Away, Back, Pause) turned into ``Override`` values.

Pure: ``now`` and the moment "tomorrow" begins are passed in. Overrides end by themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.model import Override, State

DND_REASON = "Do not disturb"
AWAY_REASON = "Away"
PAUSE_REASON = "Syncing paused"


class Choice(enum.StrEnum):
    """One manual choice; the value is stable (used by the CLI and single-instance messages)."""

    DND_30M = "dnd-30m"
    DND_1H = "dnd-1h"
    DND_2H = "dnd-2h"
    DND_TOMORROW = "dnd-tomorrow"
    AWAY = "away"
    BACK = "back"
    PAUSE_1H = "pause-1h"
    PAUSE_TOMORROW = "pause-tomorrow"


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceSpec:
    choice: Choice
    label: str  # what the menu says
    group: str  # "dnd" | "presence" | "pause"


CHOICES: tuple[ChoiceSpec, ...] = (
    ChoiceSpec(choice=Choice.DND_30M, label="Do not disturb for 30 min", group="dnd"),
    ChoiceSpec(choice=Choice.DND_1H, label="Do not disturb for 1 h", group="dnd"),
    ChoiceSpec(choice=Choice.DND_2H, label="Do not disturb for 2 h", group="dnd"),
    ChoiceSpec(choice=Choice.DND_TOMORROW, label="Do not disturb until tomorrow", group="dnd"),
    ChoiceSpec(choice=Choice.AWAY, label="Away", group="presence"),
    ChoiceSpec(choice=Choice.BACK, label="Back (resume automatic)", group="presence"),
    ChoiceSpec(choice=Choice.PAUSE_1H, label="Pause syncing for 1 h", group="pause"),
    ChoiceSpec(choice=Choice.PAUSE_TOMORROW, label="Pause syncing until tomorrow", group="pause"),
)

_DURATIONS = {
    Choice.DND_30M: timedelta(minutes=30),
    Choice.DND_1H: timedelta(hours=1),
    Choice.DND_2H: timedelta(hours=2),
    Choice.PAUSE_1H: timedelta(hours=1),
}


def tomorrow_start(now: datetime, tz: ZoneInfo, next_working_start: datetime | None = None) -> datetime:
    """When "until tomorrow" ends: the first working start from tomorrow on, else local midnight (UTC)."""
    local_midnight = datetime.combine(now.astimezone(tz).date() + timedelta(days=1), time(0), tzinfo=tz)
    midnight = local_midnight.astimezone(ZoneInfo("UTC"))
    if next_working_start is not None and next_working_start >= midnight:
        return next_working_start.astimezone(ZoneInfo("UTC"))
    return midnight


def override_for(choice: Choice, *, now: datetime, tomorrow: datetime) -> Override | None:
    """The override a choice creates from ``now`` (``None`` for Back, which only clears)."""
    now = now.astimezone(ZoneInfo("UTC"))
    if choice is Choice.BACK:
        return None
    made = choice.value
    if choice in (Choice.DND_30M, Choice.DND_1H, Choice.DND_2H):
        return Override(state=State.FOCUS, start=now, end=now + _DURATIONS[choice], reason=DND_REASON, choice=made)
    if choice is Choice.DND_TOMORROW:
        return Override(state=State.FOCUS, start=now, end=tomorrow, reason=DND_REASON, choice=made)
    if choice is Choice.AWAY:  # away until the next working day begins, unless Back comes first
        return Override(state=State.OFF_HOURS, start=now, end=tomorrow, reason=AWAY_REASON, choice=made)
    end = now + _DURATIONS[choice] if choice is Choice.PAUSE_1H else tomorrow
    return Override(state=State.AVAILABLE, start=now, end=end, reason=PAUSE_REASON, paused=True, choice=made)


def active(overrides: Iterable[Override], now: datetime) -> tuple[Override, ...]:
    """The overrides still in force at ``now`` (expired ones drop out by themselves)."""
    return tuple(o for o in overrides if o.start <= now < o.end)


def apply_choice(
    current: Iterable[Override], choice: Choice, *, now: datetime, tomorrow: datetime
) -> tuple[Override, ...]:
    """The override list after a choice: expired entries dropped; a state choice replaces the
    previous state override and a pause the previous pause; Back ends them all (automatic again)."""
    kept = active(current, now)
    if choice is Choice.BACK:
        return ()
    new = override_for(choice, now=now, tomorrow=tomorrow)
    assert new is not None
    return (*(o for o in kept if o.paused != new.paused), new)


def describe(override: Override) -> str:
    """A short label for an override, for the menu and the CLI ("Do not disturb", "Syncing paused")."""
    return override.reason or (PAUSE_REASON if override.paused else "Manual override")
