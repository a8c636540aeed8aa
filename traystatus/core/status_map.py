"""What each availability state looks like on the chat services: text template, emoji, DND, presence.

``desired_status`` turns one timeline interval into the :class:`DesiredStatus` every service should show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.config_schema import Table
from traystatus.core.model import Availability, State

#: Slack refuses longer ``status_text`` (``too_long``); we apply it everywhere so both services agree.
STATUS_TEXT_MAX = 100
PRESENCES = ("auto", "away")
MATRIX_PRESENCES = ("online", "unavailable")
MATRIX_PROFILE_MODES = ("own", "always", "never")
PLACEHOLDERS = ("until", "back", "title")
PRIVATE_TITLE = "Private event"

#: Matrix has no emoji field: the status message starts with the emoji's character instead.
EMOJI_CHARS = {
    ":spiral_calendar_pad:": "🗓",
    ":calendar:": "📆",
    ":headphones:": "🎧",
    ":palm_tree:": "🌴",
    ":crescent_moon:": "🌙",
    ":no_entry:": "⛔",
    ":house:": "🏠",
    ":zzz:": "💤",
    ":coffee:": "☕",
    ":brain:": "🧠",
    ":airplane:": "✈",
    ":face_with_thermometer:": "🤒",
    ":computer:": "💻",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class StateStatus:
    """How one state shows: ``text`` may use ``{until}``, ``{back}`` and (opt-in) ``{title}``."""

    text: str = ""
    emoji: str = ""  # Slack style, ":palm_tree:"; "" for none
    dnd: bool = False
    presence: str = "auto"  # Slack: "auto" or "away"; away is unavailable on Matrix too
    # Matrix has no "in a meeting": "unavailable" is what teammates' clients show as busy/away. "" = from presence.
    matrix_presence: str = ""

    @property
    def matrix_unavailable(self) -> bool:
        return self.presence == "away" or self.matrix_presence == "unavailable"


DEFAULT_STATE_STATUS: dict[State, StateStatus] = {
    State.AVAILABLE: StateStatus(),
    State.MEETING: StateStatus(text="In a meeting", emoji=":spiral_calendar_pad:", matrix_presence="unavailable"),
    State.FOCUS: StateStatus(text="Focusing", emoji=":headphones:", dnd=True, matrix_presence="unavailable"),
    State.OOO: StateStatus(text="Out of office — back {back}", emoji=":palm_tree:", dnd=True, presence="away"),
    State.OFF_HOURS: StateStatus(
        text="Off for the day — back {back}", emoji=":crescent_moon:", dnd=True, presence="away"
    ),
    # Back later today: away, but no DND, so a colleague's message still reaches the user's phone.
    State.BREAK: StateStatus(text="On a break — back at {until}", emoji=":coffee:", presence="away"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusSettings:
    """The ``[status.<state>]`` tables: per state text, emoji, dnd and presence (defaults as in the issue)."""

    states: tuple[tuple[State, StateStatus], ...] = field(default_factory=lambda: tuple(DEFAULT_STATE_STATUS.items()))
    # Matrix profile status (MSC4426): "own" writes it when empty or traystatus's, "always", or "never"
    matrix_profile_status: str = "own"

    def for_state(self, state: State) -> StateStatus:
        for s, status in self.states:
            if s is state:
                return status
        return DEFAULT_STATE_STATUS[state]

    @classmethod
    def from_table(cls, table: Table) -> StatusSettings:
        table.check_keys([*(s.value for s in State), "matrix_profile_status"])
        out: list[tuple[State, StateStatus]] = []
        for state in State:
            d = DEFAULT_STATE_STATUS[state]
            t = table.table(state.value)
            t.check_keys(("text", "emoji", "dnd", "presence", "matrix_presence"))
            text = t.text("text", d.text)
            _check_template(t, text)
            emoji = t.text("emoji", d.emoji)
            if emoji and not (len(emoji) > 2 and emoji.startswith(":") and emoji.endswith(":") and " " not in emoji):
                raise t.error("emoji", f'{emoji!r} is not an emoji name; use the :name: form, e.g. ":palm_tree:".')
            out.append(
                (
                    state,
                    StateStatus(
                        text=text,
                        emoji=emoji,
                        dnd=t.flag("dnd", d.dnd),
                        presence=t.choice("presence", d.presence, PRESENCES),
                        matrix_presence=t.choice(
                            "matrix_presence",
                            d.matrix_presence or ("unavailable" if d.presence == "away" else "online"),
                            MATRIX_PRESENCES,
                        ),
                    ),
                )
            )
        profile = table.choice("matrix_profile_status", "own", MATRIX_PROFILE_MODES)
        return cls(states=tuple(out), matrix_profile_status=profile)


def _check_template(t: Table, text: str) -> None:
    try:
        text.format_map({name: "" for name in PLACEHOLDERS})
    except (KeyError, ValueError, IndexError) as e:
        raise t.error(
            "text",
            f"{text!r} is not a valid template ({e}); the placeholders are "
            "{until}, {back} and {title}; write {{ and }} for literal braces.",
        ) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class DesiredStatus:
    """What every service should show now. An empty ``text`` and ``emoji`` means no status."""

    state: State
    text: str = ""
    emoji: str = ""
    expires_at: datetime | None = None  # the status clears itself then (Slack); None = no status
    dnd_until: datetime | None = None  # DND on until then; None = DND off
    away: bool = False
    matrix_away: bool | None = None  # Matrix "unavailable"; None: as ``away``
    since: datetime | None = None  # start of the interval, for "why"
    reason: str = ""

    @property
    def has_status(self) -> bool:
        return bool(self.text or self.emoji)

    @property
    def matrix_unavailable(self) -> bool:
        """Matrix presence ``unavailable`` (else ``online``)."""
        return self.away if self.matrix_away is None else self.matrix_away

    @property
    def message(self) -> str:
        """The status as one line for services without an emoji field (Matrix ``status_msg``)."""
        char = EMOJI_CHARS.get(self.emoji, "")
        return f"{char} {self.text}".strip() if char else self.text


def format_until(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """``14:30`` today, ``Tue 14:30`` within a week, ``Tue 2 Dec 14:30`` later."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if (local.date() - today).days < 7:
        return f"{local:%a %H:%M}"
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def format_back(state: State, moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """``09:00 CET`` (tomorrow, or later today), ``Mon 09:00 CET`` within a week; OOO names the day."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    days = (local.date() - today).days
    if state is State.OOO or days >= 7:
        return f"{local:%a} {local.day} {local:%b}"
    clock = f"{local:%H:%M %Z}".strip()
    return clock if days <= 1 else f"{local:%a} {clock}"


def _title(interval: Availability, share_titles: bool) -> str:
    if not share_titles:
        return ""
    titles = [t for t in interval.event_titles if t and t != PRIVATE_TITLE]
    return titles[0] if len(titles) == 1 and len(interval.event_titles) == 1 else ""


def render_text(template: str, interval: Availability, now: datetime, tz: ZoneInfo, *, share_titles: bool) -> str:
    """Fill the template; an unshared title leaves no dangling separator; at most 100 characters."""
    text = template.format_map(
        {
            "until": format_until(interval.until, now, tz),
            "back": format_back(interval.state, interval.until, now, tz),
            "title": _title(interval, share_titles),
        }
    )
    text = " ".join(text.split()).strip(" -—:·,(")
    if text.endswith("()"):
        text = text[:-2].rstrip()
    if len(text) > STATUS_TEXT_MAX:
        text = text[: STATUS_TEXT_MAX - 1].rstrip() + "…"
    return text


def desired_status(
    interval: Availability, settings: StatusSettings, *, now: datetime, tz: ZoneInfo, share_titles: bool = False
) -> DesiredStatus:
    """The status for ``interval`` as seen at ``now``; the status and DND last until the span's ``until``."""
    look = settings.for_state(interval.state)
    until = max(interval.until, interval.end)
    if until <= now:  # a degenerate interval: never announce an end in the past
        until = now + timedelta(minutes=1)
    text = render_text(look.text, interval, now, tz, share_titles=share_titles) if look.text else ""
    has_status = bool(text or look.emoji)
    return DesiredStatus(
        state=interval.state,
        text=text,
        emoji=look.emoji if has_status else "",
        expires_at=until if has_status else None,
        dnd_until=until if look.dnd else None,
        away=look.presence == "away",
        matrix_away=look.matrix_unavailable,
        since=interval.start,
        reason=interval.reason,
    )
