"""What the tray shows, as plain data: icon state, tooltip, the current and next lines, service health.

Pure: the timeline, overrides, service health and ``now`` come in; widgets only render the result.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from traystatus.core.model import Availability, Override, State
from traystatus.core.overrides import active, describe


class IconState(enum.StrEnum):
    """One icon per value (``resources/icons/<value>-<light|dark>.svg``)."""

    AVAILABLE = "available"
    MEETING = "meeting"
    FOCUS = "focus"
    OOO = "ooo"
    OFF_HOURS = "off_hours"
    PAUSED = "paused"
    ATTENTION = "attention"


STATE_LABELS = {
    State.AVAILABLE: "Available",
    State.MEETING: "In a meeting",
    State.FOCUS: "Focusing",
    State.OOO: "Out of office",
    State.OFF_HOURS: "Off hours",
}
SHORT_LABELS = {
    State.AVAILABLE: "Available",
    State.MEETING: "Meeting",
    State.FOCUS: "Focus",
    State.OOO: "Out of office",
    State.OFF_HOURS: "Off hours",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceHealth:
    """How one service is doing, as reported by the last sync."""

    name: str  # "Slack", "Matrix"
    ok: bool = True
    detail: str = ""  # what went wrong ("token revoked"), empty when fine
    fix: str = ""  # what the user should do ("reconnect in Settings…"), when only they can fix it
    needs_action: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthLine:
    name: str
    text: str  # "Slack ✓" / "Slack: token revoked — reconnect in Settings…"
    ok: bool
    needs_action: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TrayView:
    icon: IconState
    state: State
    tooltip: str
    state_line: str  # "In a meeting until 15:30"
    next_line: str  # "Focus 14:00–16:00" (empty when nothing is known)
    override_line: str  # "Do not disturb until 15:00" (empty without an override)
    paused_line: str  # "Syncing paused until 15:00" (empty when syncing)
    health: tuple[HealthLine, ...] = ()
    notice: str = ""  # e.g. "No configuration yet — open Settings" or "Demo mode: nothing is sent"
    overridden: bool = False
    paused: bool = False

    @property
    def needs_attention(self) -> bool:
        return self.icon is IconState.ATTENTION


def format_time(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """``15:30`` today, ``Wed 09:00`` within the week, ``2 Dec 09:00`` beyond, all in the user's zone."""
    local, today = moment.astimezone(tz), now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if 0 < (local.date() - today.date()).days < 7:
        return local.strftime("%a %H:%M")
    return f"{local.day} {local.strftime('%b %H:%M')}"


def _current(timeline: Sequence[Availability], now: datetime) -> Availability | None:
    for a in timeline:
        if a.start <= now < a.end:
            return a
    return None


def _next(timeline: Sequence[Availability], current: Availability | None, now: datetime) -> Availability | None:
    for a in timeline:
        if a.start > now and (current is None or a.state is not current.state):
            return a
    return None


def _health_lines(health: Sequence[ServiceHealth]) -> tuple[HealthLine, ...]:
    out = []
    for h in health:
        if h.ok:
            text = f"{h.name} ✓"
        else:
            text = f"{h.name}: {h.detail or 'not working'}"
            if h.fix:
                text += f" — {h.fix}"
        out.append(HealthLine(name=h.name, text=text, ok=h.ok, needs_action=h.needs_action))
    return tuple(out)


def build_tray_view(
    *,
    timeline: Sequence[Availability],
    overrides: Sequence[Override],
    health: Sequence[ServiceHealth],
    now: datetime,
    tz: ZoneInfo,
    notice: str = "",
) -> TrayView:
    """The view for ``now``: the interval covering it, the next different one, overrides and health."""
    current = _current(timeline, now)
    in_force = active(overrides, now)
    pause = next((o for o in in_force if o.paused), None)
    manual = next((o for o in in_force if not o.paused), None)

    state = current.state if current else (manual.state if manual else State.AVAILABLE)
    if manual is not None and (current is None or current.overridden):
        state = manual.state
        state_line = f"{describe(manual)} until {format_time(manual.end, now, tz)}"
    elif current is not None:
        state_line = f"{STATE_LABELS[state]} until {format_time(current.until, now, tz)}"
    else:
        state_line = STATE_LABELS[state]
    override_line = f"{describe(manual)} until {format_time(manual.end, now, tz)}" if manual else ""
    paused_line = f"Syncing paused until {format_time(pause.end, now, tz)}" if pause else ""

    nxt = _next(timeline, current, now)
    next_line = ""
    if nxt is not None:
        label = SHORT_LABELS[nxt.state]
        if nxt.state in (State.OFF_HOURS, State.OOO, State.AVAILABLE):
            next_line = f"{label} from {format_time(nxt.start, now, tz)}"
        else:
            next_line = f"{label} {format_time(nxt.start, now, tz)}–{format_time(nxt.end, now, tz)}"

    lines = _health_lines(health)
    if any(h.needs_action for h in lines):
        icon = IconState.ATTENTION
    elif pause is not None:
        icon = IconState.PAUSED
    else:
        icon = IconState(state.value)
    parts = [paused_line] if pause else []
    parts.append(state_line)
    parts.extend(h.text if h.ok else f"{h.name} ✗" for h in lines)
    return TrayView(
        icon=icon,
        state=state,
        tooltip=" · ".join(parts),
        state_line=state_line,
        next_line=next_line,
        override_line=override_line,
        paused_line=paused_line,
        health=lines,
        notice=notice,
        overridden=manual is not None,
        paused=pause is not None,
    )


def initial_view(notice: str, now: datetime) -> TrayView:
    """What the icon shows before the first pass finished (no calendar read yet)."""
    return build_tray_view(
        timeline=(), overrides=(), health=(), now=now, tz=ZoneInfo("UTC"), notice=notice or "Reading your calendars…"
    )
