"""First-run setup: connect a service, add a calendar, confirm hours and zone, then preview today's plan.

Every step can be skipped; the result is whatever was given, saved atomically on Finish.
Usage: ``FirstRunWizard(doc, default_zone=…, runner=…, accounts=…, calendar_tester=…, preview=…)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from traystatus.core.calendar_kind import guess_calendar_kind
from traystatus.core.calendar_secret import address_name
from traystatus.core.errors import ConfigError, TrayStatusError
from traystatus.core.hours import DEFAULT_HOURS_SPEC, WeekHours, format_hours, parse_hours
from traystatus.core.settings import CalendarSourceConfig, Settings
from traystatus.core.settings_editing import AccountsManager, Runner, SettingsDocument
from traystatus.core.zone_search import search_zones
from traystatus.qt.settings.form import ErrorLabel
from traystatus.qt.settings.pages import known_zone
from traystatus.qt.settings.pages_io import AccountsPage, CalendarTester, _describe, merge_accounts
from traystatus.qt.settings.vertical_scroll import VerticalScroll
from traystatus.qt.settings.week_editor import WeekEditor
from traystatus.qt.settings.zone_picker import SEARCHED, ZoneCompleter


class _CalendarStep(QWizardPage):
    def __init__(self, tester: CalendarTester | None, runner: Runner) -> None:
        super().__init__()
        self.setTitle("Add a calendar")
        self.setSubTitle(
            "An ICS address (Google's secret address, Outlook's published calendar, Nextcloud, "
            "iCloud) or a file. You can skip this and add calendars later."
        )
        self.location = QLineEdit(self)
        self.location.setPlaceholderText("https://… or webcal://… or /path/to/calendar.ics")
        self.location.setAccessibleName("Calendar address or file")
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        test = QPushButton("&Test", self)
        test.setEnabled(tester is not None)
        test.clicked.connect(self._test)
        self.result = QLabel("", self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Calendar test result")
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(browse)
        row.addWidget(test)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.result)
        self.tester, self.runner = tester, runner

    def config(self) -> CalendarSourceConfig | None:
        loc = self.location.text().strip()
        if not loc:
            return None
        name = address_name(loc) if "://" in loc else loc.rsplit("/", 1)[-1]
        return CalendarSourceConfig(name=name, location=loc, kind=guess_calendar_kind(loc) if "://" in loc else "ics")

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Calendar file", "", "Calendars (*.ics);;All files (*)")
        if path:
            self.location.setText(path)

    def _test(self) -> None:
        config, tester = self.config(), self.tester
        if config is None or tester is None:
            self.result.setText("Enter an address or a file first.")
            return
        self.result.setText("Fetching…")
        self.runner(lambda: tester(config), lambda r: self.result.setText(_describe(r)))


class _HoursStep(QWizardPage):
    def __init__(self, default_zone: str, default_hours: WeekHours) -> None:
        super().__init__()
        self.setTitle("Your working hours and time zone")
        self.setSubTitle("Outside these hours your status says you are off and when you are back.")
        self.zone = QLineEdit(default_zone, self)
        self.zone.setAccessibleName("Time zone")
        # type any part of a zone or a city: "berl" offers Europe/Berlin, "new york" America/New_York
        self.zone.setCompleter(ZoneCompleter(self.zone))
        self.zone.setPlaceholderText("e.g. Europe/Berlin — type a city")
        self.hours = WeekEditor(default_hours, self)
        self.error = ErrorLabel(self)
        zone_row = QFormLayout()
        zone_row.addRow("Time &zone", self.zone)
        self.week_area = scroll = VerticalScroll(self.hours, self)  # at 2× on a small screen it scrolls, not sideways
        lay = QVBoxLayout(self)
        lay.addLayout(zone_row)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.error)
        self.hours.changed.connect(self.completeChanged.emit)
        self.zone.textChanged.connect(lambda _t: self.completeChanged.emit())

    def problem(self) -> str:
        typed = self.zone.text().strip()
        if known_zone(typed) is None:
            found = search_zones(typed, SEARCHED, limit=1)
            if found:  # still typing: point at the list rather than scold
                return f"Choose your zone from the list (e.g. {found[0].label}), or keep typing."
            return f"{typed!r} is not a time zone like Europe/Berlin: type a city to choose one."
        return self.hours.problem()

    def isComplete(self) -> bool:  # Qt's name
        message = self.problem()
        self.error.show_error(message)
        return not message


class _PreviewStep(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Today's plan")
        self.setSubTitle("This is what your teammates will see. Change anything later in Settings.")
        self.list = QListWidget(self)
        self.list.setAccessibleName("Today's plan")
        self.list.setWordWrap(True)  # a long line wraps: no sideways scrollbar
        self.list.setSpacing(3)  # wrapped lines of one interval apart from the next
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        QVBoxLayout(self).addWidget(self.list)


class FirstRunWizard(QWizard):
    saved = Signal(object)  # Settings, after the successful save on Finish (same name as SettingsWindow's)
    finished_setup = Signal(object)  # Settings, once saved (kept for existing listeners)

    def __init__(
        self,
        doc: SettingsDocument,
        *,
        default_zone: str,
        runner: Runner,
        accounts: AccountsManager | None = None,
        calendar_tester: CalendarTester | None = None,
        preview: Callable[[Settings], Sequence[str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc, self.runner, self.preview = doc, runner, preview
        self.setWindowTitle("Set up traystatus")
        connect = QWizardPage()
        connect.setTitle("Connect Slack or Matrix")
        connect.setSubTitle("traystatus sets your status there. Skip to only see your plan for now.")
        self.accounts_page = AccountsPage(doc, accounts, runner, connect)
        # the connect step wrote the file; Finish saves this document, which must keep that account
        self.accounts_page.accounts_changed.connect(lambda entries: merge_accounts(self.doc, entries))
        QVBoxLayout(connect).addWidget(self.accounts_page)
        self.calendar = _CalendarStep(calendar_tester, runner)
        try:  # an existing config's hours and zone are read back into the editor
            current = doc.validate()
            hours, zone = current.hours, str(doc.get("timezone", default_zone))
        except ConfigError:
            hours, zone = parse_hours(DEFAULT_HOURS_SPEC), default_zone
        self.hours = _HoursStep(zone, hours)
        self.preview_step = _PreviewStep()
        for page in (connect, self.calendar, self.hours, self.preview_step):
            self.addPage(page)
        self.currentIdChanged.connect(self._entered)
        self.hours.hours.changed.connect(lambda: QTimer.singleShot(0, self, self._fit))  # a range added: grow
        self.accounts_page.load()

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        """Tall enough for the whole week when the screen allows (Qt stops a new window at 2/3 of it); it only
        grows, so the buttons do not jump while a range is removed."""
        week = self.hours.hours
        if (layout := week.layout()) is not None:
            layout.activate()  # the ranges just added count (layouts update lazily)
        available = self.screen().availableGeometry()
        want = self.height() - self.hours.week_area.viewport().height() + week.sizeHint().height()
        height = min(max(self.height(), want), int(available.height() * 0.9))
        self.resize(self.width(), height)

    def apply_answers(self) -> None:
        """Write what was given into the document (not saved yet)."""
        config = self.calendar.config()
        if config is not None:
            items = [
                i
                for i in self.doc.items("calendars")
                if i.get("url") != config.location and i.get("path") != config.location
            ]
            item: dict[str, object] = {"name": config.name}
            if "://" in config.location:
                item.update(kind=config.kind, url=config.location)
            else:
                item["path"] = config.location
            items.append(item)
            self.doc.set_items("calendars", items)
        self.doc.set("timezone", known_zone(self.hours.zone.text()) or self.hours.zone.text().strip())
        self.doc.set("working_hours", format_hours(self.hours.hours.hours()))  # the same text the config uses

    def _entered(self, page_id: int) -> None:
        if self.page(page_id) is not self.preview_step:
            return
        self.apply_answers()
        self.preview_step.list.clear()
        try:
            settings = self.doc.validate()
        except ConfigError as e:
            self.preview_step.list.addItem(f"{e.title}: {e.message}")
            return
        if self.preview is None:
            return
        preview = self.preview
        self.preview_step.list.addItem("Reading your calendar…")
        self.runner(lambda: list(preview(settings)), self._show_preview)

    def _show_preview(self, result: object) -> None:
        self.preview_step.list.clear()
        if isinstance(result, list):
            self.preview_step.list.addItems([str(x) for x in result])
        else:
            self.preview_step.list.addItem(_describe(result))

    def accept(self) -> None:
        self.apply_answers()
        try:
            settings = self.doc.save()
        except TrayStatusError as e:  # a keyring that refuses the secret address, a full or read-only dir: the
            # answers stay in the dialog, and nothing is written; saving again can work
            self.preview_step.list.addItem(f"Not saved — {e.title}: {e.message}")
            return
        self.saved.emit(settings)
        self.finished_setup.emit(settings)
        super().accept()
