"""The Working hours page's "From your calendar" box: where today's hours come from (the calendars' own
availability or the grid) and a button that stores the grid's hours on the CalDAV server. Both go through the
page's runner (they read or write the network); the box only shows the answers."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from traystatus.core.errors import ConfigError
from traystatus.core.settings import Settings
from traystatus.core.settings_editing import CalendarHoursPort, Runner, SettingsDocument
from traystatus.qt.settings.form import describe_result

SAVE_TEXT = "Save these hours to my calendar server"


class CalendarHoursBox(QGroupBox):
    """Says where today's hours come from each time the page is shown; saves the hours on request."""

    def __init__(
        self, doc: SettingsDocument, port: CalendarHoursPort | None, runner: Runner | None, parent: QWidget
    ) -> None:
        super().__init__("From your calendar", parent)
        self.doc, self.port, self.runner = doc, port, runner
        self._reading = self._saving = False
        lay = QVBoxLayout(self)
        self.origin = QLabel("", self)
        self.origin.setWordWrap(True)
        self.origin.setAccessibleName("Where today's hours come from")
        self.save_button = QPushButton(SAVE_TEXT, self)
        self.save_button.clicked.connect(self.save)
        self.result = QLabel("", self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Saving the hours to the calendar server")
        for w in (self.origin, self.save_button, self.result):
            lay.addWidget(w)
        self.result.hide()  # until there is something to say
        self.update_button()
        self.setVisible(port is not None)  # e.g. first-run setup: nothing to read or write with yet

    def _settings(self) -> Settings | None:
        try:
            return self.doc.validate()
        except ConfigError:
            return None

    def update_button(self) -> None:
        settings = self._settings()
        target = self.port.save_target(settings) if self.port is not None and settings is not None else ""
        self.save_button.setEnabled(bool(target) and self.runner is not None and not self._saving)
        self.save_button.setToolTip(
            f"Stores the weekly hours and time zone above on the server of '{target}' (as its calendar "
            "availability), where other calendar apps read them."
            if target
            else "Needs a CalDAV calendar (Calendars page) and settings without errors."
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():  # the page was opened, not the window restored from the taskbar
            self.refresh()

    def refresh(self) -> None:
        """Ask (off the GUI thread) where today's hours come from: the calendars are read once."""
        self.update_button()
        settings = self._settings()
        if self.port is None or self.runner is None or settings is None or self._reading:
            return
        self._reading = True
        self.origin.setText("Checking your calendars for working hours…")
        port = self.port
        self.runner(lambda: port.origin(settings), self._origin_read)

    def _origin_read(self, result: object) -> None:
        self._reading = False
        if isinstance(result, str):
            self.origin.setText(result)
        else:
            self.origin.setText(f"Could not check the calendars ({describe_result(result)}); the hours below apply.")

    def save(self) -> None:
        settings = self._settings()
        if self.port is None or self.runner is None or settings is None or self._saving:
            return
        self._saving = True
        self.update_button()
        self.result.setText("Saving your hours to the calendar server…")
        self.result.show()
        port = self.port
        self.runner(lambda: port.save(settings), self._saved)

    def _saved(self, result: object) -> None:
        self._saving = False
        self.result.setText(describe_result(result) if isinstance(result, Exception) else str(result))
        self.refresh()
