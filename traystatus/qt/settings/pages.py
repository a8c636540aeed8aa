"""The settings pages that are plain forms: working hours, status, team, handoff, general."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QListWidget, QWidget

from traystatus.core.errors import ConfigError
from traystatus.core.handoff import HandoffSettings
from traystatus.core.hours import WeekHours, format_hours
from traystatus.core.model import State
from traystatus.core.settings import GeneralSettings, Settings
from traystatus.core.settings_editing import CalendarHoursPort, Runner, SettingsDocument
from traystatus.core.status_map import DEFAULT_STATE_STATUS, PRESENCES
from traystatus.qt.settings.form import ErrorLabel, FormPage, note_box
from traystatus.qt.settings.hours_calendar import CalendarHoursBox
from traystatus.qt.settings.items_table import ItemsTable
from traystatus.qt.settings.week_editor import WeekEditor

ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
#: every spelling the tz database accepts ("Etc/UTC", "UTC", "US/Eastern"), by lower case: the zone a
#: system reports is accepted however it is spelled, typed in any case
_ANY_ZONE = {z.lower(): z for z in available_timezones()}


def known_zone(text: str) -> str | None:
    """The tz database's spelling of ``text`` ("etc/utc" → "Etc/UTC"), or None if it names no zone."""
    return _ANY_ZONE.get(text.strip().lower())


STATE_LABELS = {
    State.AVAILABLE: "Available",
    State.MEETING: "In a meeting",
    State.FOCUS: "Focus",
    State.OOO: "Out of office",
    State.OFF_HOURS: "Off hours",
    State.BREAK: "Break",
}


class HoursPage(FormPage):
    """Time zone, a week grid (several blocks a day), dated exceptions and travel."""

    title = "Working hours"

    def __init__(
        self,
        doc: SettingsDocument,
        default_zone: str,
        parent: QWidget | None = None,
        *,
        calendar_hours: CalendarHoursPort | None = None,
        runner: Runner | None = None,
    ) -> None:
        super().__init__(doc, parent)
        self.add_choice(
            "timezone",
            "Time &zone",
            default_zone,
            [(z, z) for z in ZONES],
            "Your IANA time zone; working hours are read in it.",
            editable=True,
        )
        grid, grid_layout = note_box("Week", "Tick the days you work; Add a second range for a split day.", self)
        # the first run's editor: one way to set hours, never the config syntax
        self.week = WeekEditor(parent=grid, stacked=True)  # the page is narrow beside the page list
        self.week.changed.connect(self._week_edited)
        self._loading = False
        grid_layout.addWidget(self.week)
        self.from_calendar = CalendarHoursBox(doc, calendar_hours, runner, self)
        self.outer.addWidget(self.from_calendar)
        self.errors["working_hours"] = ErrorLabel(self)
        self.outer.addWidget(grid)
        self.outer.addWidget(self.errors["working_hours"])
        self.exceptions = ItemsTable(
            doc,
            "exceptions",
            [("first", "First day"), ("last", "Last day"), ("hours", "Hours (empty = off)"), ("label", "Label")],
            "Exceptions",
            self,
            add_text="Add exception",
        )
        self.travel = ItemsTable(
            doc,
            "travel",
            [("first", "First day"), ("last", "Last day"), ("timezone", "Time zone"), ("label", "Label")],
            "Travel",
            self,
            add_text="Add travel",
        )
        for title, note, table in (
            ("Exceptions", "Holidays, days off, other hours.", self.exceptions),
            ("Travel", "Work in another time zone on these days.", self.travel),
        ):
            box, box_layout = note_box(title, note, self)
            box_layout.addWidget(table)
            self.outer.addWidget(box)
            table.edited.connect(self.edited)
            self.errors[table.key] = ErrorLabel(box)
            box_layout.addWidget(self.errors[table.key])
        self.outer.addStretch(1)

    def load(self) -> None:
        super().load()
        try:
            hours = self.doc.validate().hours
        except ConfigError:
            hours = WeekHours()
        self._loading = True  # showing the file's hours is no edit
        try:
            self.week.set_hours(hours)
        finally:
            self._loading = False
        self.exceptions.load()
        self.travel.load()
        self.from_calendar.update_button()

    def _week_edited(self) -> None:
        # a problem is said under its day (or the week's line) and nothing reaches the file until it is fixed
        if self._loading:
            return
        problem = self.week.problem()
        self.errors["working_hours"].show_error(problem)
        if problem:
            return
        self.edited.emit("working_hours", format_hours(self.week.hours()))


