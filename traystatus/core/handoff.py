"""End-of-day handoff policy: settings, when to prompt (from the engine's timeline), the note model,
pre-fill from the previous note, and rendering for Slack (escaped mrkdwn) and Matrix (body + HTML).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from traystatus.core.config_schema import Table
from traystatus.core.errors import ConfigError
from traystatus.core.model import Availability, State
from traystatus.core.work_periods import MAX_BREAK

DEFAULT_SECTIONS = (
    "Done",
    "In progress",
    "Blocked — and who can unblock",
    "Decisions",
    "Next / handed over to",
    "Notes",
)
SNOOZE_CHOICES = (15, 60)  # minutes offered by the prompt
WORKING_STATES = frozenset({State.AVAILABLE, State.MEETING, State.FOCUS})
# A working day ends where work stops and does not resume within this gap: a break (State.BREAK) never
# ends it, whatever interrupts the work around it.
DAY_GAP = MAX_BREAK
_SLACK_CHANNEL = re.compile(r"^#?[a-z0-9][a-z0-9._-]{0,79}$|^[CGD][A-Z0-9]{6,}$")
# Room ids are "!opaque:server", or just "!opaque" from room version 12 on (MSC4291); aliases "#name:server".
_MATRIX_ROOM = re.compile(r"^![^\s:]+(:[^\s]+)?$|^#[^:\s]+:[^\s]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    """Where a note goes: ``slack:#channel``, ``slack:<workspace>:#channel`` or ``matrix:!room:server``."""

    service: str  # "slack" | "matrix"
    target: str  # "#channel" / channel id, or "!room:server" / "#alias:server"
    workspace: str = ""  # Slack only, "" = the default workspace

    def __str__(self) -> str:
        if self.service == "slack" and self.workspace:
            return f"slack:{self.workspace}:{self.target}"
        return f"{self.service}:{self.target}"


def parse_destination(spec: str) -> Destination:
    """Parse a destination spec; raises :class:`ConfigError` naming the expected forms."""
    forms = 'use "slack:#channel", "slack:<workspace>:#channel" or "matrix:!room:server"'
    service, _, rest = spec.strip().partition(":")
    service = service.lower()
    if service == "slack":
        workspace, sep, channel = rest.rpartition(":")
        if not sep:
            workspace, channel = "", rest
        if not _SLACK_CHANNEL.match(channel):
            raise ConfigError("Handoff destination", f"{spec!r}: {channel!r} is not a Slack channel; {forms}.")
        return Destination(service="slack", target=channel, workspace=workspace)
    if service == "matrix":
        if not _MATRIX_ROOM.match(rest):
            raise ConfigError("Handoff destination", f"{spec!r}: {rest!r} is not a Matrix room; {forms}.")
        return Destination(service="matrix", target=rest)
    raise ConfigError("Handoff destination", f"{spec!r}: unknown service {service!r}; {forms}.")


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffSettings:
    """The ``[handoff]`` section."""

    prompt: bool = True  # prompt before the end of the working day
    minutes_before: int = 15
    sections: tuple[str, ...] = DEFAULT_SECTIONS
    destinations: tuple[Destination, ...] = ()
    sign_off: bool = True  # the "Sign off" checkbox's default
    room_mentions: bool = False  # let "@room" / "@channel" / "@here" in a note ping everyone

    @classmethod
    def from_table(cls, table: Table) -> HandoffSettings:
        table.check_keys(("prompt", "minutes_before", "sections", "destinations", "sign_off", "room_mentions"))
        d = cls()
        sections = table.text_list("sections", d.sections)
        if not sections or any(not s.strip() for s in sections):
            raise table.error("sections", "needs at least one non-empty section title.")
        destinations = []
        for spec in table.text_list("destinations"):
            try:
                destinations.append(parse_destination(spec))
            except ConfigError as e:
                raise table.error("destinations", e.message) from None
        return cls(
            prompt=table.flag("prompt", d.prompt),
            minutes_before=table.integer("minutes_before", d.minutes_before, minimum=0, maximum=240),
            sections=tuple(s.strip() for s in sections),
            destinations=tuple(destinations),
            sign_off=table.flag("sign_off", d.sign_off),
            room_mentions=table.flag("room_mentions", d.room_mentions),
        )


# ---- the prompt ---------------------------------------------------------------------------------


