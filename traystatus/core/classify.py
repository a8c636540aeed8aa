"""Event classification: what each calendar event means for availability, and the rules that decide it.

The defaults follow issue 2 and are documented in ``docs/configuration.md`` (``[classification]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from traystatus.core.config_schema import Table
from traystatus.core.model import CalendarEvent, ClassifiedEvent, EventKind, Privacy

DEFAULT_OOO_WORDS = ("OOO", "out of office", "vacation", "holiday", "PTO", "sick")
DEFAULT_FOCUS_WORDS = ("focus",)
#: "not", "no" or "kein" just before a word (two words may stand between: "Not a public holiday"); but a
#: "non-working holiday" (the Philippines' day off) or "no work" says the day is off, not the opposite
_NEGATED = re.compile(r"\b(?:not|no|non|kein\w*|pas)\b[\s-]+(?!work|arbeit)(?:\w+[\s-]+){0,2}$", re.IGNORECASE)
_CALENDAR_KINDS = ("auto", "ooo", "focus", "meeting", "free", "ignored")


def _words_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any word/phrase on word boundaries.

    Spaces inside a phrase also match hyphens and underscores ("out-of-office").
    """
    parts = []
    for w in words:
        tokens = [re.escape(t) for t in w.split()]
        if tokens:
            parts.append(r"[\s_\-]+".join(tokens))
    if not parts:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarRule:
    """Every event of the calendar named ``calendar`` gets ``kind`` ("auto" = the usual rules)."""

    calendar: str
    kind: str = "auto"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassificationRules:
    """The ``[classification]`` section."""

    ooo_words: tuple[str, ...] = DEFAULT_OOO_WORDS
    focus_words: tuple[str, ...] = DEFAULT_FOCUS_WORDS
    tentative_is_busy: bool = True
    user_emails: tuple[str, ...] = ()  # the user's addresses: events they declined are ignored
    calendars: tuple[CalendarRule, ...] = ()
    _ooo_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _focus_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ooo_re", _words_pattern(self.ooo_words))
        object.__setattr__(self, "_focus_re", _words_pattern(self.focus_words))

    def ooo_match(self, title: str) -> str | None:
        """The first OOO word of ``title`` that is not negated ("[Not a public holiday]", "no vacation")."""
        if self._ooo_re is None:
            return None
        for m in self._ooo_re.finditer(title):
            if not _NEGATED.search(title, 0, m.start()):
                return m.group(0)
        return None

    def focus_match(self, title: str) -> str | None:
        m = self._focus_re.search(title) if self._focus_re is not None else None
        return m.group(0) if m else None

    def calendar_kind(self, source: str) -> str:
        for rule in self.calendars:
            if rule.calendar == source:
                return rule.kind
        return "auto"

    @classmethod
    def from_table(cls, table: Table) -> ClassificationRules:
        table.check_keys(("ooo_words", "focus_words", "tentative_is_busy", "user_emails", "calendars"))
        calendars = []
        for t in table.tables("calendars"):
            t.check_keys(("name", "kind"))
            name = t.text("name")
            if not name:
                raise t.error("name", 'each [[classification.calendars]] needs name = "<the calendar\'s name>".')
            calendars.append(CalendarRule(calendar=name, kind=t.choice("kind", "auto", _CALENDAR_KINDS)))
        emails = tuple(e.strip().lower().removeprefix("mailto:") for e in table.text_list("user_emails"))
        for e in emails:
            if "@" not in e:
                raise table.error("user_emails", f'{e!r} is not an e-mail address like "me@example.org".')
        return cls(
            ooo_words=table.text_list("ooo_words", DEFAULT_OOO_WORDS),
            focus_words=table.text_list("focus_words", DEFAULT_FOCUS_WORDS),
            tentative_is_busy=table.flag("tentative_is_busy", True),
            user_emails=emails,
            calendars=tuple(calendars),
        )


def _quoted(event: CalendarEvent, word: str) -> str:
    """The matched word, unless the event is private (its title must not leak, even in part)."""
    return "a listed word" if event.privacy is Privacy.PRIVATE else f"'{word}'"


def classify(event: CalendarEvent, rules: ClassificationRules) -> ClassifiedEvent:
    """Decide what ``event`` means; ``rule`` in the result says why, in words a user understands."""

    def out(kind: EventKind, rule: str) -> ClassifiedEvent:
        return ClassifiedEvent(event=event, kind=kind, rule=rule)

    status = event.status.upper()
    busy = event.busy_status.upper()
    if status == "CANCELLED":
        return out(EventKind.IGNORED, "cancelled (STATUS:CANCELLED)")
    if event.partstat.upper() == "DECLINED":
        return out(EventKind.IGNORED, "declined by you (PARTSTAT:DECLINED)")
    forced = rules.calendar_kind(event.source)
    if forced != "auto":
        return out(EventKind(forced), f"calendar '{event.source}' is set to {forced}")
    if busy == "FREE":
        return out(EventKind.FREE, "shown as free (BUSYSTATUS:FREE)")
    if busy == "OOF":
        return out(EventKind.OOO, "out of office (BUSYSTATUS:OOF)")
    ooo_word = rules.ooo_match(event.title)
    # Google writes every all-day event as TRANSP:TRANSPARENT, so an all-day "Vacation" is still OOO.
    if event.transparent and not (event.all_day and ooo_word):
        return out(EventKind.FREE, "shown as free (TRANSP:TRANSPARENT)")
    if ooo_word:
        return out(EventKind.OOO, f"title matches {_quoted(event, ooo_word)}")
    if event.all_day:
        return out(EventKind.FREE, "all-day event (counts only when out of office)")
    tentative = status == "TENTATIVE" or busy == "TENTATIVE" or event.partstat.upper() == "TENTATIVE"
    if tentative and not rules.tentative_is_busy:
        return out(EventKind.FREE, "tentative (classification.tentative_is_busy = false)")
    focus_word = rules.focus_match(event.title)
    if focus_word:
        return out(EventKind.FOCUS, f"title matches {_quoted(event, focus_word)}")
    return out(EventKind.MEETING, "tentative busy event" if tentative else "timed busy event")
