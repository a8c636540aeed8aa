"""The settings window: a page list and pages; every edit is validated at once and saved atomically when valid.

Usage: ``SettingsWindow(doc, default_zone="Europe/Berlin", runner=ThreadRunner(), accounts=…,
calendar_tester=…, preview=…, calendar_hours=…)``; connect ``saved(Settings)`` to apply the new settings without
a restart: it is emitted after every successful save, including an account connected or disconnected on the
Accounts page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.errors import ConfigError, TrayStatusError
from traystatus.core.settings import Settings
from traystatus.core.settings_editing import AccountsManager, CalendarHoursPort, Runner, SettingsDocument
from traystatus.qt.settings.form import FormPage
from traystatus.qt.settings.pages import GeneralPage, HandoffPage, HoursPage, StatusPage, TeamPage, make_debounce
from traystatus.qt.settings.pages_io import AccountsPage, CalendarsPage, CalendarTester, merge_accounts

SAVE_DELAY_MS = 400  # save shortly after typing stops: every valid edit is kept, no Save button to forget


class SettingsWindow(QWidget):
    saved = Signal(object)  # Settings, after each successful save

    def __init__(
        self,
        doc: SettingsDocument,
        *,
        default_zone: str,
        runner: Runner,
        accounts: AccountsManager | None = None,
        calendar_tester: CalendarTester | None = None,
        preview: Callable[[Settings], Sequence[str]] | None = None,
        calendar_hours: CalendarHoursPort | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self.setWindowTitle("traystatus settings")
        self.setAccessibleName("traystatus settings")
        self.pages: list[FormPage] = [
            AccountsPage(doc, accounts, runner),
            CalendarsPage(doc, calendar_tester, runner),
            HoursPage(doc, default_zone, calendar_hours=calendar_hours, runner=runner),
            StatusPage(doc, preview, runner),
            TeamPage(doc),
            HandoffPage(doc),
            GeneralPage(doc),
        ]
        self.status_page = next(p for p in self.pages if isinstance(p, StatusPage))
        self.accounts_page = next(p for p in self.pages if isinstance(p, AccountsPage))
        self.accounts_page.accounts_changed.connect(self.take_accounts)
        self.nav = QListWidget(self)
        self.nav.setAccessibleName("Settings pages")
        self.stack = QStackedWidget(self)
        for page in self.pages:
            self.nav.addItem(page.title)
            scroll = QScrollArea(self.stack)
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            scroll.setAccessibleName(page.title)
            self.stack.addWidget(scroll)
            page.edited.connect(self.on_edited)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 24)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Save status")
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addWidget(self.status)
        self.save_timer = make_debounce(self, SAVE_DELAY_MS, self.save_now)
        self.preview_timer = make_debounce(self, 600, self._refresh_preview)
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save_now)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self).activated.connect(self.close)
        self.last_valid: Settings | None = None
        self.error: ConfigError | None = None
        self.reload()
        self.nav.setCurrentRow(0)
        self.nav.setFocus()  # arrow keys walk the pages, Tab enters the page
        width, height = self.fontMetrics().horizontalAdvance("M") * 70, self.fontMetrics().lineSpacing() * 34
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:  # at 200 % scaling the font-based size may not fit the screen
            width, height = min(width, int(screen.width() * 0.95)), min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    def page(self, title: str) -> FormPage:
        return next(p for p in self.pages if p.title == title)

    def show_page(self, title: str) -> None:
        self.nav.setCurrentRow([p.title for p in self.pages].index(title))

    def relist_accounts(self) -> None:
        """The running app learnt something about an account: list them again (what its last sync found)."""
        page = self.page(AccountsPage.title)
        assert isinstance(page, AccountsPage)
        page.list_again()

    def show_account(self, name: str) -> None:
        """The tray's fix for an account ("Slack", "Slack Acme"): the Accounts page, listed again from what the
        last sync recorded, with that account selected for Test or Connect."""
        self.show_page(AccountsPage.title)
        page = self.page(AccountsPage.title)
        assert isinstance(page, AccountsPage)
        page.select(name)

    def reload(self) -> None:
        """Read the file again (e.g. after a hand edit) and show it."""
        reload = getattr(self.doc, "reload", None)
        if callable(reload):
            reload()
        for page in self.pages:
            page.load()
        self.revalidate()
        self.status.setText(f"Settings are saved automatically to {self.doc.location}.")
        self.preview_timer.start()

    def on_edited(self, key: str, value: object) -> None:
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            self.doc.set_items(key, value)
        elif value == "" and key in ("timezone",):
            self.doc.remove(key)
        else:
            self.doc.set(key, value)
        if self.revalidate():
            self.status.setText("Saving…")
            self.save_timer.start()
        else:
            self.save_timer.stop()

    def revalidate(self) -> bool:
        try:
            self.last_valid = self.doc.validate()
            self.error = None
        except ConfigError as e:
            self.error = e
        key, message = (self.error.key, _short(self.error)) if self.error else ("", "")
        where = ""
        for page in self.pages:
            if page.show_errors(key, message) and not where:
                where = page.title
        if self.error is not None:
            self.status.setText(f"Not saved — {where + ': ' if where else ''}{message}")
        return self.error is None

    def save_now(self) -> None:
        self.save_timer.stop()
        if not self.revalidate():
            return
        if self.accounts_page.changing:
            self.save_timer.start()  # an account is being written to the file: save once it is taken over
            return
        try:
            settings = self.doc.save()
        except (TrayStatusError, OSError) as e:  # a keyring refusing a secret address, a full or read-only dir
            self.status.setText(f"Not saved — {e}")
            return
        notes = self.doc.notes
        self.status.setText(" ".join([f"Saved to {self.doc.location}.", *notes]))
        if notes:  # the table shows the keyring references the file holds now
            self.page("Calendars").load()
        self.saved.emit(settings)
        self.preview_timer.start()

    def take_accounts(self, entries: object) -> None:
        """An account was connected or disconnected: the file has new ``[[accounts.*]]`` entries.

        Take them over so no later save undoes them, then tell listeners (``saved``) so the running app
        uses the account now. With no unsaved edit the file is simply read again (its layout kept).
        """
        clean = not self.save_timer.isActive() and self.error is None
        reload = getattr(self.doc, "reload", None)
        if clean and callable(reload):
            reload()
        elif isinstance(entries, dict):
            merge_accounts(self.doc, entries)
        if not self.revalidate():
            return
        if clean:
            self.status.setText(f"Accounts saved to {self.doc.location}.")
            assert self.last_valid is not None
            self.saved.emit(self.last_valid)
            self.preview_timer.start()
        else:
            self.save_now()

    def _refresh_preview(self) -> None:
        if self.last_valid is not None:
            self.status_page.update_preview(self.last_valid)

    def closeEvent(self, event: object) -> None:
        if self.save_timer.isActive():
            self.save_now()  # never lose the last valid edit
        super().closeEvent(event)  # type: ignore[arg-type]


def tell_problem(parent: QWidget, title: str, message: str) -> None:
    """Something a save could not do that the window has no place for (start at login not changed)."""
    QMessageBox.warning(parent, title, message)


def _short(error: ConfigError) -> str:
    """The message without the file prefix: the field is right there."""
    message = error.message
    if error.key and f"{error.key}: " in message:
        return message.split(f"{error.key}: ", 1)[1]
    return message