def day_ends(timeline: Sequence[Availability]) -> list[datetime]:
    """The ends of working days in ``timeline``: where work (available/meeting/focus) stops and does
    not resume within :data:`DAY_GAP`. OOO days and holidays have no working interval, so no end.

    Only the working day's own intervals count: an override (a "Do not disturb for 30 min" chosen in
    the evening is a focus interval) never starts or stretches a working day, so its end arms no prompt."""
    spans: list[list[datetime]] = []
    for a in sorted(timeline, key=lambda a: a.start):
        if a.state not in WORKING_STATES or a.overridden:
            continue
        if spans and a.start - spans[-1][1] < DAY_GAP:
            spans[-1][1] = max(spans[-1][1], a.end)
        else:
            spans.append([a.start, a.end])
    horizon = max((a.end for a in timeline), default=None)
    # A span that reaches the end of the timeline has no known end yet.
    return [end for _, end in spans if horizon is None or end < horizon]


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptState:
    """What the user did about the prompt of the working day ending at ``day_end``."""

    day_end: datetime | None = None
    snoozed_until: datetime | None = None
    done: bool = False  # shown and closed, skipped, or a note was submitted


@dataclass(frozen=True, slots=True, kw_only=True)
class Prompt:
    at: datetime  # when to show it (may be in the past: show now)
    day_end: datetime  # the end of the working day it is for


def next_prompt(
    timeline: Sequence[Availability], now: datetime, settings: HandoffSettings, state: PromptState
) -> Prompt | None:
    """The next prompt: ``minutes_before`` the end of a working day, unless that day is done;
    a snoozed prompt comes back at ``snoozed_until`` even past the end of the day."""
    if not settings.prompt:
        return None
    lead = timedelta(minutes=settings.minutes_before)
    for end in day_ends(timeline):
        if state.day_end == end:
            if state.done:
                continue
            at = end - lead
            if state.snoozed_until is not None:
                at = max(at, state.snoozed_until)
            return Prompt(at=at, day_end=end)
        if end > now:
            return Prompt(at=end - lead, day_end=end)
    return None


def snooze(prompt: Prompt, now: datetime, minutes: int) -> PromptState:
    return PromptState(day_end=prompt.day_end, snoozed_until=now + timedelta(minutes=minutes))


def skip_today(prompt: Prompt) -> PromptState:
    """Skip today (also used once the prompt was shown or a note submitted)."""
    return PromptState(day_end=prompt.day_end, done=True)


# ---- the note -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteSection:
    title: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffDraft:
    """What the popup holds: saved continuously, reopened after a crash."""

    sections: tuple[NoteSection, ...]
    destinations: tuple[str, ...] = ()
    sign_off: bool = True
    focus_section: int = 0
    cursor: int = 0
    note_id: str = ""  # set when editing an archived note


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffNote:
    id: str
    created: datetime
    sections: tuple[NoteSection, ...]
    destinations: tuple[Destination, ...] = ()
    sign_off: bool = True
    archived: bool = False
    revision: int = 1
    updated: datetime | None = None
    day: date | None = None  # the user's local date of the working day; None = the UTC date of ``created``

    @property
    def is_empty(self) -> bool:
        return not any(s.text.strip() for s in self.sections)

    def section(self, role: str) -> NoteSection | None:
        for s in self.sections:
            if section_role(s.title) == role:
                return s
        return None


def section_role(title: str) -> str:
    """The role of a template section, by the words of its title (a custom template's "Up next", "Stuck
    on" or "Doing" carry over like the default ones): next, blocked, in_progress, done or other."""
    t = _words(title)
    words = set(t.split())
    if "next" in words or "handed over" in t:
        return "next"
    if any(w.startswith(("block", "stuck")) for w in words):
        return "blocked"
    if "progress" in t or words & {"doing", "ongoing", "wip"} or "working on" in t:
        return "in_progress"
    if words & {"done", "shipped", "finished", "completed"}:
        return "done"
    return "other"