class StatusPage(FormPage):
    """Per state: text template, emoji, DND, presence — and a live preview of the next 24 h."""

    title = "Status"

    def __init__(
        self,
        doc: SettingsDocument,
        preview: Callable[[Settings], Sequence[str]] | None,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(doc, parent)
        self.preview, self.runner = preview, runner
        hint = QLabel(
            "Templates may use {until} and {back}; {title} only when you share titles "
            "(General). Private events are never named.",
            self,
        )
        hint.setWordWrap(True)
        self.form.addRow(hint)
        for state in State:
            d = DEFAULT_STATE_STATUS[state]
            label = STATE_LABELS[state]
            self.add_text(f"status.{state.value}.text", f"{label}: text", d.text, placeholder="(no status)")
            self.add_text(f"status.{state.value}.emoji", f"{label}: emoji", d.emoji, placeholder=":emoji:")
            self.add_check(f"status.{state.value}.dnd", f"{label}: Do not disturb", d.dnd)
            self.add_choice(
                f"status.{state.value}.presence", f"{label}: presence", d.presence, [(p, p) for p in PRESENCES]
            )
        self.preview_list = QListWidget(self)
        self.preview_list.setAccessibleName("Preview of the next 24 hours")
        self.preview_list.setWordWrap(True)  # long lines wrap instead of scrolling sideways
        self.preview_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        box, box_layout = note_box("Preview", "The next 24 hours on each service.", self)
        box_layout.addWidget(self.preview_list)
        self.outer.addWidget(box)

    def update_preview(self, settings: Settings) -> None:
        """Recompute the preview off the GUI thread (it reads the calendars)."""
        if self.preview is None:
            self.preview_list.clear()
            self.preview_list.addItem("(preview unavailable)")
            return
        preview = self.preview
        self.runner(lambda: list(preview(settings)), self._show_preview)

    def _show_preview(self, result: object) -> None:
        self.preview_list.clear()
        if isinstance(result, Exception):
            self.preview_list.addItem(f"Preview failed: {getattr(result, 'message', result)}")
        elif isinstance(result, list):
            self.preview_list.addItems([str(line) for line in result])


class TeamPage(FormPage):
    title = "Team"

    def __init__(self, doc: SettingsDocument, parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        self.add_text("team.me_name", "Your &name in the team clock", "You")
        self.add_check(
            "team.import_slack",
            "Import teammates from &Slack",
            False,
            "Names and time zones of the workspace's members (refreshed daily).",
        )
        self.add_text("team.matrix_room", "Import members of this &Matrix room", "", placeholder="!room:server")
        self.people = ItemsTable(
            doc,
            "team.people",
            [
                ("name", "Name"),
                ("timezone", "Time zone"),
                ("hours", "Working hours"),
                ("team", "Team"),
                ("handle", "Handle"),
            ],
            "Teammates",
            self,
            add_text="Add teammate",
        )
        self.people.edited.connect(self.edited)
        box, people_layout = note_box("Teammates", "Your edits win over imports.", self)
        people_layout.addWidget(self.people)
        self.errors["team.people"] = ErrorLabel(box)
        people_layout.addWidget(self.errors["team.people"])
        self.outer.addWidget(box)

    def load(self) -> None:
        super().load()
        self.people.load()


class HandoffPage(FormPage):
    title = "Handoff"

    def __init__(self, doc: SettingsDocument, parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        d = HandoffSettings()
        self.add_check(
            "handoff.prompt",
            "&Prompt for a handoff note",
            d.prompt,
            "Before the end of your working day (not on out-of-office days or holidays).",
        )
        self.add_int("handoff.minutes_before", "&Minutes before the day ends", d.minutes_before, 0, 240, suffix=" min")
        self.add_lines("handoff.sections", "&Sections (one per line)", d.sections)
        self.add_lines(
            "handoff.destinations",
            "&Destinations (one per line)",
            (),
            "slack:#channel, slack:<workspace>:#channel or matrix:!room:server",
        )
        self.add_check(
            "handoff.sign_off",
            "Sign &off when I send the note",
            d.sign_off,
            "Sets the off-hours status and Do not disturb until your next working start.",
        )
        self.outer.addStretch(1)


class GeneralPage(FormPage):
    title = "General"

    def __init__(self, doc: SettingsDocument, parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        d = GeneralSettings()
        self.add_check("general.start_at_login", "Start at &login", d.start_at_login)
        self.add_check("general.notify_on_change", "&Notify when my status changes by itself", d.notify_on_change)
        self.add_check(
            "general.share_titles",
            "Share meeting &titles in my status",
            d.share_titles,
            "Off by default: titles never leave this machine. Private events are never shared.",
        )
        self.add_check(
            "general.respect_manual_status", "Never overwrite a status I set by &hand", d.respect_manual_status
        )
        self.add_check("general.clear_on_quit", "&Clear my statuses when traystatus quits", d.clear_on_quit)
        self.outer.addStretch(1)


def make_debounce(parent: QWidget, ms: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(slot)
    return timer
