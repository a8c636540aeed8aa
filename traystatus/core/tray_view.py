"""What the tray shows, as plain data: icon state, tooltip, the current and next lines, service health.

Pure: the timeline, overrides, service health and ``now`` come in; widgets only render the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from traystatus.core.icon_state import IconState
from traystatus.core.model import Availability, Override, State
from traystatus.core.overrides import active, describe
from traystatus.core.status_map import EMOJI_CHARS, DesiredStatus

STATE_LABELS = {
    State.AVAILABLE: "Available",
    State.MEETING: "In a meeting",
    State.FOCUS: "Focusing",
    State.OOO: "Out of office",
    State.OFF_HOURS: "Off hours",
    State.BREAK: "On a break",
}
SHORT_LABELS = {
    State.AVAILABLE: "Available",
    State.MEETING: "Meeting",
    State.FOCUS: "Focus",
    State.OOO: "Out of office",
    State.OFF_HOURS: "Off hours",
    State.BREAK: "Break",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceHealth:
    """How one service is doing, as reported by the last sync."""

    name: str  # "Slack", "Matrix"
    ok: bool = True
    detail: str = ""  # what went wrong ("token revoked"), empty when fine
    fix: str = ""  # what the user should do ("reconnect in Settings…"), when only they can fix it
    needs_action: bool = False
    short: str = ""  # the menu's few words, when the producer knows better than the detail's title


#: The longest problem the menu shows on its line; the whole text goes to the tooltip and Settings.
SHORT_MAX = 48
#: The menu's own fix label: the action opens Settings on the account (the full fix is in the tooltip).
FIX_LABEL = "Reconnect…"


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthLine:
    name: str
    text: str  # one short line: "Slack ✓" / "Slack: token revoked — Reconnect…"
    ok: bool
    needs_action: bool
    detail: str = ""  # the whole story for the tooltip: "Slack token revoked: … — reconnect in Settings…"
    fix: str = ""  # what to do, also at the end of ``detail``


#: A problem's line in the tray tooltip: long enough for the cause and the fix, never a wall of text.
TOOLTIP_DETAIL_MAX = 160


def _cap(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def short_problem(name: str, detail: str) -> str:
    """A problem in a few words for a menu line: the title of "Title: message" without the service's
    name ("Slack token revoked: …" → "token revoked"), on one line, at most :data:`SHORT_MAX` characters."""
    head = " ".join(detail.split()).split(": ", 1)[0].strip()
    for prefix in (name, name.split()[0] if name.split() else ""):
        if prefix and head.lower().startswith(prefix.lower() + " "):
            head = head[len(prefix) + 1 :]
    head = head or "not working"
    head = head[0].lower() + head[1:] if head[:2] != head[:2].upper() else head
    if len(head) > SHORT_MAX:
        cut = head[: SHORT_MAX - 1]
        cut = cut.rsplit(" ", 1)[0] if " " in cut[SHORT_MAX // 2 :] else cut  # at a word when one is near
        head = cut.rstrip(" ,;:(—-") + "…"
    return head


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
    checked: frozenset[str] = frozenset()  # the Choice values in force now (the menu checks them)

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


def problem_story(name: str, detail: str, fix: str = "") -> str:
    """A problem's whole story for the tooltip and the alert, each thing said once: "Slack token revoked or
    invalid (token_revoked) — reconnect in Settings…", not "Slack: Slack token revoked: Slack token revoked or
    invalid (token_revoked) — reconnect with `traystatus login slack`. — reconnect in Settings…"."""
    text = " ".join(detail.split()) or "not working"
    title, sep, message = text.partition(": ")
    if sep and message.lower().startswith(title.lower()):
        text = message  # the message already says what its title does
    if fix:  # the desktop's own fix replaces a command line's ("… — reconnect with `traystatus login slack`.")
        text = _without_cli_fix(text) or text
    text = text.rstrip(". ")
    first = text.split(" ", 1)[0].rstrip(":")
    named = first.lower() in {w.lower() for w in name.split()}  # "Slack token …" already names the service
    return ("" if named else f"{name}: ") + text + (f" — {fix}" if fix else "")