def new_draft(settings: HandoffSettings, previous: HandoffNote | None) -> HandoffDraft:
    """An empty draft from the template, pre-filled from the previous note: its "Next" goes into
    "In progress" (or "Next" if the template has no such section) and its blockers stay blocked."""
    texts = {t: "" for t in settings.sections}
    if previous is not None:
        roles = {section_role(t): t for t in reversed(settings.sections)}
        prev_next, prev_blocked = previous.section("next"), previous.section("blocked")
        target = roles.get("in_progress") or roles.get("next")
        if prev_next and prev_next.text.strip() and target:
            texts[target] = prev_next.text.strip()
        if prev_blocked and prev_blocked.text.strip() and "blocked" in roles:
            texts[roles["blocked"]] = prev_blocked.text.strip()
    return HandoffDraft(
        sections=tuple(NoteSection(title=t, text=texts[t]) for t in settings.sections),
        destinations=tuple(str(d) for d in settings.destinations),
        sign_off=settings.sign_off,
    )


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def match_heading(heading: str, template: Sequence[str]) -> str | None:
    """The template section a text file's heading means, case- and punctuation-insensitively: the whole
    title (``blocked and who can unblock``), one part of it (``Next`` for "Next / handed over to"), or
    the same word stem (``Blockers`` for "Blocked — …") when only one section has it."""
    want = _words(heading)
    if not want:
        return None
    for title in template:
        parts = [_words(p) for p in re.split(r"[/—–(),:;]| - ", title)]
        if want == _words(title) or want in parts:
            return title
    stem = want.split()[0][:5]
    if len(stem) < 4:
        return None
    found = [t for t in template if _words(t) and _words(t).split()[0][:5] == stem]
    return found[0] if len(found) == 1 else None


def parse_note_text(text: str, template: Sequence[str]) -> tuple[NoteSection, ...]:
    """Split a text file into sections at Markdown headings (``# Done``, ``## Next``), each mapped onto
    the template's sections by :func:`match_heading` (an unknown heading stays a section of its own);
    text before the first heading, or a file without headings, goes into the last template section."""
    return parse_note_text_mapped(text, template)[0]


def parse_note_text_mapped(
    text: str, template: Sequence[str]
) -> tuple[tuple[NoteSection, ...], list[tuple[str, str | None]]]:
    """As :func:`parse_note_text`, plus each heading and the template section it went to (None = new)."""
    sections: dict[str, list[str]] = {t: [] for t in template}
    fallback = template[-1] if template else "Notes"
    sections.setdefault(fallback, [])
    current = fallback
    mapping: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        m = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if m:
            title = m[1].strip()
            matched = match_heading(title, template)
            mapping.append((title, matched))
            current = matched or title
            sections.setdefault(current, [])
            continue
        sections[current].append(line)
    return tuple(NoteSection(title=t, text="\n".join(lines).strip()) for t, lines in sections.items()), mapping


def with_text(draft: HandoffDraft, index: int, text: str) -> HandoffDraft:
    sections = list(draft.sections)
    sections[index] = replace(sections[index], text=text)
    return replace(draft, sections=tuple(sections))


# ---- rendering ----------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack's documented escaping for message text: only ``&``, ``<`` and ``>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _filled(note: HandoffNote) -> list[NoteSection]:
    return [s for s in note.sections if s.text.strip()]


def heading(note: HandoffNote) -> str:
    return f"Handoff {(note.day or note.created.date()).isoformat()}"


def slack_text(note: HandoffNote) -> str:
    parts = [f"*{slack_escape(heading(note))}*"]
    for s in _filled(note):
        parts.append(f"*{slack_escape(s.title)}*\n{slack_escape(s.text.strip())}")
    return "\n\n".join(parts)


def plain_text(note: HandoffNote) -> str:
    parts = [heading(note)]
    for s in _filled(note):
        parts.append(f"{s.title}:\n{s.text.strip()}")
    return "\n\n".join(parts)


def matrix_html(note: HandoffNote) -> str:
    import html  # here, not at the top: html.entities' tables cost the idle tray ~0.5 MB; only the history uses it

    parts = [f"<h3>{html.escape(heading(note))}</h3>"]
    for s in _filled(note):
        body = html.escape(s.text.strip()).replace("\n", "<br>")
        parts.append(f"<h4>{html.escape(s.title)}</h4><p>{body}</p>")
    return "".join(parts)


def markdown(note: HandoffNote) -> str:
    parts = [f"# {heading(note)}"]
    for s in _filled(note):
        parts.append(f"## {s.title}\n\n{s.text.strip()}")
    return "\n\n".join(parts) + "\n"


def search_text(sections: Sequence[NoteSection]) -> str:
    return "\n".join(f"{s.title}\n{s.text}" for s in sections)