def _without_cli_fix(text: str) -> str:
    """``text`` without its clause naming a command ("…, then reconnect with `traystatus login slack`.")."""
    at = text.find("`traystatus ")
    if at < 0:
        return text
    cut = max(text.rfind(sep, 0, at) for sep in (" — ", ", then ", "; ", ". "))
    return text[:cut] if cut > 0 else ""


def _health_lines(health: Sequence[ServiceHealth]) -> tuple[HealthLine, ...]:
    out = []
    for h in health:
        if h.ok:
            text, detail = f"{h.name} ✓", ""
        else:
            text = f"{h.name}: {short_problem(h.name, h.short or h.detail)}"
            if h.needs_action:
                text += f" — {FIX_LABEL}"
            detail = problem_story(h.name, h.detail, h.fix)
        out.append(HealthLine(name=h.name, text=text, ok=h.ok, needs_action=h.needs_action, detail=detail, fix=h.fix))
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
    # The whole story of each problem under the summary line, bounded (a raw error can be any length).
    details = [_cap(h.detail, TOOLTIP_DETAIL_MAX) for h in lines if not h.ok]
    return TrayView(
        icon=icon,
        state=state,
        tooltip="\n".join([" · ".join(parts), *details]),
        state_line=state_line,
        next_line=next_line,
        override_line=override_line,
        paused_line=paused_line,
        health=lines,
        notice=notice,
        overridden=manual is not None,
        paused=pause is not None,
        checked=frozenset(o.choice for o in (manual, pause) if o is not None and o.choice),
    )


#: a state as the plan page says it, with "until …" after it
PLAN_PHRASES = {
    State.AVAILABLE: "Available",
    State.MEETING: "In a meeting",
    State.FOCUS: "Focusing",
    State.OOO: "Out of office",
    State.OFF_HOURS: "Off for the day",
    State.BREAK: "On a break",
}


def outlook_line(interval: Availability, desired: DesiredStatus, tz: ZoneInfo, *, now: datetime | None = None) -> str:
    """One interval of a plan in words: "17:30  Off for the day until Tue 09:00 — Slack will show 🌙 “Off for the
    day — back 09:00 CET”, Do Not Disturb until Tue 09:00, away · Matrix will show you unavailable" (no raw state
    names or :codes:). ``now`` makes the first line "Now" and later days named; without it times are bare."""
    ref = now if now is not None else interval.start

    def when(moment: datetime) -> str:
        return format_time(moment, ref, tz)

    start = "Now" if now is not None and interval.start <= now else when(interval.start)
    char = EMOJI_CHARS.get(desired.emoji, "")
    shown = f"{char} “{desired.text}”".strip() if desired.has_status else "no status"
    extras = [
        f"Do Not Disturb until {when(desired.dnd_until)}" if desired.dnd_until else "",
        "away" if desired.away else "",
    ]
    slack = ", ".join([f"Slack will show {shown}", *(e for e in extras if e)])
    matrix = "Matrix will show you unavailable" if desired.matrix_unavailable else "Matrix will show you online"
    return f"{start}  {PLAN_PHRASES[interval.state]} until {when(interval.until)} — {slack} · {matrix}"


def change_notification(view: TrayView) -> tuple[str, str]:
    """(title, body) when the state changed by itself: the title names the state, the body adds what the
    title does not say — until when and what comes next — so the two never repeat each other."""
    title = view.state_line.split(" until ", 1)[0] or STATE_LABELS[view.state]
    rest = view.state_line[len(title) :].strip()
    body = [rest[0].upper() + rest[1:]] if rest else []
    if view.next_line:
        body.append(f"Next: {view.next_line}")
    return title, "\n".join(body) or "Now and until further notice"


def alert_notification(line: HealthLine) -> tuple[str, str]:
    """(title, body) for a problem only the user can fix: a title that says so, the whole story as body."""
    what = line.detail.removesuffix(f" — {line.fix}") if line.fix else line.detail
    return "traystatus needs you", _cap(what, TOOLTIP_DETAIL_MAX * 2) + (f" — {line.fix}" if line.fix else "")


def initial_view(notice: str, now: datetime) -> TrayView:
    """What the icon shows before the first pass finished (no calendar read yet)."""
    return build_tray_view(
        timeline=(), overrides=(), health=(), now=now, tz=ZoneInfo("UTC"), notice=notice or "Reading your calendars…"
    )
